"""Metric arithmetic on a scripted retriever, and dataset loading."""

import math
from pathlib import Path

import pytest

from peerbot.bots.evaluation import Dataset, load_dataset, score
from peerbot.bots.policy import Thresholds
from peerbot.errors import SourceError
from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.entries import Audience, KnowledgeEntry, Match
from tests.factories import write_beir


class Scripted:
    """A Retriever whose rankings are given: (thread ids, top confidence) per query text."""

    kb = KnowledgeBase([], flat_index(__import__("numpy").zeros((0, 4), dtype="float32")))

    def __init__(self, script: dict[str, tuple[list[str], float]]) -> None:
        self.script = script

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        ids, confidence = self.script[text]
        return [
            Match(
                KnowledgeEntry(id=t, title=t, body="", answer="", author="", author_id="", thread_id=t, source="s"),
                confidence=confidence if i == 0 else 0.0,
                score=1.0 - i / 10,
            )
            for i, t in enumerate(ids[:top_k])
        ]


def test_metrics_by_hand() -> None:
    data = Dataset(
        name="toy",
        split="dev",
        queries={"q1": "one", "q2": "two", "q3": "three", "q4": "four"},
        qrels={"q1": {"a": 2}, "q2": {"b": 1, "c": 1}, "q3": {"z": 1}},
        corpus=Path("unused"),
    )
    retriever = Scripted(
        {
            "one": (["a", "x"], 0.9),  # right at rank 1, answered
            "two": (["x", "c", "b"], 0.8),  # first right at rank 2, answered wrongly
            "three": (["x", "y"], 0.1),  # missed, escalated
            "four": (["x"], 0.95),  # unanswerable, answered (bad)
        }
    )
    s = score("toy", data, retriever, Thresholds(answer=0.6, suggest=0.3))  # type: ignore[arg-type]
    assert s.mrr10 == pytest.approx((1 + 0.5 + 0) / 3)
    assert s.recall10 == pytest.approx((1 + 1 + 0) / 3)
    assert s.p1 == pytest.approx(1 / 3)
    ndcg_q2 = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert s.ndcg10 == pytest.approx((1 + ndcg_q2 + 0) / 3)
    assert s.answered_precision == pytest.approx(1 / 3)  # q1 right; q2, q4 wrong
    assert s.answerable_coverage == pytest.approx(2 / 3)
    assert s.unanswerable_escalated == 0.0 and s.unanswerable_answered == 1.0
    assert s.auroc == pytest.approx(2 / 3)  # right top: 0.9; wrong tops: 0.8, 0.1, 0.95


def test_load_dataset_splits_and_unanswerable(tmp_path: Path) -> None:
    queries = [
        {"_id": "q1", "text": "a", "metadata": {"split": "dev"}},
        {"_id": "q2", "text": "b", "metadata": {"split": "dev"}},
        {"_id": "q3", "text": "c", "metadata": {"split": "train"}},
    ]
    write_beir(tmp_path, [{"_id": "d1", "title": "t", "text": "", "metadata": {}}], queries, {"dev": [("q1", "d1", 2)]})
    data = load_dataset(tmp_path, "dev")
    assert list(data.queries) == ["q1", "q2"]
    assert data.answerable == ["q1"] and data.unanswerable == ["q2"]


def test_load_dataset_missing_parts(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"qrels/dev\.tsv is missing"):
        write_beir(tmp_path, [], [], {})
        load_dataset(tmp_path, "dev")
