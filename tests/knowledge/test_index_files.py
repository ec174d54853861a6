"""The on-disk index: checksums, model checks, fallback to the previous version."""

import json
from pathlib import Path

import numpy as np
import pytest

from peerbot.errors import IndexDamaged, IndexMissing, IndexModelMismatch
from peerbot.indexer.publish import publish
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.index_files import VERSIONS, current_version, list_versions, read_current


def entries(n: int, prefix: str = "e") -> list[KnowledgeEntry]:
    return [
        KnowledgeEntry(
            id=f"{prefix}{i}",
            title=f"question {i}",
            body="",
            answer=f"answer {i}",
            author="a",
            author_id="a",
            thread_id=f"t{i}",
            source="s",
        )
        for i in range(n)
    ]


def publish_some(index_dir: Path, n: int, prefix: str = "e", keep: int = 3) -> str:
    embedder = HashingEmbedder(32)
    items = entries(n, prefix)
    return publish(index_dir, items, embedder.embed([e.title for e in items]), model=embedder.name, keep=keep)


def test_publish_then_read(tmp_path: Path) -> None:
    version = publish_some(tmp_path, 5)
    loaded = read_current(tmp_path, model="hashing-32", dimension=32)
    assert loaded.version == version == current_version(tmp_path)
    assert [e.id for e in loaded.entries] == [f"e{i}" for i in range(5)]
    assert loaded.vectors.ntotal == 5
    manifest = json.loads((tmp_path / VERSIONS / version / "manifest.json").read_text())
    assert manifest["model"] == "hashing-32" and manifest["dimension"] == 32 and manifest["count"] == 5


def test_no_index_tells_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="peerbot index") as raised:
        read_current(tmp_path, model="hashing-32", dimension=32)
    assert raised.value.index_dir == tmp_path and raised.value.version is None


def test_other_model_is_refused(tmp_path: Path) -> None:
    publish_some(tmp_path, 3)
    with pytest.raises(
        IndexModelMismatch, match=r"built with model 'hashing-32' \(dimension 32\).*all-MiniLM"
    ) as raised:
        read_current(tmp_path, model="all-MiniLM-L6-v2", dimension=384)
    mismatch = raised.value
    assert (mismatch.built_model, mismatch.built_dimension) == ("hashing-32", 32)
    assert (mismatch.model, mismatch.dimension) == ("all-MiniLM-L6-v2", 384)


def test_other_model_does_not_fall_back_to_an_older_version(tmp_path: Path) -> None:
    """A version built with another model is not damage: an older version of that model is not served instead."""
    first = publish_some(tmp_path, 3, "old")
    embedder = HashingEmbedder(16)
    items = entries(2, "new")
    second = publish(tmp_path, items, embedder.embed([e.title for e in items]), model=embedder.name)
    with pytest.raises(IndexModelMismatch) as raised:
        read_current(tmp_path, model="hashing-32", dimension=32)
    assert raised.value.version == second != first and raised.value.built_model == "hashing-16"


@pytest.mark.parametrize("damage", ["vectors.faiss", "entries.jsonl", "manifest.json"])
def test_corrupt_current_falls_back_to_previous_version_with_a_warning(tmp_path: Path, damage: str) -> None:
    first = publish_some(tmp_path, 3, "old")
    second = publish_some(tmp_path, 4, "new")
    target = tmp_path / VERSIONS / second / damage
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2] + b"garbage")
    loaded = read_current(tmp_path, model="hashing-32", dimension=32)
    assert loaded.version == first
    assert [e.id for e in loaded.entries] == ["old0", "old1", "old2"]
    assert loaded.warning and second in loaded.warning and "previous version" in loaded.warning


def test_corrupt_only_version_is_a_clear_error(tmp_path: Path) -> None:
    version = publish_some(tmp_path, 3)
    (tmp_path / VERSIONS / version / "vectors.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexDamaged, match=r"corrupt.*vectors\.faiss.*peerbot index") as raised:
        read_current(tmp_path, model="hashing-32", dimension=32)
    damaged = raised.value
    assert damaged.version == version and damaged.index_dir == tmp_path
    assert damaged.file == tmp_path / VERSIONS / version / "vectors.faiss"


def test_old_versions_are_pruned_but_current_kept(tmp_path: Path) -> None:
    for _ in range(5):
        last = publish_some(tmp_path, 2, keep=2)
    assert len(list_versions(tmp_path)) == 2
    assert current_version(tmp_path) == last


def test_failed_publish_leaves_current_alone(tmp_path: Path) -> None:
    first = publish_some(tmp_path, 3)
    with pytest.raises(ValueError):
        publish(tmp_path, entries(3), np.zeros((2, 32), dtype=np.float32), model="hashing-32")
    assert current_version(tmp_path) == first
    assert not list((tmp_path / VERSIONS).glob(".tmp-*"))
