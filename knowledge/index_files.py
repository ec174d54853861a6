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

from peerbot.errors import IndexDamaged, IndexMissing, IndexModelMismatch, IndexProblem
from peerbot.knowledge.entries import KnowledgeEntry

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
        vectors = faiss.read_index(str(folder / VECTORS))
        with (folder / ENTRIES).open(encoding="utf-8") as handle:
            entries = [KnowledgeEntry.from_dict(json.loads(line)) for line in handle if line.strip()]
    except Exception as exc:
        raise damaged(f"cannot be read ({exc})") from exc
    if vectors.ntotal != len(entries) or vectors.d != dimension:
        raise damaged(f"is inconsistent ({vectors.ntotal} vectors of dimension {vectors.d}, {len(entries)} entries)")
    return LoadedIndex(version=version, manifest=manifest, vectors=vectors, entries=entries)


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
            return LoadedIndex(loaded.version, loaded.manifest, loaded.vectors, loaded.entries, note)
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
            return LoadedIndex(loaded.version, loaded.manifest, loaded.vectors, loaded.entries, note)
        raise
