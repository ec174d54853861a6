"""Answer quality on a BEIR-style dataset: peerbot's retriever and gate next to single-signal baselines.

Everything learned (peerbot's calibrator, each baseline's Platt curve) is fit on the `train` split; the
scores are on `dev`. The corpus is indexed once, the way `peerbot eval` does (peerbot.bots.evaluation.index_corpus).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.baselines import Bm25Only, FuzzOnly, Recording, Scaled, fit_platt
from peerbot.bots.evaluation import (
    DENSE_THRESHOLDS,
    PUBLIC,
    Dataset,
    K,
    calibration_rows,
    index_corpus,
    load_dataset,
    score,
)
from peerbot.bots.policy import Thresholds
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.baselines import FusionRetriever
from peerbot.knowledge.calibrator import Calibrator, fit_calibrator
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.retriever import DenseRetriever, HybridRetriever, Retriever
from peerbot.knowledge.selfcal import self_calibrate

COVERAGE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TARGET_PRECISION = 0.85
PEERBOT = "peerbot (hybrid, calibrator fit on train)"
BASELINES = ("BM25 only (bm25s)", "dense only (ST fp32 + FAISS flat)", "rapidfuzz only")
SELF_CALIBRATED = "peerbot, self-calibrated gate (no labels)"
FUSION = "BM25 + dense fusion (0.4/0.6 min-max)"
RANKING_ONLY = Thresholds(answer=1.0, suggest=1.0)  # fusion scores are relative (min-max per query)
Log = Callable[[str], None]


def top_points(dataset: Dataset, recorded: Recording) -> list[tuple[float, bool, bool]]:
    """(top confidence, top thread right, answerable) per query of the split; no match = never answered."""
    points = []
    for qid, text in dataset.queries.items():
        matches = recorded.matches.get(text, [])
        grades = dataset.qrels.get(qid, {})
        right = bool(matches) and matches[0].entry.thread_id in grades
        points.append((matches[0].confidence if matches else -math.inf, right, bool(grades)))
    return points


def curve(points: list[tuple[float, bool, bool]]) -> list[dict[str, float]]:
    """Answer every query at or above each threshold: precision of answered vs share of answerable answered."""
    answerable = sum(1 for _, _, a in points if a) or 1
    out: list[dict[str, float]] = []
    right = covered = 0
    ordered = sorted((p for p in points if p[0] > -math.inf), key=lambda p: -p[0])
    for i, (confidence, is_right, is_answerable) in enumerate(ordered):
        answered = i + 1
        right += is_right
        covered += is_answerable
        if i + 1 == len(ordered) or ordered[i + 1][0] < confidence:
            out.append({"threshold": confidence, "coverage": covered / answerable, "precision": right / answered})
    return out


def precision_at(points: list[dict[str, float]], coverage: float) -> float | None:
    """Precision at the highest threshold whose coverage reaches `coverage` (None if it never does)."""
    return next((p["precision"] for p in points if p["coverage"] >= coverage - 1e-9), None)


def coverage_at(points: list[dict[str, float]], precision: float) -> float:
    """The largest coverage any threshold reaches while keeping answered precision at least `precision`."""
    return max((p["coverage"] for p in points if p["precision"] >= precision), default=0.0)


def platt(retriever: Retriever, train: Dataset) -> Scaled:
    recorded = Recording(retriever)
    for text in train.queries.values():
        recorded.retrieve(text, PUBLIC, K)
    points = top_points(train, recorded)
    seen = [(c, r) for c, r, _ in points if c > -math.inf]
    slope, intercept = fit_platt([c for c, _ in seen], [r for _, r in seen])
    return Scaled(retriever, slope, intercept)


def choose_fuzz(kb: KnowledgeBase, train: Dataset) -> FuzzOnly:
    """The rapidfuzz scorer and field with the best MRR@10 on train (so the baseline is rapidfuzz at its best)."""
    best: tuple[float, FuzzOnly] | None = None
    for field in FuzzOnly.FIELDS:
        for scorer in FuzzOnly.SCORERS:
            candidate = FuzzOnly(kb, scorer, field)
            mrr = score("fuzz", train, candidate, Thresholds()).mrr10
            if best is None or mrr > best[0]:
                best = (mrr, candidate)
    assert best is not None
    return best[1]


def _fit_calibrator(train: Dataset, embedder: Embedder, kb: KnowledgeBase) -> Calibrator:
    rows, labels = calibration_rows(train, embedder, kb)
    return fit_calibrator(rows, labels, trained_on=f"{train.name} {train.split} split ({len(train.queries)} queries)")


def _system(name: str, dataset: Dataset, retriever: Retriever, thresholds: Thresholds, gate: str) -> dict[str, Any]:
    recorded = Recording(retriever)
    started = time.perf_counter()
    scores = score(name, dataset, recorded, thresholds)
    points = curve(top_points(dataset, recorded))
    return {
        **{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(scores).items()},
        "gate": gate,
        "precision_at_coverage": {f"{c:.1f}": precision_at(points, c) for c in COVERAGE_LEVELS},
        "coverage_at_precision_0.85": coverage_at(points, TARGET_PRECISION),
        "curve": points,
        "seconds": round(time.perf_counter() - started, 2),
    }


def run_quality(
    data: Path,
    embedder: Embedder,
    thresholds: Thresholds,
    configured: Calibrator | None = None,
    log: Log = print,
) -> dict[str, Any]:
    train, dev = load_dataset(data, "train"), load_dataset(data, "dev")
    with tempfile.TemporaryDirectory(prefix="peerbot-bench-") as tmp:
        started = time.perf_counter()
        kb = index_corpus(dev, embedder, Path(tmp))
        index_seconds = time.perf_counter() - started
    log(f"quality: indexed {len(kb)} entries in {index_seconds:.1f} s; fitting on train")
    calibrator = _fit_calibrator(train, embedder, kb)
    answer_gate = f"confidence >= {thresholds.answer} (config.toml [answer])"
    chosen = choose_fuzz(kb, train)
    bm25, dense, fuzz = (platt(r, train) for r in (Bm25Only(kb), DenseRetriever(kb, embedder), chosen))
    systems: list[tuple[str, Retriever, Thresholds, str]] = [
        (PEERBOT, HybridRetriever(kb, embedder, calibrator), thresholds, answer_gate),
        (
            BASELINES[0],
            bm25,
            thresholds,
            f"Platt(bm25) >= {thresholds.answer}: bm25 >= {bm25.raw_for(thresholds.answer):.2f}",
        ),
        (
            BASELINES[1],
            dense,
            thresholds,
            f"Platt(cos) >= {thresholds.answer}: cosine >= {dense.raw_for(thresholds.answer):.3f}",
        ),
        (
            "dense only, cosine >= 0.75 (peerbot eval's gate)",
            DenseRetriever(kb, embedder),
            DENSE_THRESHOLDS,
            "cosine >= 0.75",
        ),
        (
            BASELINES[2],
            fuzz,
            thresholds,
            f"{chosen.scorer} on {chosen.field} (best on train); Platt >= {thresholds.answer}: "
            f"ratio >= {fuzz.raw_for(thresholds.answer):.3f}",
        ),
    ]
    try:
        fitted = self_calibrate(HybridRetriever(kb, embedder, calibrator))
    except ValueError as exc:
        log(f"quality: no self-calibrated gate ({exc})")
    else:
        own = Thresholds(fitted.threshold, min(thresholds.suggest, fitted.threshold), thresholds.max_suggestions)
        systems.insert(
            1,
            (
                SELF_CALIBRATED,
                HybridRetriever(kb, embedder, calibrator),
                own,
                f"confidence >= {fitted.threshold:.3f}, set without labels on {fitted.pseudo_questions} "
                f"leave-one-out pseudo-questions ({fitted.false_answer_rate:.0%} above)",
            ),
        )
    agree = "answers when BM25 and dense agree on the top thread (fused score 1.0)"
    systems.append((FUSION, FusionRetriever(kb, embedder), RANKING_ONLY, agree))
    if configured is not None:
        systems.insert(
            1,
            (
                f"peerbot (configured calibrator: {configured.trained_on})",
                HybridRetriever(kb, embedder, configured),
                thresholds,
                answer_gate,
            ),
        )
    results = []
    for name, retriever, gate_thresholds, gate in systems:
        results.append(_system(name, dev, retriever, gate_thresholds, gate))
        log(f"quality: {name}: MRR@10 {results[-1]['mrr10']:.3f}")
    return {
        "dataset": str(data),
        "split": dev.split,
        "sizes": {
            "entries": len(kb),
            "queries": len(dev.queries),
            "answerable": len(dev.answerable),
            "unanswerable": len(dev.unanswerable),
            "train_queries": len(train.queries),
        },
        "thresholds": asdict(thresholds),
        "calibrator": asdict(calibrator),
        "index_seconds": round(index_seconds, 2),
        "systems": results,
    }
