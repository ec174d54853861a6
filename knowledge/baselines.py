"""Same-index ranking baselines: BM25 alone, and BM25 + dense fusion (0.4 / 0.6 of min-max scores).

They rank; their confidence is a raw or relative score, not a probability, so no gate is put on them.
"""

from __future__ import annotations

import numpy as np

from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.retriever import top_positive

FUSION_WEIGHTS = (0.4, 0.6)  # BM25, dense


def min_max(values: np.ndarray) -> np.ndarray:
    """Scaled to 0..1 over the given values; all equal -> all 0."""
    if not len(values):
        return values.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros(len(values))


class Bm25Retriever:
    """BM25 over question text; the top BM25 score is the confidence."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        scores = self.kb.bm25.scores(text)
        ranked = top_positive(scores, top_k * (4 if self.kb.has_private else 1))
        matches = [
            Match(self.kb.entries[p], confidence=float(scores[p]), score=float(scores[p]))
            for p in ranked.tolist()
            if audience.may_see(self.kb.entries[p])
        ]
        return matches[:top_k]


class FusionRetriever:
    """The union of the dense and BM25 top candidates, ranked by 0.4 * minmax(BM25) + 0.6 * minmax(cosine)."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, candidates: int = 30) -> None:
        if candidates <= 0:
            raise ValueError(f"candidates must be greater than 0, got {candidates}")
        self.kb = kb
        self.embedder = embedder
        self.candidates = candidates

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        kb = self.kb
        if not len(kb) or not text.strip():
            return []
        query = self.embedder.embed([text])[0]
        bm25 = kb.bm25.scores(text)
        ids, _ = kb.dense(query, self.candidates)
        union = dict.fromkeys([*ids.tolist(), *top_positive(bm25, self.candidates).tolist()])
        positions = [int(p) for p in union if audience.may_see(kb.entries[p])]
        if not positions:
            return []
        w_bm25, w_dense = FUSION_WEIGHTS
        fused = w_bm25 * min_max(bm25[positions]) + w_dense * min_max(kb.cosines(query, positions))
        order = np.argsort(-fused, kind="stable")[:top_k]
        return [
            Match(kb.entries[positions[i]], confidence=float(fused[i]), score=float(fused[i])) for i in order.tolist()
        ]
