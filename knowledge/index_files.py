"""The on-disk index format: immutable versions with checksummed manifests, a CURRENT pointer.

<index dir>/CURRENT                 name of the serving version
<index dir>/versions/<name>/        manifest.json, vectors.faiss, entries.jsonl
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.errors import IndexError_

log = logging.getLogger(__name__)

FORMAT = 1
CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
ENTRIES = "entries.jsonl"


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
    entries: list[KnowledgeEntry]
    warning: str | None = None


def current_version(index_dir: Path) -> str | None:
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return name or None


def list_versions(index_dir: Path) -> list[str]:
    root = index_dir / VERSIONS
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / MANIFEST).exists())


def read_version(index_dir: Path, version: str, *, model: str, dimension: int) -> LoadedIndex:
    """Load one version after checking its manifest, checksums and model; raise IndexError_ if not."""
    import faiss

    folder = index_dir / VERSIONS / version
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexError_(
            f"index version {version} has no readable {MANIFEST} ({exc}): rebuild with `peerbot index`"
        ) from exc
    if manifest.get("format") != FORMAT:
        raise IndexError_(
            f"index version {version} has format {manifest.get('format')!r}, expected {FORMAT}: "
            "rebuild with `peerbot index`"
        )
    if manifest.get("model") != model or manifest.get("dimension") != dimension:
        raise IndexError_(
            f"index version {version} was built with model {manifest.get('model')!r} "
            f"(dimension {manifest.get('dimension')}), but [index].model is {model!r} (dimension {dimension}): "
            "rebuild with `peerbot index` or set [index].model back"
        )
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise IndexError_(f"index version {version} is missing {name}: rebuild with `peerbot index`")
        if sha256_file(path) != expected:
            raise IndexError_(
                f"index version {version} is corrupt: {path} does not match its checksum; rebuild with `peerbot index`"
            )
    try:
        vectors = faiss.read_index(str(folder / VECTORS))
        with (folder / ENTRIES).open(encoding="utf-8") as handle:
            entries = [KnowledgeEntry.from_dict(json.loads(line)) for line in handle if line.strip()]
    except Exception as exc:
        raise IndexError_(f"index version {version} cannot be read ({exc}): rebuild with `peerbot index`") from exc
    if vectors.ntotal != len(entries) or vectors.d != dimension:
        raise IndexError_(
            f"index version {version} is inconsistent ({vectors.ntotal} vectors of dimension {vectors.d}, "
            f"{len(entries)} entries): rebuild with `peerbot index`"
        )
    return LoadedIndex(version=version, manifest=manifest, vectors=vectors, entries=entries)


def read_current(index_dir: Path, *, model: str, dimension: int) -> LoadedIndex:
    """Load the version CURRENT names; if it is damaged, the newest older version that is intact."""
    version = current_version(index_dir)
    if version is None:
        raise IndexError_(f"no index in {index_dir}: build one with `peerbot index`")
    try:
        return read_version(index_dir, version, model=model, dimension=dimension)
    except IndexError_ as damaged:
        if "was built with model" in str(damaged):
            raise
        for older in reversed(list_versions(index_dir)):
            if older >= version:
                continue
            try:
                loaded = read_version(index_dir, older, model=model, dimension=dimension)
            except IndexError_:
                continue
            note = f"{damaged}; serving the previous version {older} meanwhile"
            log.warning("serving previous index version", extra={"damaged": version, "serving": older})
            return LoadedIndex(loaded.version, loaded.manifest, loaded.vectors, loaded.entries, note)
        raise
