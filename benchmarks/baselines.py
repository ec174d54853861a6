"""Single-signal retrievers built on the same knowledge base, and wrappers used to score them.

Each is a `peerbot.knowledge.retriever.Retriever`, so `peerbot.bots.evaluation.score` scores it like peerbot's own.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
from rapidfuzz import fuzz, process, utils

from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.retriever import Retriever


class Bm25Only:
    """BM25 (bm25s, peerbot's tokenisation) over question text; the top BM25 score is the confidence."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        scores = self.kb.bm25.scores(text)
        order = np.argsort(-scores, kind="stable")
        matches: list[Match] = []
        for p in order.tolist():
            if scores[p] <= 0 or len(matches) == top_k:
                break
            entry = self.kb.entries[p]
            if audience.may_see(entry):
                matches.append(Match(entry, confidence=float(scores[p]), score=float(scores[p])))
        return matches


class FuzzOnly:
    """rapidfuzz alone: a scorer between the question and each thread's title or title + body; 0..1 confidence."""

    SCORERS: ClassVar[dict[str, Any]] = {
        "token_set_ratio": fuzz.token_set_ratio,
        "token_sort_ratio": fuzz.token_sort_ratio,
        "ratio": fuzz.ratio,
        "WRatio": fuzz.WRatio,
    }
    FIELDS = ("title", "title + body")

    def __init__(self, kb: KnowledgeBase, scorer: str = "token_sort_ratio", field: str = "title + body") -> None:
        self.kb = kb
        self.scorer, self.field = scorer, field
        self._choices = [e.title if field == "title" else e.question_text for e in kb.entries]

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        hits = process.extract(
            text, self._choices, scorer=self.SCORERS[self.scorer], processor=utils.default_process, limit=top_k * 4
        )
        matches = [
            Match(self.kb.entries[p], confidence=s / 100.0, score=s / 100.0)
            for _, s, p in hits
            if audience.may_see(self.kb.entries[p])
        ]
        return matches[:top_k]


class Recording:
    """Passes retrieval through and keeps each question's matches (for the precision / coverage curve)."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.kb = inner.kb
        self.matches: dict[str, list[Match]] = {}

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        matches = self.inner.retrieve(text, audience, top_k)
        self.matches[text] = matches
        return matches


class Scaled:
    """A raw confidence turned into a probability by a logistic curve (Platt scaling) fit on train."""

    def __init__(self, inner: Retriever, slope: float, intercept: float) -> None:
        self.inner = inner
        self.kb = inner.kb
        self.slope = slope
        self.intercept = intercept

    def probability(self, raw: float) -> float:
        z = self.slope * raw + self.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def raw_for(self, probability: float) -> float:
        """The raw confidence at which the probability reaches `probability` (the gate's raw cut-off)."""
        if self.slope <= 0:
            return math.inf
        return (math.log(probability / (1 - probability)) - self.intercept) / self.slope

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        return [
            replace(m, confidence=self.probability(m.confidence)) for m in self.inner.retrieve(text, audience, top_k)
        ]


def fit_platt(confidences: list[float], rights: list[bool]) -> tuple[float, float]:
    """Slope and intercept of P(top match right | top confidence), from one split's queries."""
    from sklearn.linear_model import LogisticRegression

    if len(set(rights)) < 2:  # nothing to separate: every question gets the train split's base rate
        rate = min(max(float(np.mean(rights)) if rights else 0.5, 0.01), 0.99)
        return 0.0, math.log(rate / (1 - rate))
    x = np.asarray(confidences, dtype=np.float64).reshape(-1, 1)
    model = LogisticRegression(C=1e4).fit(x, np.asarray(rights, dtype=int))
    return float(model.coef_[0][0]), float(model.intercept_[0])
