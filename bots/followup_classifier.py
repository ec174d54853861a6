"""What the asker's message in a thread the bot answered says: "didn't work", "thanks, that fixed it", or more detail.

Deliberately simple and predictable, so a community manager can read why a message counted as what it did:

1. Normalise: lower case, curly apostrophes straightened and dropped ("didn't" -> "didnt"), everything but letters
   and digits turned into spaces.
2. NEGATIVE when any phrase of `NEGATIVE` is in it ("didnt work", "not helpful", "still broken", "wrong answer",
   "no luck"), when the word "still" is in it ("it still drops"), when it starts with "no" / "nope" / "nah", or when
   a solved word is negated ("hasnt fixed it", "not solved"). Negative wins over thanks: "thanks, but it still
   doesn't work" did not work.
3. SOLVED when a phrase of `SOLVED` is in it ("that fixed it", "works now", "solved"), or when it thanks
   ("thanks", "thank you", "cheers") and says little else (at most `THANKS_ROOM` other word, besides "so much for
   your help"). A message ending in "?" is never solved: it asks something.
4. ACK when it only acknowledges ("ok", "will try, thanks", "let me check"): nothing to answer yet.
5. Anything else is a DETAIL: the asker added something ("its the Android app", "error E42").

A negative message that says more than the phrase ("didn't work, it's the Android app") also carries a detail: the
whole message, kept with the thread and searched with the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Said(StrEnum):
    NEGATIVE = "negative"  # the answer did not help
    SOLVED = "solved"  # thanks, that fixed it
    DETAIL = "detail"  # more about the problem
    ACK = "ack"  # "ok, I'll try that": nothing to answer yet


NEGATIVE = (
    "didnt work",
    "did not work",
    "doesnt work",
    "does not work",
    "dont work",
    "not working",
    "isnt working",
    "wasnt helpful",
    "not helpful",
    "unhelpful",
    "no help",
    "didnt help",
    "did not help",
    "doesnt help",
    "does not help",
    "not useful",
    "useless",
    "still broken",
    "still the same",
    "same problem",
    "same issue",
    "same thing happens",
    "no luck",
    "no joy",
    "no change",
    "no difference",
    "made no difference",
    "didnt fix",
    "did not fix",
    "doesnt fix",
    "didnt solve",
    "did not solve",
    "wrong answer",
    "thats wrong",
    "that is wrong",
    "not what i asked",
    "not what i need",
    "not my question",
    "not my problem",
    "not the problem",
    "thats not it",
    "that is not it",
    "not it",
    "already tried",
    "tried that",
    "didnt answer",
    "did not answer",
    "not relevant",
    "irrelevant",
    "no good",
)
NEGATIVE_WORDS = frozenset({"still"})  # "it still drops every night"
NEGATIVE_OPENERS = frozenset({"no", "nope", "nah", "negative"})  # "no, I mean the Dimmer Remote"
SOLVED = (
    "fixed it",
    "that fixed",
    "it fixed",
    "thats fixed",
    "fixed now",
    "all fixed",
    "works now",
    "working now",
    "it works",
    "that worked",
    "it worked",
    "worked for me",
    "worked perfectly",
    "solved",
    "that did it",
    "did the trick",
    "sorted",
    "all good now",
    "problem gone",
    "that works",
)
THANKS = ("thanks", "thank you", "thank u", "thx", "ty", "cheers", "much appreciated", "many thanks")
THANKS_FILLER = frozenset(
    {"a", "lot", "so", "much", "for", "your", "the", "help", "again", "you", "all", "guys", "everyone"}
)
SOLVED_WORDS = frozenset({"fixed", "solved", "worked", "works", "working", "sorted", "helped"})
NEGATORS = frozenset({"not", "no", "never", "didnt", "doesnt", "hasnt", "havent", "isnt", "wasnt", "wont", "cant"})
FILLER = frozenset(
    {"but", "and", "so", "it", "its", "that", "this", "the", "a", "i", "im", "me", "my", "sorry", "ok", "okay", "oh"}
)
ACK = (
    "ok",
    "okay",
    "k",
    "kk",
    "hmm",
    "hm",
    "i see",
    "got it",
    "will try",
    "ill try",
    "let me try",
    "going to try",
    "gonna try",
    "trying now",
    "will do",
    "let me check",
    "one sec",
    "on it",
)
THANKS_ROOM = 1  # "thanks so much Mara" is thanks; "thanks, it's the Android app" is a detail
DETAIL_WORDS = 2  # a negative message with at least this many other words carries a detail


@dataclass(frozen=True)
class FollowUp:
    said: Said
    detail: str | None  # the message itself, when it adds something to search with


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


def _found(phrase: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _without(text: str, phrases: tuple[str, ...]) -> list[str]:
    """The words left once the phrases are taken out (filler words do not count)."""
    for phrase in sorted(phrases, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", text)
    return [word for word in text.split() if word not in FILLER]


def _negated_solved(words: list[str]) -> bool:
    """ "hasnt fixed it", "not solved", "it never worked": a solved word with a negation just before it."""
    return any(w in SOLVED_WORDS and NEGATORS & set(words[max(0, i - 2) : i]) for i, w in enumerate(words))


def classify(message: str) -> FollowUp:
    text = normalise(message)
    words = text.split()
    if not words:
        return FollowUp(Said.DETAIL, None)
    negative = (
        any(_found(p, text) for p in NEGATIVE)
        or bool(NEGATIVE_WORDS & set(words))
        or words[0] in NEGATIVE_OPENERS
        or _negated_solved(words)
    )
    if negative:
        said = (*NEGATIVE, *NEGATIVE_WORDS, *NEGATIVE_OPENERS, *THANKS, *NEGATORS, *SOLVED_WORDS)
        rest = _without(text, said)
        return FollowUp(Said.NEGATIVE, message.strip() if len(rest) >= DETAIL_WORDS else None)
    if message.rstrip().endswith("?"):  # "is this solved in 5.1?" asks something
        return FollowUp(Said.DETAIL, message.strip())
    if any(_found(p, text) for p in SOLVED):
        return FollowUp(Said.SOLVED, None)
    if any(_found(p, text) for p in ACK) and not [w for w in _without(text, (*ACK, *THANKS)) if w not in THANKS_FILLER]:
        return FollowUp(Said.ACK, None)  # "ok, thanks, I'll try that": not solved yet, nothing to search with
    thanks_rest = [w for w in _without(text, THANKS) if w not in THANKS_FILLER]
    if any(_found(p, text) for p in THANKS) and len(thanks_rest) <= THANKS_ROOM:
        return FollowUp(Said.SOLVED, None)
    return FollowUp(Said.DETAIL, message.strip())


def leads_with_verdict(text: str) -> bool:
    """The message opens with its verdict ("didn't work, it's the Android app", "no, the other one", "thanks,
    that fixed it") instead of mentioning one inside a new question ("the app crashes, reinstalling didn't
    help"): where there is no thread, only the first continues the conversation."""
    words = normalise(text)
    opener = words.split(" ", 1)[0]
    return opener in NEGATIVE_OPENERS or any(f"{words} ".startswith(f"{p} ") for p in (*NEGATIVE, *SOLVED, *THANKS))
