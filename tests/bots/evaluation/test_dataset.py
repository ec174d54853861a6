"""Warnings instead of silent zeros: missing queries, nothing indexed, no judgements."""

from pathlib import Path

import numpy as np

from peerbot.bots.evaluation.dataset import dataset_warnings, load_dataset
from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.entries import KnowledgeEntry
from tests.factories import write_beir

EMPTY = KnowledgeBase([], flat_index(np.zeros((0, 4), dtype=np.float32)))


def entry(thread: str) -> KnowledgeEntry:
    return KnowledgeEntry(
        id=thread, title=thread, body="", answer="a", author="", author_id="", thread_id=thread, source="s"
    )


def test_judged_queries_missing_from_queries_file_and_empty_index(tmp_path: Path) -> None:
    queries = [{"_id": "q1", "text": "a", "metadata": {"split": "dev"}}]
    write_beir(tmp_path, [], queries, {"dev": [("q1", "d1", 1), ("q9", "d1", 1)]})
    data = load_dataset(tmp_path, "dev")
    assert data.missing_queries == ("q9",)
    warnings = dataset_warnings(data, EMPTY)
    assert any("1 queries judged in qrels/dev.tsv are missing from queries.jsonl" in w for w in warnings)
    assert any("nothing was indexed" in w for w in warnings)


def test_no_judgements_and_unreachable_judged_threads(tmp_path: Path) -> None:
    queries = [{"_id": "q1", "text": "a", "metadata": {"split": "dev"}}]
    write_beir(tmp_path, [], queries, {"dev": []})
    kb = KnowledgeBase([entry("d1")], flat_index(np.ones((1, 4), dtype=np.float32) / 2))
    assert any("has a relevance judgement" in w for w in dataset_warnings(load_dataset(tmp_path, "dev"), kb))
    write_beir(tmp_path, [], queries, {"dev": [("q1", "d2", 1)]})
    assert any("no judged thread in the index" in w for w in dataset_warnings(load_dataset(tmp_path, "dev"), kb))
