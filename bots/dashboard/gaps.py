"""Content gaps: the questions the bot could not answer well, grouped into topics by their embeddings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from peerbot.bots.dashboard.metrics import ALL_TIME, Period
from peerbot.bots.state import StateStore
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.lexical import content_words

DISTANCE = 0.6  # cosine distance under which two topics are merged (average linkage)


class CachedEmbedder:
    """Embeds each distinct text once: the dashboard re-clusters the same questions on every page view."""

    def __init__(self, embedder: Embedder, limit: int = 50_000) -> None:
        self.embedder, self.limit = embedder, limit
        self.name, self.dimension = embedder.name, embedder.dimension
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if new:
            if len(self._vectors) + len(new) > self.limit:
                self._vectors.clear()
            self._vectors.update(zip(new, self.embedder.embed(new), strict=True))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._vectors[t] for t in texts])


@dataclass(frozen=True)
class Gap:
    topic: str  # the cluster's most common words
    questions: int
    examples: tuple[str, ...]  # distinct questions, most frequent first


def gap_questions(store: StateStore, period: Period = ALL_TIME) -> list[str]:
    """Questions escalated for want of an answer, or whose answer was reported unhelpful or not enough."""
    return store.unanswered_question_texts(period.since)


def topic_label(texts: list[str], words: int = 3, ignore: frozenset[str] = frozenset()) -> str:
    """The words most questions of the topic share (`ignore`: words every question has, like the brand)."""
    counts = Counter(
        w for t in texts for w in dict.fromkeys(content_words(t)) if len(w) > 2 and not w.isdigit() and w not in ignore
    )
    return ", ".join(w for w, _ in counts.most_common(words)) or "(no words)"


def cluster(texts: list[str], embedder: Embedder, distance: float = DISTANCE) -> list[list[int]]:
    """Groups of positions in texts, largest first (ties: first seen first)."""
    if len(texts) < 2:
        return [list(range(len(texts)))] if texts else []
    from sklearn.cluster import AgglomerativeClustering

    vectors = np.asarray(embedder.embed(texts), dtype=np.float64)
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
    ).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def content_gaps(
    store: StateStore,
    embedder: Embedder,
    period: Period = ALL_TIME,
    examples: int = 3,
    distance: float = DISTANCE,
    ignore: frozenset[str] = frozenset(),
) -> list[Gap]:
    texts = gap_questions(store, period)
    gaps = []
    for group in cluster(texts, embedder, distance):
        members = [texts[i] for i in group]
        common = [t for t, _ in Counter(members).most_common(examples)]
        gaps.append(Gap(topic_label(members, ignore=ignore), len(members), tuple(common)))
    return gaps
