"""SemEval's re-ranking protocol: candidates from corpus ids (and alias ids), official MAP, IR baseline."""

from pathlib import Path

import pytest

from peerbot.bots.evaluation.candidates import candidate_lists, score_candidates, search_engine_order
from peerbot.bots.evaluation.dataset import Dataset
from tests.factories import write_jsonl


def test_candidates_follow_ids_and_aliases_in_search_engine_order(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "corpus.jsonl",
        [
            {"_id": "Q1_R3", "title": "c", "text": ""},
            {"_id": "Q1_R1", "title": "a", "text": ""},
            {"_id": "Q2_R1", "title": "b", "text": "", "metadata": {"alias_ids": ["Q1_R2"]}},
            {"_id": "Q10_R1", "title": "not a candidate of Q1", "text": ""},
        ],
    )
    lists = candidate_lists(tmp_path / "corpus.jsonl", ["Q1", "Q3"])
    assert lists == {"Q1": ["Q1_R1", "Q2_R1", "Q1_R3"], "Q3": []}


def test_map_by_hand_leaves_out_queries_without_relevant_candidates() -> None:
    data = Dataset(
        name="toy",
        split="dev",
        queries={"Q1": "one", "Q2": "two", "Q3": "three"},
        qrels={"Q1": {"Q1_R2": 1}, "Q2": {"Q2_R1": 2, "Q2_R3": 1}},
        corpus=Path("unused"),
    )
    lists = {"Q1": ["Q1_R1", "Q1_R2"], "Q2": ["Q2_R1", "Q2_R2", "Q2_R3"], "Q3": ["Q3_R1"]}
    ir = score_candidates("ir", data, lists, search_engine_order, rounds=50)
    # Q1: relevant at 2 -> 1/2; Q2: at 1 and 3 -> (1 + 2/3) / 2; Q3 has no relevant candidate: left out
    assert ir.map.value == pytest.approx((0.5 + (1 + 2 / 3) / 2) / 2)
    assert ir.counted == 2 and ir.per_query["Q3"] is None
    flipped = score_candidates("reversed", data, lists, lambda _t, c: list(reversed(c)), rounds=50)
    assert flipped.per_query["Q1"] == 1.0
