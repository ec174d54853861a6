"""`peerbot eval`: peerbot's gate next to same-index baselines, with intervals, warnings and per-query records."""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerbot.bots.evaluation.bootstrap import Interval, paired_difference
from peerbot.bots.evaluation.candidates import (
    CandidateScores,
    candidate_lists,
    paired_map_difference,
    score_candidates,
    search_engine_order,
)
from peerbot.bots.evaluation.dataset import Dataset, dataset_warnings, index_corpus
from peerbot.bots.evaluation.metrics import reciprocal_rank
from peerbot.bots.evaluation.scoring import PUBLIC, QueryResult, SystemScores, ask_all, summarise
from peerbot.bots.policy import Thresholds
from peerbot.indexer.build import Progress
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.baselines import Bm25Retriever, FusionRetriever
from peerbot.knowledge.calibrator import Calibrator
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.retriever import DenseRetriever, HybridRetriever, Retriever
from peerbot.knowledge.selfcal import self_calibrate

# The plain baseline's gate: the top cosine against fixed cut-offs.
DENSE_THRESHOLDS = Thresholds(answer=0.75, suggest=0.6)
PEERBOT = "peerbot (hybrid + calibrated gate)"
SELF = "peerbot, self-calibrated gate"
FUSION = "BM25 + dense fusion (0.4/0.6 min-max)"


@dataclass
class EvalReport:
    dataset: str
    split: str
    protocol: str
    sizes: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    systems: list[SystemScores] = field(default_factory=list)
    differences: dict[str, Interval] = field(default_factory=dict)  # paired, e.g. "MRR@10 peerbot - fusion"
    per_query: dict[str, list[QueryResult]] = field(default_factory=dict)
    candidates: list[CandidateScores] = field(default_factory=list)
    self_calibration: dict[str, Any] | None = None

    def to_json(self) -> str:
        def number(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 4)

        def interval(i: Interval) -> dict[str, float | None]:
            return {"value": number(i.value), "low": number(i.low), "high": number(i.high)}

        data: dict[str, Any] = {
            "dataset": self.dataset,
            "split": self.split,
            "protocol": self.protocol,
            "sizes": self.sizes,
            "warnings": self.warnings,
            "systems": [
                {
                    "system": s.system,
                    "gate": s.gate,
                    **{name: number(i.value) for name, i in s.scores.items()},
                    "intervals": {name: interval(i) for name, i in s.scores.items()},
                    "curve": s.curve,
                }
                for s in self.systems
            ],
            "differences": {name: interval(i) for name, i in self.differences.items()},
        }
        if self.self_calibration:
            data["self_calibration"] = self.self_calibration
        if self.candidates:
            data["candidates"] = [
                {"system": c.system, "map": interval(c.map), "queries_counted": c.counted} for c in self.candidates
            ]
        return json.dumps(data, indent=2)

    def write_per_query(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            for system, results in self.per_query.items():
                for r in results:
                    handle.write(json.dumps(r.to_json(system)) + "\n")


def _mrr_difference(first: list[QueryResult], second: list[QueryResult]) -> Interval:
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a.answerable]
    return paired_difference(
        [reciprocal_rank(a.ranked, a.grades) for a, _ in pairs],
        [reciprocal_rank(b.ranked, b.grades) for _, b in pairs],
    )


def evaluate(
    dataset: Dataset,
    embedder: Embedder,
    calibrator: Calibrator,
    thresholds: Thresholds,
    *,
    gate: str = "",
    kb: KnowledgeBase | None = None,
    progress: Progress | None = None,
    tick: Callable[[], None] | None = None,
    rounds: int = 1000,
    self_calibration: bool = False,
) -> EvalReport:
    """Open-corpus protocol: every query searches every indexed thread.

    self_calibration: also score the gate whose threshold is set on the corpus itself, without labels.
    """
    if kb is None:
        with tempfile.TemporaryDirectory(prefix="peerbot-eval-") as tmp:
            kb = index_corpus(dataset, embedder, Path(tmp), progress)
    report = EvalReport(dataset.name, dataset.split, "open", _sizes(dataset, kb), dataset_warnings(dataset, kb))
    systems: list[tuple[str, str, Retriever, Thresholds | None]] = [
        (PEERBOT, gate or f"confidence >= {thresholds.answer}", HybridRetriever(kb, embedder, calibrator), thresholds),
        ("dense only (cosine)", "cosine >= 0.75", DenseRetriever(kb, embedder), DENSE_THRESHOLDS),
        ("BM25 only", "ranking only", Bm25Retriever(kb), None),
        (FUSION, "ranking only", FusionRetriever(kb, embedder), None),
    ]
    if self_calibration:
        fitted = self_calibrate(HybridRetriever(kb, embedder, calibrator))
        report.self_calibration = fitted.to_dict()
        self_thresholds = dataclasses.replace(
            thresholds, answer=fitted.threshold, suggest=min(thresholds.suggest, fitted.threshold)
        )
        words = (
            f"confidence >= {fitted.threshold:.3f}: {fitted.false_answer_rate:.0%} of {fitted.pseudo_questions} "
            "leave-one-out pseudo-questions (no labels)"
        )
        systems.insert(1, (SELF, words, HybridRetriever(kb, embedder, calibrator), self_thresholds))
    for name, words, retriever, system_thresholds in systems:
        results = ask_all(dataset, retriever, system_thresholds, tick)
        report.per_query[name] = results
        report.systems.append(summarise(name, words, results, rounds))
    ours = report.per_query[PEERBOT]
    for name in ("dense only (cosine)", "BM25 only", FUSION):
        report.differences[f"MRR@10 peerbot - {name}"] = _mrr_difference(ours, report.per_query[name])
    return report


def evaluate_candidates(
    dataset: Dataset,
    embedder: Embedder,
    calibrator: Calibrator,
    *,
    kb: KnowledgeBase | None = None,
    progress: Progress | None = None,
    rounds: int = 1000,
) -> EvalReport:
    """SemEval-2016 subtask B protocol: each query re-ranks its given candidates; official MAP."""
    if kb is None:
        with tempfile.TemporaryDirectory(prefix="peerbot-eval-") as tmp:
            kb = index_corpus(dataset, embedder, Path(tmp), progress)
    lists = candidate_lists(dataset.corpus, list(dataset.queries))
    report = EvalReport(dataset.name, dataset.split, "candidates", _sizes(dataset, kb), dataset_warnings(dataset, kb))
    without = [q for q, c in lists.items() if not c]
    if len(without) == len(lists):
        report.warnings.append("no query has candidates (corpus ids QUERY_Rn): the candidates protocol does not apply")
    elif without:
        report.warnings.append(f"{len(without)} queries have no candidates in the corpus and are left out")
    hybrid = HybridRetriever(kb, embedder, calibrator)
    report.sizes["candidates"] = sum(len(c) for c in lists.values())
    indexed = {e.thread_id for e in kb.entries}
    report.sizes["candidates_indexed"] = sum(1 for c in lists.values() for t in c if t in indexed)

    def peerbot_order(text: str, candidates: list[str]) -> list[str]:
        return hybrid.rerank(text, candidates, PUBLIC)

    def dense_order(text: str, candidates: list[str]) -> list[str]:
        return hybrid.rerank(text, candidates, PUBLIC, by="cosine")

    ours = score_candidates(PEERBOT, dataset, lists, peerbot_order, rounds)
    report.candidates = [
        ours,
        score_candidates("dense only (cosine)", dataset, lists, dense_order, rounds),
        score_candidates("IR baseline (search engine order)", dataset, lists, search_engine_order, rounds),
    ]
    for other in report.candidates[1:]:
        report.differences[f"MAP peerbot - {other.system}"] = paired_map_difference(ours, other)
    return report


def _sizes(dataset: Dataset, kb: KnowledgeBase) -> dict[str, int]:
    return {
        "entries": len(kb),
        "queries": len(dataset.queries),
        "answerable": len(dataset.answerable),
        "unanswerable": len(dataset.unanswerable),
    }
