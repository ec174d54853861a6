"""Ranking and gate metrics on plain lists: no retriever, no model, easy to check by hand."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K = 10


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """1 / rank of the first relevant item in the top k, 0 if none."""
    return next((1 / (i + 1) for i, t in enumerate(ranked[:k]) if t in relevant), 0.0)


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Graded nDCG@k with linear gains."""
    dcg = sum(grades.get(t, 0) / math.log2(i + 2) for i, t in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def semeval_average_precision(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float | None:
    """Average precision as the SemEval-2016 Task 3 scorer (ev.py) computes it.

    The mean of precision@i over the ranks i <= k that hold a relevant item (divided by the relevant items
    found in the top k, not by all relevant items). None when the ranked list holds no relevant item: the
    official scorer leaves such queries out of MAP.
    """
    precisions, found = [], 0
    for i, t in enumerate(ranked[:k]):
        if t in relevant:
            found += 1
            precisions.append(found / (i + 1))
    if not any(t in relevant for t in ranked):
        return None
    return sum(precisions) / len(precisions) if precisions else 0.0


def mean_average_precision(per_query: Sequence[float | None]) -> float:
    """MAP over the queries that count (None = left out, as the official scorer does)."""
    counted = [ap for ap in per_query if ap is not None]
    return sum(counted) / len(counted) if counted else math.nan


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Probability that a random right item scores above a random wrong one (ties count half); nan if one class."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return math.nan
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))


@dataclass(frozen=True)
class GatePoint:
    """One query at the gate: its top confidence, whether the top thread is right, whether it has an answer."""

    confidence: float  # -inf when nothing was retrieved (never answered)
    right: bool
    answerable: bool


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    coverage: float  # share of answerable queries answered (rightly or not)
    precision: float  # share of answered queries whose top thread is right


def gate_curve(points: Sequence[GatePoint]) -> list[CurvePoint]:
    """Answer every query at or above each distinct threshold, highest first."""
    answerable = sum(1 for p in points if p.answerable) or 1
    ordered = sorted((p for p in points if p.confidence > -math.inf), key=lambda p: -p.confidence)
    out: list[CurvePoint] = []
    right = covered = 0
    for i, p in enumerate(ordered):
        right += p.right
        covered += p.answerable
        if i + 1 == len(ordered) or ordered[i + 1].confidence < p.confidence:
            out.append(CurvePoint(p.confidence, covered / answerable, right / (i + 1)))
    return out


def coverage_at_precision(curve: Sequence[CurvePoint], precision: float) -> float:
    """The largest coverage any threshold reaches while answered precision stays >= precision (0 if none)."""
    return max((c.coverage for c in curve if c.precision >= precision - 1e-12), default=0.0)


def precision_at_coverage(curve: Sequence[CurvePoint], coverage: float) -> float | None:
    """Precision at the highest threshold whose coverage reaches `coverage` (None if none does)."""
    return next((c.precision for c in curve if c.coverage >= coverage - 1e-9), None)


def threshold_for_precision(curve: Sequence[CurvePoint], precision: float) -> float | None:
    """The lowest threshold whose answered precision is still >= precision (None if no threshold is)."""
    ok = [c for c in curve if c.precision >= precision - 1e-12]
    return min(c.threshold for c in ok) if ok else None
