"""`peerbot calibrate`: fit the answer-confidence calibrator on a labelled split."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from peerbot.bots.evaluation.dataset import Dataset, index_corpus
from peerbot.bots.evaluation.scoring import PUBLIC
from peerbot.indexer.build import Progress
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.calibrator import Calibrator, fit_calibrator
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.retriever import HybridRetriever


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
