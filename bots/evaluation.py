"""`peerbot eval` and `peerbot calibrate` on a BEIR-style dataset (corpus, queries, qrels/<split>.tsv).

Queries of the split with no qrels are the ones that should be escalated.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from peerbot.bots.conversation import Outcome
from peerbot.bots.policy import Thresholds, decide
from peerbot.errors import SourceError
from peerbot.indexer.build import Progress, build_index
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.calibrator import Calibrator, fit_calibrator
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.index_files import read_current
from peerbot.knowledge.retriever import DenseRetriever, HybridRetriever, Retriever

K = 10
PUBLIC = Audience()


@dataclass(frozen=True)
class Dataset:
    name: str
    split: str
    queries: dict[str, str]  # id -> text, this split only
    qrels: dict[str, dict[str, int]]  # query id -> {thread id: grade}
    corpus: Path

    @property
    def answerable(self) -> list[str]:
        return [q for q in self.queries if self.qrels.get(q)]

    @property
    def unanswerable(self) -> list[str]:
        return [q for q in self.queries if not self.qrels.get(q)]


def load_dataset(directory: Path, split: str) -> Dataset:
    directory = Path(directory)
    qrels_path = directory / "qrels" / f"{split}.tsv"
    for needed in (directory / "corpus.jsonl", directory / "queries.jsonl", qrels_path):
        if not needed.exists():
            raise SourceError(f"{directory} is not a BEIR-style dataset for split {split!r}: {needed} is missing")
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            grade = int(row["score"])
            if grade > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = grade
    queries: dict[str, str] = {}
    with (directory / "queries.jsonl").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{directory / 'queries.jsonl'}:line {number}: not valid JSON ({exc.msg})") from exc
            record_split = (record.get("metadata") or {}).get("split")
            if record_split == split or (record_split is None and record["_id"] in qrels):
                queries[record["_id"]] = record["text"]
    if not queries:
        raise SourceError(f"{directory / 'queries.jsonl'} has no queries of split {split!r}")
    return Dataset(directory.name, split, queries, qrels, directory / "corpus.jsonl")


def index_corpus(
    dataset: Dataset, embedder: Embedder, workdir: Path, progress: Progress | None = None
) -> KnowledgeBase:
    """Index the dataset's threads into a temporary versioned index, the same way `peerbot index` does."""
    build_index(
        [BeirThreadSource(dataset.corpus, name="eval")],
        TrustPolicy(),
        embedder,
        workdir,
        progress=progress,
    )
    return KnowledgeBase.from_loaded(read_current(workdir, model=embedder.name, dimension=embedder.dimension))


@dataclass(frozen=True)
class Scores:
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


def _ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum(grades.get(t, 0) / math.log2(i + 2) for i, t in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def score(
    system: str,
    dataset: Dataset,
    retriever: Retriever,
    thresholds: Thresholds,
    tick: Callable[[], None] | None = None,
) -> Scores:
    from sklearn.metrics import roc_auc_score

    mrr, recall, ndcg, p1 = [], [], [], []
    answered_right, answered, covered, escalated_unans, answered_unans = 0, 0, 0, 0, 0
    confidences, rights = [], []
    for qid, text in dataset.queries.items():
        matches: list[Match] = retriever.retrieve(text, PUBLIC, K)
        ranked = list(dict.fromkeys(m.entry.thread_id for m in matches))
        grades = dataset.qrels.get(qid, {})
        top_right = bool(ranked) and ranked[0] in grades
        if matches:
            confidences.append(matches[0].confidence)
            rights.append(top_right)
        outcome = decide(matches, thresholds).outcome
        if grades:
            hit = next((i for i, t in enumerate(ranked) if t in grades), None)
            mrr.append(1 / (hit + 1) if hit is not None else 0.0)
            recall.append(len(set(ranked[:K]) & set(grades)) / len(grades))
            ndcg.append(_ndcg(ranked, grades))
            p1.append(1.0 if top_right else 0.0)
            covered += outcome is Outcome.ANSWER
        else:
            escalated_unans += outcome is Outcome.ESCALATE
            answered_unans += outcome is Outcome.ANSWER
        if outcome is Outcome.ANSWER:
            answered += 1
            answered_right += top_right
        if tick:
            tick()
    n_ans, n_unans = len(dataset.answerable), len(dataset.unanswerable)
    auroc = float(roc_auc_score(rights, confidences)) if len(set(rights)) == 2 else float("nan")
    return Scores(
        system=system,
        mrr10=float(np.mean(mrr)) if mrr else 0.0,
        recall10=float(np.mean(recall)) if recall else 0.0,
        ndcg10=float(np.mean(ndcg)) if ndcg else 0.0,
        p1=float(np.mean(p1)) if p1 else 0.0,
        answered_precision=answered_right / answered if answered else float("nan"),
        answerable_coverage=covered / n_ans if n_ans else float("nan"),
        unanswerable_escalated=escalated_unans / n_unans if n_unans else float("nan"),
        unanswerable_answered=answered_unans / n_unans if n_unans else float("nan"),
        auroc=auroc,
        queries=len(dataset.queries),
    )


# The plain baseline's gate: the top cosine against fixed cut-offs.
DENSE_THRESHOLDS = Thresholds(answer=0.75, suggest=0.6)


def evaluate(
    dataset: Dataset,
    embedder: Embedder,
    calibrator: Calibrator,
    thresholds: Thresholds,
    progress: Progress | None = None,
    tick: Callable[[], None] | None = None,
) -> tuple[list[Scores], dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="peerbot-eval-") as tmp:
        kb = index_corpus(dataset, embedder, Path(tmp), progress)
    systems: list[tuple[str, Retriever, Thresholds]] = [
        (
            "peerbot (hybrid + calibrated gate)",
            HybridRetriever(kb, embedder, calibrator),
            thresholds,
        ),
        ("dense only (cosine)", DenseRetriever(kb, embedder), DENSE_THRESHOLDS),
    ]
    results = [score(name, dataset, retriever, t, tick) for name, retriever, t in systems]
    sizes = {
        "entries": len(kb),
        "queries": len(dataset.queries),
        "answerable": len(dataset.answerable),
        "unanswerable": len(dataset.unanswerable),
    }
    return results, sizes


def calibration_rows(dataset: Dataset, embedder: Embedder, kb: KnowledgeBase) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows of every candidate of every query, labelled 1 where the thread is relevant."""
    retriever = HybridRetriever(kb, embedder, calibrator=None)
    rows: list[np.ndarray] = []
    labels: list[int] = []
    for qid, text in dataset.queries.items():
        positions, features = retriever.candidate_features(text, PUBLIC)
        grades = dataset.qrels.get(qid, {})
        rows.append(features)
        labels.extend(1 if kb.entries[p].thread_id in grades else 0 for p in positions)
    return np.vstack(rows), np.asarray(labels)


def calibrate(dataset: Dataset, embedder: Embedder, progress: Progress | None = None) -> Calibrator:
    with tempfile.TemporaryDirectory(prefix="peerbot-calibrate-") as tmp:
        kb = index_corpus(dataset, embedder, Path(tmp), progress)
    rows, labels = calibration_rows(dataset, embedder, kb)
    return fit_calibrator(
        rows,
        labels,
        trained_on=f"{dataset.name} {dataset.split} split ({len(dataset.queries)} queries)",
    )


def scores_json(results: list[Scores], sizes: dict[str, int]) -> str:
    def clean(value: object) -> object:
        return None if isinstance(value, float) and math.isnan(value) else value

    return json.dumps(
        {"sizes": sizes, "systems": [{k: clean(v) for k, v in asdict(r).items()} for r in results]},
        indent=2,
    )
