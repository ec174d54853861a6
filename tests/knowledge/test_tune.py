"""`peerbot tune`: the embedder adapted to a community's own threads, used by the next index build when configured."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from peerbot.errors import PeerbotError
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.tune import MAX_CHARS, training_pairs, tune
from tests.conftest import REPO


def entry(thread: str, title: str, body: str, answer: str) -> KnowledgeEntry:
    return KnowledgeEntry(thread, title, body, answer, "Sam", "u-sam", thread, "forum")


def test_pairs_are_titles_with_their_body_and_answer_once_per_thread() -> None:
    pairs = training_pairs(
        [
            entry("t1", "Hub drops wifi", "Every night at 2am", "Move it off channel 13"),
            entry("t1", "Hub drops wifi", "Every night at 2am", "Another trusted reply"),  # same thread
            entry("t2", "", "No title here", "An answer"),  # nothing to pair a title with
            entry("t3", "Reset a bulb", "", "x" * 5000),
        ]
    )
    assert pairs == [
        ("Hub drops wifi", "Every night at 2am"),
        ("Hub drops wifi", "Move it off channel 13"),
        ("Reset a bulb", "x" * MAX_CHARS),
    ]


def test_too_few_pairs_are_refused_with_the_count(tmp_path: Path) -> None:
    with pytest.raises(PeerbotError, match=r"at least 32 title/text pairs \(.*\), the index gives 3"):
        tune("unused", [("a", "b")] * 3, tmp_path / "model")


@pytest.mark.slow
def test_tune_then_index_with_the_tuned_model(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text((REPO / "config.toml").read_text())  # the demo community, real model
    tuned = peerbot("tune", "--out", "model", "--minutes", "0.05")  # one step is enough to change the model
    assert tuned.returncode == 0, tuned.stderr
    assert "title/text pairs" in tuned.stderr and 'model = "' in tuned.stdout
    assert (tmp_path / "model" / "config_sentence_transformers.json").exists()
    config = (tmp_path / "config.toml").read_text()
    (tmp_path / "config.toml").write_text(config.replace('"all-MiniLM-L6-v2"', f'"{tmp_path / "model"}"', 1))
    assert peerbot("index").returncode == 0
    answer = json.loads(peerbot("ask", "--json", "how do I factory reset a bulb").stdout)
    assert answer["matches"] and np.isfinite(answer["matches"][0]["confidence"])
    manifest = max((tmp_path / ".peerbot" / "index" / "versions").iterdir()) / "manifest.json"  # the newest
    assert str(tmp_path / "model") in manifest.read_text()
