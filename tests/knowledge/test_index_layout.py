"""What an index version holds so a cold start reads instead of rebuilding, and how it is searched."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peerbot.bots.config import parse_settings
from peerbot.errors import ConfigError
from peerbot.indexer.build import build_index, collect_entries
from peerbot.indexer.publish import publish
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.ann import FLAT, IVF_SQ8, IndexLayout
from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.calibrator import Calibrator
from peerbot.knowledge.disk_entries import DiskEntries
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.index_files import MANIFEST, VERSIONS, current_version, read_current
from peerbot.knowledge.retriever import HybridRetriever
from tests.factories import SMALL_COMMUNITY, write_jsonl

EMBEDDER = HashingEmbedder(256)
POLICY = TrustPolicy(superusers=frozenset({"u-mara"}))
QUESTIONS = ("how to factory reset a bulb that stopped responding", "adaptive sunrise beta firmware", "hub wifi")


def entry(i: int, title: str, **extra: object) -> KnowledgeEntry:
    return KnowledgeEntry(f"e{i}", title, "", f"answer {i}", "a", "a", f"t{i}", "s", **extra)  # type: ignore[arg-type]


def load(index: Path) -> KnowledgeBase:
    return KnowledgeBase.from_loaded(read_current(index, model=EMBEDDER.name, dimension=EMBEDDER.dimension))


def test_a_cold_start_reads_bm25_and_entries_from_the_version_and_ranks_as_before(tmp_path: Path) -> None:
    source = JsonlThreadSource(write_jsonl(tmp_path / "c.jsonl", SMALL_COMMUNITY), name="forum")
    build_index([source], POLICY, EMBEDDER, tmp_path / "index")
    version = tmp_path / "index" / VERSIONS / str(current_version(tmp_path / "index"))
    files = json.loads((version / MANIFEST).read_text())["files"]
    assert {"offsets.npy", "ids.npy", "private.json", "vectors.f16.npy", "vectors.faiss", "entries.jsonl"} <= set(files)
    assert "bm25.data.npy" in files and "bm25.vocab.json" in files  # saved at build, checksummed like the rest

    loaded = read_current(tmp_path / "index", model=EMBEDDER.name, dimension=EMBEDDER.dimension)
    assert isinstance(loaded.entries, DiskEntries) and loaded.bm25 is not None  # nothing parsed or tokenised
    cold = HybridRetriever(KnowledgeBase.from_loaded(loaded), EMBEDDER, Calibrator.load())
    entries = collect_entries([source], POLICY).entries  # what the old load rebuilt in memory
    rebuilt = KnowledgeBase(entries, flat_index(EMBEDDER.embed([e.question_text for e in entries])))
    warm = HybridRetriever(rebuilt, EMBEDDER, Calibrator.load())
    for question in QUESTIONS:
        a, b = cold.retrieve(question, Audience()), warm.retrieve(question, Audience())
        assert [m.entry.id for m in a] == [m.entry.id for m in b]
        assert [m.confidence for m in a] == pytest.approx([m.confidence for m in b], abs=0.01)


def test_ivf_with_8_bit_codes_from_the_configured_size_on(tmp_path: Path) -> None:
    vectors = EMBEDDER.embed([f"question number {i} about topic {i % 17}" for i in range(400)])
    items = [entry(i, f"question number {i} about topic {i % 17}") for i in range(400)]
    publish(tmp_path / "small", items, vectors, model=EMBEDDER.name, layout=IndexLayout(ivf_from=401))
    publish(tmp_path / "big", items, vectors, model=EMBEDDER.name, layout=IndexLayout(ivf_from=400, nprobe=5))
    assert load(tmp_path / "small").manifest["search"] == {"kind": FLAT}
    big = load(tmp_path / "big")
    assert big.manifest["search"]["kind"] == IVF_SQ8 and big.manifest["search"]["nprobe"] == 5
    ids, cosines = big.dense(vectors[7], 3, Audience())
    assert int(ids[0]) == 7 and cosines[0] == pytest.approx(1.0, abs=0.02)


def test_the_layout_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"index\.ivf_from"):
        parse_settings({"index": {"ivf_from": 0}}, Path("."))
    with pytest.raises(ConfigError, match=r"index\.nprobe"):
        parse_settings({"index": {"nprobe": "8"}}, Path("."))
    assert parse_settings({"index": {"ivf_from": 1000, "nprobe": 8}}, Path(".")).index.nprobe == 8


def test_a_public_question_finds_public_entries_however_many_private_ones_match_better(tmp_path: Path) -> None:
    """Searches skip what the audience may not see, instead of fetching a few times more and filtering."""
    private = [
        entry(i, "adaptive sunrise beta firmware schedule", visibility="private", channel="beta") for i in range(300)
    ]
    public = [entry(900 + i, f"sunrise schedule for bulbs {i}") for i in range(3)]
    items = private + public
    publish(tmp_path, items, EMBEDDER.embed([e.question_text for e in items]), model=EMBEDDER.name)
    retriever = HybridRetriever(load(tmp_path), EMBEDDER, Calibrator.load())
    found = retriever.retrieve("adaptive sunrise beta firmware schedule", Audience(public=True, channel="general"))
    assert {m.entry.id for m in found} == {e.id for e in public}
    in_beta = retriever.retrieve("adaptive sunrise beta firmware schedule", Audience(public=True, channel="beta"))
    assert in_beta and all(m.entry.channel == "beta" for m in in_beta)


def test_versions_written_before_these_files_still_load(tmp_path: Path) -> None:
    items = [entry(i, f"question {i}") for i in range(5)]
    version = publish(tmp_path, items, EMBEDDER.embed([e.title for e in items]), model=EMBEDDER.name)
    folder = tmp_path / VERSIONS / version
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"] = {k: v for k, v in manifest["files"].items() if k in ("vectors.faiss", "entries.jsonl")}
    for path in folder.iterdir():
        if path.name not in ("vectors.faiss", "entries.jsonl", MANIFEST):
            path.unlink()
    (folder / MANIFEST).write_text(json.dumps({k: v for k, v in manifest.items() if k not in ("search", "bm25")}))
    kb = load(tmp_path)
    assert [e.id for e in kb.entries] == [e.id for e in items] and kb.find("e3") == items[3]
    assert HybridRetriever(kb, EMBEDDER, Calibrator.load()).retrieve("question 3", Audience())[0].entry.id == "e3"
    grown = kb.with_added([replace(items[3], answer="new")], EMBEDDER.embed(["question 3"]))
    assert grown.find("e3") is not None and grown.find("e3").answer == "new"  # type: ignore[union-attr]


def test_an_empty_version_publishes_and_serves_nothing(tmp_path: Path) -> None:
    publish(tmp_path, [], np.zeros((0, EMBEDDER.dimension), dtype=np.float32), model=EMBEDDER.name)
    kb = load(tmp_path)
    assert len(kb) == 0 and HybridRetriever(kb, EMBEDDER, Calibrator.load()).retrieve("hub", Audience()) == []
