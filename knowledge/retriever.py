"""Hybrid retrieval: FAISS cosine + BM25 + rapidfuzz, scored by a calibrator, weighted by trust."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.calibrator import FEATURES, Calibrator
from peerbot.knowledge.curation import NOTHING, Curated, CurationSource
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.lexical import content_words, title_similarity, word_overlap
from peerbot.knowledge.neutralize import inert_entry  # every match that leaves here is safe to show

TRUST_WEIGHT = 0.2  # ranking score = confidence * (1 - w + w * trust)


def top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest positive scores, best first, without sorting every entry."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return positive[np.argsort(-scores[positive], kind="stable")]


class Retriever(Protocol):
    kb: KnowledgeBase

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]: ...


class HybridRetriever:
    """Ranks the union of dense and BM25 candidates by calibrated probability and trust.

    `update()` changes the knowledge base atomically: a running query keeps the snapshot it started with, and
    two changes made at once (an answer captured while the timer picks up live threads) both survive.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        embedder: Embedder,
        calibrator: Calibrator | None,
        candidates: int = 30,
        curation: CurationSource | None = None,
    ) -> None:
        if candidates <= 0:
            raise ValueError(f"candidates must be greater than 0, got {candidates}")
        self.kb = kb
        self.embedder = embedder
        self.calibrator = calibrator
        self.candidates = candidates
        self.curation = curation  # admins' hidden entries and edited answers, read on every query
        self._changing = threading.Lock()

    def update(self, change: Callable[[KnowledgeBase], KnowledgeBase]) -> KnowledgeBase:
        """Serve `change(current)`; changes run one at a time, each on the result of the one before."""
        with self._changing:
            self.kb = change(self.kb)
            return self.kb

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        return self.retrieve_many([text], audience, top_k)[0]

    def retrieve_many(self, texts: Sequence[str], audience: Audience, top_k: int = 5) -> list[list[Match]]:
        """`retrieve` for many questions in one call: one embedding batch and one FAISS search for all."""
        kb = self.kb
        asked = [i for i, t in enumerate(texts) if t.strip()]
        out: list[list[Match]] = [[] for _ in texts]
        if not len(kb) or not asked:
            return out
        curated = self.curation.current() if self.curation is not None else NOTHING
        extra = min(len(curated.hidden), self.candidates)  # hidden entries found are dropped: look a little further
        queries = self.embedder.embed([texts[i] for i in asked])
        dense = kb.dense_many(queries, self.candidates + extra, audience)
        for row, i in enumerate(asked):
            dense_i = (dense[0][row], dense[1][row])
            prepared = self._prepare_one(kb, texts[i], queries[row], dense_i, audience, hidden=curated.hidden)
            out[i] = self._rank(kb, *prepared, top_k, curated)
        return out

    def _rank(
        self,
        kb: KnowledgeBase,
        positions: list[int],
        rows: np.ndarray,
        details: list[dict[str, object]],
        top_k: int,
        curated: Curated = NOTHING,
    ) -> list[Match]:
        if not positions:
            return []
        if self.calibrator is None:
            raise ValueError("HybridRetriever needs a calibrator to rank; only candidate_features works without")
        probs = self.calibrator.probabilities(rows)
        trust = np.array([kb.entries[p].trust for p in positions])
        scores = probs * (1 - TRUST_WEIGHT + TRUST_WEIGHT * trust)
        order = np.argsort(-scores, kind="stable")[:top_k]
        return [
            self._match(kb, positions[i], float(probs[i]), float(scores[i]), rows[i], details[i], curated)
            for i in order
        ]

    def candidate_features(
        self, text: str, audience: Audience, exclude: frozenset[int] = frozenset()
    ) -> tuple[list[int], np.ndarray]:
        """Candidate positions and their feature rows (in FEATURES order), for fitting a calibrator.

        exclude: positions kept out of the candidates, as if they were not indexed (leave-one-out).
        """
        kb = self.kb
        if not len(kb) or not text.strip():
            return [], np.zeros((0, len(FEATURES)))
        query = self.embedder.embed([text])[0]
        dense = kb.dense(query, self.candidates, audience)
        positions, rows, _ = self._prepare_one(kb, text, query, dense, audience, exclude)
        return positions, rows.reshape(-1, len(FEATURES))

    def rerank(self, text: str, thread_ids: list[str], audience: Audience, by: str = "score") -> list[str]:
        """The given threads re-ranked (by="cosine": by dense similarity only); unindexed ones last, in order."""
        kb = self.kb
        wanted = set(thread_ids)
        positions = [p for p, e in enumerate(kb.entries) if e.thread_id in wanted and audience.may_see(e)]
        ranked: list[str] = []
        if positions and text.strip():
            query = self.embedder.embed([text])[0]
            cosines = kb.cosines(query, positions)
            if by == "cosine":
                keys = cosines.astype(np.float64)
            else:
                if self.calibrator is None:
                    raise ValueError("rerank by score needs a calibrator")
                rows, _ = self._features(kb, text, positions, cosines, kb.bm25.scores(text)[positions])
                trust = np.array([kb.entries[p].trust for p in positions])
                keys = self.calibrator.probabilities(rows) * (1 - TRUST_WEIGHT + TRUST_WEIGHT * trust)
            ranked = [kb.entries[positions[i]].thread_id for i in np.argsort(-keys, kind="stable")]
        ranked = list(dict.fromkeys(ranked))
        return ranked + [t for t in thread_ids if t not in set(ranked)]

    def _prepare_one(
        self,
        kb: KnowledgeBase,
        text: str,
        query: np.ndarray,
        dense: tuple[np.ndarray, np.ndarray],
        audience: Audience,
        exclude: frozenset[int] = frozenset(),
        hidden: frozenset[str] = frozenset(),
    ) -> tuple[list[int], np.ndarray, list[dict[str, object]]]:
        """Candidates (the dense ones given, the BM25 ones found here) and their feature rows; entries the
        admins hid are never candidates.

        Both searches skip what the audience may not see (FAISS ID selector, BM25 scores zeroed), so every
        candidate counts; the entry check after them is a second guard."""
        bm25 = kb.bm25.scores(text)
        excluded = kb.excluded(audience)
        if len(excluded):
            bm25[excluded] = 0.0
        lexical = top_positive(bm25, self.candidates + min(len(hidden), self.candidates))
        seen: dict[int, None] = {}
        for p in [*dense[0].tolist(), *lexical.tolist()]:
            if p not in exclude and audience.may_see(kb.entries[p]) and (not hidden or kb.entries[p].id not in hidden):
                seen[int(p)] = None
        positions = list(seen)
        if not positions:
            return [], np.zeros((0, len(FEATURES))), []
        rows, details = self._features(kb, text, positions, kb.cosines(query, positions), bm25[positions])
        return positions, rows, details

    def _features(
        self,
        kb: KnowledgeBase,
        text: str,
        positions: list[int],
        cosines: np.ndarray,
        bm25: np.ndarray,
    ) -> tuple[np.ndarray, list[dict[str, object]]]:
        bm25_max = float(bm25.max()) if len(bm25) else 0.0
        words = set(content_words(text))
        qlen = math.log1p(len(words))
        order = np.sort(cosines)[::-1]
        runner_up = float(order[1]) if len(order) > 1 else 0.0
        rows, details = [], []
        for i, p in enumerate(positions):
            entry = kb.entries[p]
            best_other = runner_up if cosines[i] >= order[0] else float(order[0])
            overlap, shared = word_overlap(words, entry.question_text)
            feats = {
                "cosine": float(cosines[i]),
                "cosine_lead": float(cosines[i] - best_other),
                "bm25_relative": float(bm25[i] / bm25_max) if bm25_max > 0 else 0.0,
                "title_similarity": title_similarity(text, entry.title),
                "word_overlap": overlap,
                "query_length": qlen,
            }
            rows.append([feats[name] for name in FEATURES])
            details.append({"shared": shared, "bm25": float(bm25[i])})
        return np.asarray(rows, dtype=np.float64), details

    def _match(
        self,
        kb: KnowledgeBase,
        position: int,
        prob: float,
        score: float,
        row: np.ndarray,
        detail: dict[str, object],
        curated: Curated = NOTHING,
    ) -> Match:
        entry = curated.apply(kb.entries[position])
        feats = dict(zip(FEATURES, row.tolist(), strict=True))
        assert self.calibrator is not None
        contrib = self.calibrator.contributions(row)
        reasons = [
            f"meaning {feats['cosine']:.2f} cosine ({contrib['cosine'] + contrib['cosine_lead']:+.2f})",
            f"words {feats['word_overlap']:.0%} shared {detail['shared']} (bm25 {detail['bm25']:.1f}, "
            f"{contrib['bm25_relative'] + contrib['word_overlap']:+.2f})",
            f"title {feats['title_similarity']:.0%} alike ({contrib['title_similarity']:+.2f})",
            f"trust {entry.trust:.2f}: {', '.join(entry.trust_reasons) or 'none'}",
        ]
        return Match(entry=inert_entry(entry), confidence=prob, score=score, reasons=reasons, features=feats)


class DenseRetriever:
    """The plain baseline: FAISS cosine only, the top cosine as confidence."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder) -> None:
        self.kb = kb
        self.embedder = embedder

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        if not len(self.kb) or not text.strip():
            return []
        query = self.embedder.embed([text])[0]
        ids, cosines = self.kb.dense(query, top_k, audience)
        matches = [
            Match(
                entry=inert_entry(self.kb.entries[p]),
                confidence=float(c),
                score=float(c),
                reasons=[f"meaning {c:.2f} cosine"],
            )
            for p, c in zip(ids.tolist(), cosines.tolist(), strict=True)
            if audience.may_see(self.kb.entries[p])
        ]
        return matches[:top_k]
