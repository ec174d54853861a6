"""Publish an index version atomically: write aside, verify, then switch CURRENT with os.replace."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from peerbot.errors import IndexBusy
from peerbot.faults import fault_point
from peerbot.knowledge.ann import IVF_SQ8, IndexLayout
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.index_files import (
    CURRENT,
    FORMAT,
    MANIFEST,
    VERSIONS,
    current_version,
    list_versions,
    read_version,
    write_version_files,
)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One builder at a time per index directory."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(index_dir) from exc
        yield


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _next_version(index_dir: Path) -> str:
    numbers = [int(v.split("-", 1)[0]) for v in list_versions(index_dir) if v.split("-", 1)[0].isdigit()]
    return f"{max(numbers, default=0) + 1:06d}-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}"


def publish(
    index_dir: Path,
    entries: Sequence[KnowledgeEntry],
    vectors: np.ndarray,
    *,
    model: str,
    extra: dict[str, Any] | None = None,
    keep: int = 3,
    layout: IndexLayout | None = None,
) -> str:
    """Write a new immutable version, check it reads back, point CURRENT at it; return its name."""
    if len(entries) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(entries)} entries")
    root = index_dir / VERSIONS
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers(index_dir)
    staging = root / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        written = write_version_files(staging, entries, vectors, layout or IndexLayout())
        manifest = {
            "format": FORMAT,
            "model": model,
            "dimension": int(vectors.shape[1]),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **written,
            **(extra or {}),
        }
        _write_file(staging / MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))
        version = _next_version(index_dir)
        fault_point("publish:staged")
        os.replace(staging, root / version)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fault_point("publish:renamed")
    read_version(index_dir, version, model=model, dimension=int(vectors.shape[1]))
    point_current(index_dir, version)
    prune(index_dir, keep)
    return version


def point_current(index_dir: Path, version: str) -> None:
    pointer = index_dir / f".{CURRENT}.{uuid.uuid4().hex}"
    _write_file(pointer, (version + "\n").encode("utf-8"))
    fault_point("publish:pointer")
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)


def prune(index_dir: Path, keep: int) -> None:
    """Keep the newest `keep` versions and never the one CURRENT names.

    A version is first renamed to a hidden trash name (atomic), so a prune killed halfway leaves no
    half-deleted folder that looks like a version; the next run removes the trash.
    """
    serving = current_version(index_dir)
    versions = list_versions(index_dir)
    root = index_dir / VERSIONS
    for old in versions[: max(0, len(versions) - max(keep, 1))]:
        if old != serving:
            trash = root / f".trash-{old}-{uuid.uuid4().hex[:8]}"
            os.replace(root / old, trash)
            _fsync_dir(root)
            _delete_tree(trash)


def _delete_tree(folder: Path) -> None:
    for i, path in enumerate(sorted(folder.rglob("*"), reverse=True)):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()
        if i == 0:
            fault_point("prune:partial")
    folder.rmdir()


def _intact(folder: Path) -> bool:
    """A manifest that reads and every file it lists present (checksums are checked when a version loads)."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return False
    return bool(files) and all((folder / name).is_file() for name in files)


def remove_leftovers(index_dir: Path) -> None:
    """What builds killed mid-way leave: temp CURRENT pointers, staging and trash folders, half-deleted
    versions. Called under the build lock; the version CURRENT names is never touched."""
    for pointer in index_dir.glob(f".{CURRENT}.*"):
        pointer.unlink(missing_ok=True)
    root = index_dir / VERSIONS
    if not root.is_dir():
        return
    serving = current_version(index_dir)
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name == serving:
            continue
        if folder.name.startswith(".") or not _intact(folder):
            shutil.rmtree(folder, ignore_errors=True)


def scrub(index_dir: Path, drop: Callable[[KnowledgeEntry], bool]) -> dict[str, int]:
    """Rewrite every kept version without the entries `drop` selects (their vectors too), each with a valid
    manifest; oldest first, so a reader falling back from a version being rewritten finds one already clean.
    Returns how many entries each rewritten version lost. Callers hold `build_lock`."""
    removed: dict[str, int] = {}
    for version in list_versions(index_dir):
        folder = index_dir / VERSIONS / version
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        loaded = read_version(index_dir, version, model=manifest["model"], dimension=int(manifest["dimension"]))
        entries = list(loaded.entries)
        keep = [i for i, entry in enumerate(entries) if not drop(entry)]
        if len(keep) == len(entries):
            continue
        kept = loaded.stored_vectors()[keep].reshape(len(keep), int(manifest["dimension"]))
        search = manifest.get("search", {})
        layout = (  # the version's own layout: flat stays flat, IVF stays IVF
            IndexLayout(ivf_from=1, nprobe=int(search["nprobe"]))
            if search.get("kind") == IVF_SQ8
            else IndexLayout(ivf_from=len(keep) + 1)
        )
        del loaded  # its files are replaced below
        staging = index_dir / VERSIONS / f".tmp-{uuid.uuid4().hex}"
        staging.mkdir()
        written = write_version_files(staging, [entries[i] for i in keep], kept, layout)
        _write_file(staging / MANIFEST, json.dumps({**manifest, **written}, indent=2).encode())
        old = index_dir / VERSIONS / f".tmp-old-{uuid.uuid4().hex}"  # a leftover if we die: removed next publish
        os.replace(folder, old)
        os.replace(staging, folder)
        _fsync_dir(index_dir / VERSIONS)
        shutil.rmtree(old, ignore_errors=True)
        removed[version] = len(entries) - len(keep)
    return removed
