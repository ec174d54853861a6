"""Ask every query of a split, keep what happened per query, and summarise it with bootstrap intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peerbot.bots.conversation import Outcome
from peerbot.bots.evaluation.bootstrap import Interval, bootstrap
from peerbot.bots.evaluation.dataset import Dataset
from peerbot.bots.evaluation.metrics import (
    GatePoint,
    K,
    auroc,
    coverage_at_precision,
    gate_curve,
    ndcg,
    recall,
    reciprocal_rank,
)
from peerbot.bots.policy import Thresholds, decide
from peerbot.knowledge.entries import Audience
from peerbot.knowledge.retriever import Retriever

PUBLIC = Audience()
TARGET_PRECISION = 0.85


@dataclass(frozen=True)
class QueryResult:
    """One query through one system: what it ranked, how sure it was, what the gate did."""

    qid: str
    grades: dict[str, int]  # judged threads; empty = should be escalated
    ranked: tuple[str, ...]  # thread ids, best first (top K)
    confidences: tuple[float, ...]
    outcome: Outcome | None  # None for a ranking-only system (no gate)

    @property
    def answerable(self) -> bool:
        return bool(self.grades)

    @property
    def top_right(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.grades

    @property
    def top_confidence(self) -> float:
        return self.confidences[0] if self.confidences else -math.inf

    def to_json(self, system: str) -> dict[str, Any]:
        return {
            "system": system,
            "query": self.qid,
            "answerable": self.answerable,
            "relevant": sorted(self.grades),
            "matches": [
                {"thread": t, "confidence": round(c, 4), "relevant": t in self.grades}
                for t, c in zip(self.ranked, self.confidences, strict=True)
            ],
            "outcome": self.outcome.value if self.outcome else None,
            "top_right": self.top_right,
        }


def ask_all(
    dataset: Dataset,
    retriever: Retriever,
    thresholds: Thresholds | None,
    tick: Callable[[], None] | None = None,
) -> list[QueryResult]:
    """Every query of the split through the retriever and (unless thresholds is None) the gate."""
    results = []
    for qid, text in dataset.queries.items():
        matches = retriever.retrieve(text, PUBLIC, K)
        ranked, confidences = [], []
        for m in matches:
            if m.entry.thread_id not in ranked:
                ranked.append(m.entry.thread_id)
                confidences.append(m.confidence)
        outcome = decide(matches, thresholds).outcome if thresholds is not None else None
        results.append(QueryResult(qid, dataset.qrels.get(qid, {}), tuple(ranked), tuple(confidences), outcome))
        if tick:
            tick()
    return results


# Each statistic maps a sample of queries to a number (nan where undefined, e.g. nothing answered).
def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


def mrr10(rs: Sequence[QueryResult]) -> float:
    return _mean([reciprocal_rank(r.ranked, r.grades) for r in rs if r.answerable])


def recall10(rs: Sequence[QueryResult]) -> float:
    return _mean([recall(r.ranked, r.grades) for r in rs if r.answerable])


def ndcg10(rs: Sequence[QueryResult]) -> float:
    return _mean([ndcg(r.ranked, r.grades) for r in rs if r.answerable])


def p1(rs: Sequence[QueryResult]) -> float:
    return _mean([float(r.top_right) for r in rs if r.answerable])


def answered_precision(rs: Sequence[QueryResult]) -> float:
    return _mean([float(r.top_right) for r in rs if r.outcome is Outcome.ANSWER])


def coverage(rs: Sequence[QueryResult]) -> float:
    return _mean([float(r.outcome is Outcome.ANSWER) for r in rs if r.answerable])


def unanswerable_escalated(rs: Sequence[QueryResult]) -> float:
    return _mean([float(r.outcome is Outcome.ESCALATE) for r in rs if not r.answerable])


def unanswerable_answered(rs: Sequence[QueryResult]) -> float:
    return _mean([float(r.outcome is Outcome.ANSWER) for r in rs if not r.answerable])


def gate_auroc(rs: Sequence[QueryResult]) -> float:
    """Does the top confidence tell a right top thread from a wrong one (unanswerable queries: always wrong)?"""
    seen = [r for r in rs if r.confidences]
    return auroc([r.top_confidence for r in seen], [r.top_right for r in seen])


def points(rs: Sequence[QueryResult]) -> list[GatePoint]:
    return [GatePoint(r.top_confidence, r.top_right, r.answerable) for r in rs]


def best_coverage(rs: Sequence[QueryResult], precision: float = TARGET_PRECISION) -> float:
    """Coverage at the best threshold for this sample (an oracle: the threshold is chosen on the sample)."""
    return coverage_at_precision(gate_curve(points(rs)), precision)


RANKING: dict[str, Callable[[Sequence[QueryResult]], float]] = {
    "mrr10": mrr10,
    "recall10": recall10,
    "ndcg10": ndcg10,
    "p1": p1,
    "auroc": gate_auroc,
}
GATE: dict[str, Callable[[Sequence[QueryResult]], float]] = {
    "answered_precision": answered_precision,
    "answerable_coverage": coverage,
    "unanswerable_escalated": unanswerable_escalated,
    "unanswerable_answered": unanswerable_answered,
    "best_coverage_at_precision_0.85": best_coverage,
}


@dataclass(frozen=True)
class SystemScores:
    system: str
    gate: str  # how it decides to answer, in words
    scores: dict[str, Interval]
    curve: list[dict[str, float]] = field(default_factory=list)

    def value(self, name: str) -> float:
        return self.scores[name].value if name in self.scores else math.nan


def summarise(system: str, gate: str, results: Sequence[QueryResult], rounds: int = 1000) -> SystemScores:
    has_gate = any(r.outcome is not None for r in results)
    statistics = {**RANKING, **(GATE if has_gate else {"best_coverage_at_precision_0.85": best_coverage})}
    scores = {name: bootstrap(results, fn, rounds) for name, fn in statistics.items()}
    curve = [
        {"threshold": c.threshold, "coverage": c.coverage, "precision": c.precision}
        for c in gate_curve(points(results))
    ]
    return SystemScores(system, gate, scores, curve)


@dataclass(frozen=True)
class Scores:
    """Point values only (no intervals): what the benchmarks tabulate."""

    system: str
    mrr10: float
    recall10: float
    ndcg10: float
    p1: float
    answered_precision: float
    answerable_coverage: float
    unanswerable_escalated: float
    unanswerable_answered: float
    auroc: float
    queries: int


def score(
    system: str,
    dataset: Dataset,
    retriever: Retriever,
    thresholds: Thresholds,
    tick: Callable[[], None] | None = None,
) -> Scores:
    rs = ask_all(dataset, retriever, thresholds, tick)
    return Scores(
        system=system,
        mrr10=mrr10(rs),
        recall10=recall10(rs),
        ndcg10=ndcg10(rs),
        p1=p1(rs),
        answered_precision=answered_precision(rs),
        answerable_coverage=coverage(rs),
        unanswerable_escalated=unanswerable_escalated(rs),
        unanswerable_answered=unanswerable_answered(rs),
        auroc=gate_auroc(rs),
        queries=len(rs),
    )
