"""The community's own names (its brand, its products' made-up names): a question naming one is in scope.

The embedding model cannot place a word it never learnt ("Lumo", "Lightstrip", "GU10"): such a question scores
like any question about shops or shipping. So the scope also learns, from the community's own content, the words
it writes capitalised (not at a sentence's start), in at least `MIN_THREADS` threads, that the embedding model
does not know as a word (the model's tokenizer splits them, and their singular, into pieces) and that no everyday
question uses. Names come from public threads only (learn_scope), are matched case-insensitively, never shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from peerbot.indexer.sources.base import Thread

MIN_THREADS = 3  # a name is written in at least this many threads
CAPITALISED = 0.8  # and capitalised in at least this share of its uses inside a sentence
MIN_LENGTH = 3

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+]*(?:-[A-Za-z0-9+]+)*")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")

KnownWord = Callable[[str], bool]


def words(text: str) -> set[str]:
    """The lower-cased words of a text, as names are matched."""
    return {word.lower() for word in _WORD.findall(text)}


def _texts(thread: Thread) -> Iterable[str]:
    yield thread.title
    yield thread.body
    for post in thread.replies:
        yield post.text


def _usage(threads: Sequence[Thread]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Per lower-cased word: threads using it, uses inside a sentence, and of those the capitalised ones."""
    threads_using: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for thread in threads:
        seen: set[str] = set()
        for text in _texts(thread):
            for sentence in _SENTENCE.split(text):
                for position, word in enumerate(_WORD.findall(sentence)):
                    lower = word.lower()
                    seen.add(lower)
                    if position:
                        inside[lower] += 1
                        capitalised[lower] += word[0].isupper()
        threads_using.update(seen)
    return threads_using, inside, capitalised


def _unknown(word: str, known_word: KnownWord | None) -> bool:
    if known_word is None:
        return True
    singular = word[:-1] if word.endswith("s") and len(word) > MIN_LENGTH else word
    return not known_word(word) and not known_word(singular)


def name_candidates(threads: Sequence[Thread], known_word: KnownWord | None = None) -> set[str]:
    """The community's names before the everyday questions are consulted."""
    threads_using, inside, capitalised = _usage(threads)
    return {
        word
        for word, count in threads_using.items()
        if count >= MIN_THREADS
        and len(word) >= MIN_LENGTH
        and inside[word]
        and capitalised[word] / inside[word] >= CAPITALISED
        and _unknown(word, known_word)
    }


def community_names(
    threads: Sequence[Thread], background: Sequence[str], known_word: KnownWord | None = None
) -> tuple[str, ...]:
    """Names of the community that no everyday question uses, sorted."""
    everyday = set().union(*(words(question) for question in background))
    return tuple(sorted(name_candidates(threads, known_word) - everyday))


def everyday_named(
    threads: Sequence[Thread], background: Sequence[str], known_word: KnownWord | None = None
) -> list[bool]:
    """For each everyday question: would it name the community if it were asked, names learnt without it (leave
    one out)? A name it shares with no other everyday question would let it in."""
    candidates = name_candidates(threads, known_word)
    per_question = [words(question) & candidates for question in background]
    used = Counter(word for found in per_question for word in found)
    return [any(used[word] == 1 for word in found) for found in per_question]


def named(text: str, names: Iterable[str]) -> tuple[str, ...]:
    """The community's names a text uses."""
    return tuple(sorted(words(text) & set(names)))
