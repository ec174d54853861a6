"""Content gaps: the questions the bot could not answer well, grouped into topics by their embeddings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from peerbot.bots.config import Settings
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
    topic: str  # the words that set the cluster apart (class-based TF-IDF)
    questions: int
    examples: tuple[str, ...]  # distinct questions, most frequent first
    complaint: bool = False  # most of its questions sound upset: a complaint, not missing content
    accepted: int = 0  # of its questions, those a person's answer was accepted for (it joined the knowledge base)

    @property
    def answered(self) -> bool:
        """An accepted answer covers the topic now: the gap is marked answered (and listed after the open ones)."""
        return self.accepted > 0


def gap_questions(
    store: StateStore, period: Period = ALL_TIME, *, public_only: bool = False, latest: int | None = None
) -> list[str]:
    """Questions escalated for want of an answer, or whose answer was reported unhelpful or not enough."""
    return store.unanswered_question_texts(period.since, public_only=public_only, latest=latest)


# words that say nothing about a topic in chat questions, beyond scikit-learn's English stop words
CHAT_WORDS = frozenset(
    [
        "does",
        "did",
        "doing",
        "don",
        "doesn",
        "hey",
        "hi",
        "hello",
        "thanks",
        "thank",
        "please",
        "pls",
        "anyone",
        "someone",
        "help",
        "need",
        "want",
        "know",
        "just",
        "really",
        "get",
        "got",
        "way",
        "ok",
        "okay",
        "question",
        "questions",
        "guys",
        "quick",
        "wondering",
        "work",
        "works",
        "working",
        "tried",
        "trying",
    ]
)


def _words(text: str, ignore: frozenset[str]) -> list[str]:
    return [
        w for w in content_words(text) if len(w) > 2 and not w.isdigit() and w not in ignore and w not in CHAT_WORDS
    ]


def topic_labels(groups: Sequence[Sequence[str]], words: int = 3, ignore: frozenset[str] = frozenset()) -> list[str]:
    """Each group's label: its words with the highest TF-IDF when every group is one document (class-based
    TF-IDF), so a topic is named by what sets it apart from the other topics; ties go to the word seen first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [[w for t in group for w in _words(t, ignore)] for group in groups]
    if len([d for d in docs if d]) > 1:  # a word every topic has names none of them (scikit-learn's idf keeps it)
        everywhere = set.intersection(*(set(d) for d in docs if d))
        docs = [[w for w in d if w not in everywhere] for d in docs]
    if not any(docs):
        return ["(no words)"] * len(groups)
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=False)
    matrix = vectorizer.fit_transform(docs)
    vocabulary = vectorizer.vocabulary_
    labels = []
    for i, doc in enumerate(docs):
        row = matrix.getrow(i)
        weight = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        seen = list(dict.fromkeys(doc))
        ranked = sorted(seen, key=lambda w: (-round(weight.get(vocabulary[w], 0.0), 9), seen.index(w)))
        labels.append(", ".join(ranked[:words]) or "(no words)")
    return labels


def topic_label(texts: Sequence[str], words: int = 3, ignore: frozenset[str] = frozenset()) -> str:
    """One topic's label on its own (no other topics to set it apart from: its most frequent words)."""
    return topic_labels([texts], words, ignore)[0]


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
    complaint_sentiment: float | None = None,
    public_only: bool = False,
    latest: int | None = None,
) -> list[Gap]:
    """Topics of unanswered questions, largest first; with `complaint_sentiment`, a topic whose questions mostly
    score at or below it (VADER) is flagged a complaint, so it is listed apart from the content gaps."""
    from peerbot.bots.urgency import sentiment

    rows = store.gap_questions_since(period.since, public_only=public_only, latest=latest)
    texts = [text for text, _ in rows]
    positions = cluster(texts, embedder, distance)
    groups = [[texts[i] for i in group] for group in positions]
    gaps = []
    for members, at, label in zip(groups, positions, topic_labels(groups, ignore=ignore), strict=True):
        common = [t for t, _ in Counter(members).most_common(examples)]
        upset = complaint_sentiment is not None and sum(sentiment(t) <= complaint_sentiment for t in members) * 2 > len(
            members
        )
        gaps.append(Gap(label, len(members), tuple(common), upset, sum(rows[i][1] for i in at)))
    return sorted(gaps, key=lambda g: g.answered)  # stable: the open gaps first, each kind largest first


def community_gaps(
    store: StateStore,
    embedder: Embedder,
    settings: Settings,
    period: Period = ALL_TIME,
    *,
    public_only: bool = False,
    latest: int | None = None,
) -> list[Gap]:
    """The content gaps as the dashboard and the weekly digest show them: the community's own name is no topic,
    and topics of upset questions are flagged complaints (`escalation.urgent_sentiment`)."""
    brand = frozenset(content_words(settings.community.name)) - {"community", "help", "forum"}
    threshold = settings.escalation.urgent_sentiment
    return content_gaps(
        store, embedder, period, ignore=brand, complaint_sentiment=threshold, public_only=public_only, latest=latest
    )
