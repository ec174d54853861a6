"""Label-free gate calibration on a community's own content (leave-one-out pseudo-questions).

Each sampled thread's question is asked with that thread left out of the index, so the right answer is
absent: the top confidence then shows how sure the retriever gets about a wrong thread on this community.
The answer threshold is the confidence that only `false_answer_rate` of those pseudo-questions reach.
No labels are used; it needs nothing but the index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from peerbot.knowledge.entries import Audience
from peerbot.knowledge.retriever import TRUST_WEIGHT, HybridRetriever

FALSE_ANSWER_RATE = 0.05  # share of pseudo-questions (answer left out) allowed above the threshold
SAMPLE = 200


@dataclass(frozen=True)
class SelfCalibration:
    threshold: float  # answer at calibrated confidence >= this
    false_answer_rate: float
    pseudo_questions: int
    index_version: str
    null_median: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def leave_one_out_confidences(retriever: HybridRetriever, sample: int = SAMPLE, seed: int = 0) -> np.ndarray:
    """Top confidence of each sampled thread's question, asked with its own thread left out."""
    kb = retriever.kb
    if retriever.calibrator is None:
        raise ValueError("self-calibration needs the retriever's calibrator")
    by_thread: dict[str, list[int]] = {}
    for position, entry in enumerate(kb.entries):
        by_thread.setdefault(entry.thread_id, []).append(position)
    rng = np.random.default_rng(seed)
    chosen: list[int] = rng.choice(len(kb), size=min(sample, len(kb)), replace=False).tolist() if len(kb) else []
    tops = []
    for position in chosen:
        entry = kb.entries[int(position)]
        left_out = frozenset(by_thread[entry.thread_id])
        positions, rows = retriever.candidate_features(entry.question_text, Audience(staff=True), exclude=left_out)
        if not positions:
            tops.append(0.0)
            continue
        probs = retriever.calibrator.probabilities(rows)
        trust = np.array([kb.entries[p].trust for p in positions])
        tops.append(float(probs[int(np.argmax(probs * (1 - TRUST_WEIGHT + TRUST_WEIGHT * trust)))]))
    return np.asarray(tops, dtype=np.float64)


def self_calibrate(
    retriever: HybridRetriever,
    false_answer_rate: float = FALSE_ANSWER_RATE,
    sample: int = SAMPLE,
    seed: int = 0,
) -> SelfCalibration:
    if not 0 < false_answer_rate < 1:
        raise ValueError(f"false_answer_rate must be between 0 and 1, got {false_answer_rate}")
    tops = leave_one_out_confidences(retriever, sample, seed)
    if len(tops) < 20:
        raise ValueError(f"self-calibration needs at least 20 indexed threads, got {len(tops)}")
    return SelfCalibration(
        threshold=float(np.quantile(tops, 1 - false_answer_rate)),
        false_answer_rate=false_answer_rate,
        pseudo_questions=len(tops),
        index_version=retriever.kb.version,
        null_median=float(np.median(tops)),
    )
