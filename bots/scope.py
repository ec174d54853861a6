"""Is a question about what this community talks about at all? Out of scope is not an escalation.

The scope is learnt from the community's own content: every thread of every source, trusted or not (not only the
answered ones the index keeps). A question's score is how close it comes to the community's `NEAR` nearest thread
texts (their mean cosine) minus how close it comes to the `FAR` nearest of a fixed list of everyday questions about
everything else (`data/scope_background.txt`). A question naming one of the community's own names (scope_names.py:
"Lumo", "Lightstrip") is in scope whatever its score. The threshold is learnt on the same content: each thread is
scored against all the other threads (leave one out), each everyday question against the other everyday questions
(and against names learnt without it), and the threshold is the lowest score that lets at most `background_accept`
of the everyday questions in; config.toml's `[scope] threshold` pins another.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from peerbot.bots.scope_names import KnownWord, community_names, everyday_named, named
from peerbot.indexer.sources.base import Thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.embedder import Embedder

log = logging.getLogger(__name__)

BACKGROUND = Path(__file__).with_name("data") / "scope_background.txt"
TOPICS = 5  # topics named in the out-of-scope reply
NEAR = 5  # a question's closeness to the community: the mean cosine of its nearest community texts
FAR = 3  # and to everything else: of its nearest everyday questions


def background_questions(path: Path = BACKGROUND) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class Scope:
    """The community's threads and the everyday questions as unit vectors, the learnt threshold, its topics."""

    threads: np.ndarray  # (n, d): each thread's title, and its title with the body, n = 2 x threads
    background: np.ndarray  # (m, d)
    learnt_threshold: float
    topics: tuple[str, ...]
    model: str
    thread_count: int
    names: tuple[str, ...] = ()  # the community's own names (scope_names.py): naming one is in scope

    def score(self, vector: np.ndarray) -> float:
        """Nearest community texts minus nearest everyday questions (mean cosines)."""
        return float(_closeness(self.threads @ vector, NEAR) - _closeness(self.background @ vector, FAR))


@dataclass(frozen=True)
class ScopeCheck:
    """A question's place: in scope or not, with the score and the threshold it was held to."""

    in_scope: bool
    score: float
    threshold: float
    names: tuple[str, ...] = ()  # the community's names the question used (it is in scope whatever its score)


class ScopeGuard:
    """What the answer pipeline asks: is this text in scope? `threshold` from config wins over the learnt one."""

    def __init__(self, scope: Scope, embedder: Embedder, threshold: float | None = None) -> None:
        if scope.model != embedder.name:
            raise ValueError(f"scope learnt with {scope.model!r}, the bot embeds with {embedder.name!r}")
        self.scope = scope
        self.embedder = embedder
        self.threshold = scope.learnt_threshold if threshold is None else threshold

    @property
    def topics(self) -> tuple[str, ...]:
        return self.scope.topics

    def check(self, text: str) -> ScopeCheck:
        score = self.scope.score(self.embedder.embed([text])[0])
        names = named(text, self.scope.names)
        return ScopeCheck(score >= self.threshold or bool(names), score, self.threshold, names)


def _texts(thread: Thread) -> list[str]:
    return [thread.title, f"{thread.title}\n{thread.body}"]


def community_topics(threads: Sequence[Thread], count: int = TOPICS) -> tuple[str, ...]:
    """The most common tags of public threads (channels when nothing is tagged): private names never leave."""
    public = [t for t in threads if t.visibility == "public"]
    tags = Counter(tag for t in public for tag in dict.fromkeys(t.tags))
    if not tags:
        tags = Counter(t.channel for t in public if t.channel)
    return tuple(name.replace("-", " ").replace("_", " ") for name, _ in tags.most_common(count))


def _closeness(cosines: np.ndarray, k: int) -> np.ndarray:
    """The mean of the `k` largest cosines (along the last axis); -1 when there is nothing to compare with."""
    if cosines.shape[-1] == 0:
        return np.full(cosines.shape[:-1], -1.0)
    k = min(k, cosines.shape[-1])
    return np.asarray(np.mean(np.partition(cosines, -k, axis=-1)[..., -k:], axis=-1))


def learn_threshold(
    threads: np.ndarray,
    titles: np.ndarray,
    background: np.ndarray,
    background_accept: float,
    background_named: Sequence[bool] = (),
) -> float:
    """The lowest score at which at most `background_accept` of the everyday questions count as in scope
    (each scored against the community and against the other everyday questions; `background_named`: those let
    in by a name whatever their score), but never above the score of the community's own median thread (each
    title against all the other threads' texts). `threads` holds `len(threads) // len(titles)` texts a thread."""
    n = len(titles)
    per_thread = len(threads) // n if n else 1
    own = titles @ threads.T  # a title against every thread's texts, its own left out
    for offset in range(per_thread):
        own[np.arange(n), np.arange(n) * per_thread + offset] = -1.0
    community = _closeness(own, NEAR) - _closeness(titles @ background.T, FAR)
    among = background @ background.T
    np.fill_diagonal(among, -1.0)
    everyday = _closeness(background @ threads.T, NEAR) - _closeness(among, FAR)
    if len(background_named):
        everyday = np.where(np.asarray(background_named, dtype=bool), np.inf, everyday)
    allowed = int(np.floor(background_accept * len(everyday)))
    ranked = np.sort(everyday)[::-1]
    threshold = float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else float(ranked[-1])
    ceiling = float(np.median(community)) if n else threshold
    return round(min(threshold, ceiling), 4)


def learn_scope(
    threads: Iterable[Thread],
    embedder: Embedder,
    policy: TrustPolicy | None = None,
    background_accept: float = 0.05,
    background: Sequence[str] | None = None,
) -> Scope:
    """Learn the scope from every thread (forgotten authors' threads left out)."""
    kept = [t for t in threads if policy is None or not policy.is_forgotten(t.author, t.author_id)]
    texts = [text for t in kept for text in _texts(t)]
    thread_vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
    everyday = list(background if background is not None else background_questions())
    background_vectors = embedder.embed(everyday)
    known_word: KnownWord | None = getattr(embedder, "known_word", None)  # the real model's vocabulary
    public = [t for t in kept if t.visibility == "public"]  # a private channel's code names never show, even so
    threshold = (
        learn_threshold(
            thread_vectors,
            thread_vectors[0::2],
            background_vectors,
            background_accept,
            everyday_named(public, everyday, known_word),
        )
        if len(kept) > 1
        else 1.0
    )
    return Scope(
        np.asarray(thread_vectors, dtype=np.float32),
        np.asarray(background_vectors, dtype=np.float32),
        threshold,
        community_topics(kept),
        embedder.name,
        len(kept),
        community_names(public, everyday, known_word),
    )


def save_scope(scope: Scope, path: Path) -> None:
    """Written next to the index, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(
        partial,
        threads=scope.threads,
        background=scope.background,
        threshold=np.array(scope.learnt_threshold),
        topics=np.array(scope.topics, dtype=str),
        model=np.array(scope.model),
        thread_count=np.array(scope.thread_count),
        names=np.array(scope.names, dtype=str),
    )
    partial.replace(path)


def load_scope(path: Path) -> Scope | None:
    """The learnt scope, or None when it was never learnt (the scope check is then off) or cannot be read."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return Scope(
                data["threads"],
                data["background"],
                float(data["threshold"]),
                tuple(str(t) for t in data["topics"]),
                str(data["model"]),
                int(data["thread_count"]),
                tuple(str(n) for n in data["names"]) if "names" in data.files else (),  # learnt before names
            )
    except (OSError, KeyError, ValueError) as exc:
        log.warning("scope not loaded; every question counts as in scope", extra={"path": str(path), "error": str(exc)})
        return None
