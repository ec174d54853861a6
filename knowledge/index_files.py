"""The on-disk index format: immutable versions with checksummed manifests, a CURRENT pointer.

<index dir>/CURRENT                 name of the serving version
<index dir>/versions/<name>/        manifest.json and the files it lists with their sha256:
    vectors.faiss      the search structure (knowledge/ann.py: flat, or IVF + 8-bit codes from a size on)
    vectors.f16.npy    every vector in float16, memory-mapped: candidates' cosines, reuse by the next build
    entries.jsonl      one entry a line;  offsets.npy: where each line starts (entries read by offset)
    bm25.*             the BM25 index (bm25s), memory-mapped at load instead of re-tokenising every entry
    private.json       positions of the non-public entries by channel (searches skip what an audience may not see)
    ids.npy            (hash of id, position) sorted: an entry found by id without reading the others
Versions written before the last four existed still load (their entries parsed, BM25 rebuilt).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from peerbot.errors import IndexDamaged, IndexMissing, IndexModelMismatch, IndexProblem
from peerbot.knowledge.ann import FLAT, IVF_SQ8, IndexLayout, build_search_index, prepare
from peerbot.knowledge.disk_entries import DiskEntries, id_table, line_offsets
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.lexical import Bm25Index

log = logging.getLogger(__name__)

FORMAT = 1
CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
ENTRIES = "entries.jsonl"
STORED = "vectors.f16.npy"
OFFSETS = "offsets.npy"
PRIVATE = "private.json"
IDS = "ids.npy"
PrivateMap = dict[str | None, np.ndarray]  # channel -> positions of its non-public entries


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadedIndex:
    version: str
    manifest: dict[str, Any]
    vectors: Any  # a faiss.Index
    entries: Sequence[KnowledgeEntry]  # DiskEntries for versions with offsets.npy
    warning: str | None = None
    folder: Path | None = None
    bm25: Bm25Index | None = None  # None: an older version, rebuilt from the entries
    private: PrivateMap | None = None

    def stored_vectors(self) -> np.ndarray:
        """Every vector, float32, row i for entry i."""
        if self.folder is not None and (self.folder / STORED).exists():
            return np.asarray(np.load(self.folder / STORED, mmap_mode="r"), dtype=np.float32)
        if not self.vectors.ntotal:
            return np.zeros((0, self.vectors.d), dtype=np.float32)
        return np.asarray(self.vectors.reconstruct_n(0, self.vectors.ntotal), dtype=np.float32)


def private_map(entries: Sequence[KnowledgeEntry]) -> PrivateMap:
    grouped: dict[str | None, list[int]] = {}
    for i, entry in enumerate(entries):
        if entry.visibility != "public":
            grouped.setdefault(entry.channel, []).append(i)
    return {channel: np.asarray(p, dtype=np.int64) for channel, p in grouped.items()}


def write_version_files(
    folder: Path, entries: Sequence[KnowledgeEntry], vectors: np.ndarray, layout: IndexLayout
) -> dict[str, Any]:
    """Write every file of a version into folder (fsynced); return the manifest fields they make."""
    import faiss

    index, description = build_search_index(vectors, layout)
    faiss.write_index(index, str(folder / VECTORS))
    np.save(folder / STORED, np.asarray(vectors, dtype=np.float16))
    lines = [(json.dumps(e.to_dict(), ensure_ascii=False) + "\n").encode("utf-8") for e in entries]
    (folder / ENTRIES).write_bytes(b"".join(lines))
    np.save(folder / OFFSETS, line_offsets(lines))
    np.save(folder / IDS, id_table([e.id for e in entries]))
    bm25 = Bm25Index([e.question_text for e in entries])
    bm25.save(folder)
    private = [[channel, p.tolist()] for channel, p in private_map(entries).items()]
    (folder / PRIVATE).write_text(json.dumps(private), encoding="utf-8")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)  # flat: shipping copies files
    for path in files:
        with path.open("rb+") as handle:
            os.fsync(handle.fileno())
    return {
        "count": len(entries),
        "search": description,
        "bm25": {"avgdl": bm25.avgdl},
        "files": {p.name: sha256_file(p) for p in files},
    }


def pointed_version(index_dir: Path) -> str | None:
    """The name CURRENT holds; None when CURRENT is missing or empty."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return name or None


def current_version(index_dir: Path) -> str | None:
    """The serving version: the one CURRENT names, else (CURRENT lost by a crash) the newest version."""
    versions = list_versions(index_dir)
    return pointed_version(index_dir) or (versions[-1] if versions else None)


def list_versions(index_dir: Path) -> list[str]:
    """Published versions, oldest first (hidden staging and trash folders are not versions)."""
    root = index_dir / VERSIONS
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).exists()
    )


def read_version(index_dir: Path, version: str, *, model: str, dimension: int) -> LoadedIndex:
    """Load one version after checking its manifest, checksums and model; raise an IndexProblem if not."""
    import faiss

    folder = index_dir / VERSIONS / version

    def damaged(reason: str, file: Path | None = None) -> IndexDamaged:
        return IndexDamaged(version, reason, file=file, index_dir=index_dir)

    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise damaged(f"has no readable {MANIFEST} ({exc})", manifest_path) from exc
    if manifest.get("format") != FORMAT:
        raise damaged(f"has format {manifest.get('format')!r}, expected {FORMAT}", manifest_path)
    if manifest.get("model") != model or manifest.get("dimension") != dimension:
        raise IndexModelMismatch(
            version,
            built_model=manifest.get("model"),
            built_dimension=manifest.get("dimension"),
            model=model,
            dimension=dimension,
            index_dir=index_dir,
        )
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise damaged(f"is missing {name}", path)
        if sha256_file(path) != expected:
            raise damaged(f"is corrupt: {path} does not match its checksum", path)
    try:
        search = manifest.get("search", {"kind": FLAT})
        # an IVF index is memory-mapped: a question touches only the lists it probes
        flags = faiss.IO_FLAG_MMAP if search.get("kind") == IVF_SQ8 else 0
        vectors = prepare(faiss.read_index(str(folder / VECTORS), flags), search)
        entries: Sequence[KnowledgeEntry]
        bm25, private = None, None
        if (folder / OFFSETS).exists():
            entries = DiskEntries(folder / ENTRIES, np.load(folder / OFFSETS))
            bm25 = Bm25Index.load(folder, len(entries), float(manifest["bm25"]["avgdl"]))
            pairs = json.loads((folder / PRIVATE).read_text(encoding="utf-8"))
            private = {channel: np.asarray(p, dtype=np.int64) for channel, p in pairs}
        else:
            with (folder / ENTRIES).open(encoding="utf-8") as handle:
                entries = [KnowledgeEntry.from_dict(json.loads(line)) for line in handle if line.strip()]
    except Exception as exc:
        raise damaged(f"cannot be read ({exc})") from exc
    if vectors.ntotal != len(entries) or vectors.d != dimension:
        raise damaged(f"is inconsistent ({vectors.ntotal} vectors of dimension {vectors.d}, {len(entries)} entries)")
    return LoadedIndex(version, manifest, vectors, entries, None, folder, bm25, private)


def read_current(index_dir: Path, *, model: str, dimension: int) -> LoadedIndex:
    """Load the version CURRENT names; if it is damaged, the newest older version that is intact.

    Raises IndexMissing, IndexModelMismatch (another model: older versions would not fit either), or the
    IndexDamaged of the current version when no older one is intact."""
    version = current_version(index_dir)
    if version is None:
        raise IndexMissing(index_dir)
    try:
        loaded = read_version(index_dir, version, model=model, dimension=dimension)
        if pointed_version(index_dir) is None:
            note = f"{index_dir / CURRENT} is missing or empty; serving the newest version {version}"
            log.warning("CURRENT missing, serving the newest version", extra={"serving": version})
            return replace(loaded, warning=note)
        return loaded
    except IndexDamaged as damaged:
        for older in reversed(list_versions(index_dir)):
            if older >= version:
                continue
            try:
                loaded = read_version(index_dir, older, model=model, dimension=dimension)
            except IndexProblem:
                continue
            note = f"{damaged}; serving the previous version {older} meanwhile"
            log.warning("serving previous index version", extra={"damaged": version, "serving": older})
            return replace(loaded, warning=note)
        raise
