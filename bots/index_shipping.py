"""Indexes that travel (`[index] publish_to = "database"`): a published version is copied into the state store,
and every replica downloads the newest one it lacks, verifies each file's checksum, and serves it within a timer
tick. Replicas then share nothing but the database. Local versions the store no longer holds (older than
index.keep_versions, or dropped by `peerbot forget`) are deleted on every replica."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerbot.bots.state import StateStore
from peerbot.errors import IndexDamaged
from peerbot.faults import fault_point
from peerbot.indexer.publish import build_lock, point_current, remove_leftovers
from peerbot.knowledge.index_files import VERSIONS, list_versions, pointed_version

log = logging.getLogger(__name__)
PART_BYTES = 8 << 20  # one row per 8 MiB: well inside PostgreSQL's and SQLite's limits, bounded memory


@dataclass(frozen=True)
class IndexShipping:
    store: StateStore
    index_dir: Path
    keep: int = 3

    def upload(self, version: str) -> bool:
        """Copy a locally published version into the store (parts first, then the row that makes it visible),
        and drop the store's versions beyond `keep`; False when the store had it already."""
        if version in {v for v, _ in self.store.shipped_versions()}:
            return False
        folder = self.index_dir / VERSIONS / version
        files: dict[str, Any] = {}
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            digest, parts = hashlib.sha256(), 0
            with path.open("rb") as handle:
                for data in iter(lambda: handle.read(PART_BYTES), b""):
                    self.store.put_index_part(version, path.name, parts, data)
                    digest.update(data)
                    parts += 1
            files[path.name] = {"sha256": digest.hexdigest(), "size": path.stat().st_size, "parts": parts}
        fault_point("ship:parts")
        self.store.put_index_version(version, files)
        shipped = [v for v, _ in self.store.shipped_versions()]
        self.store.drop_shipped(set(shipped[-self.keep :]))
        log.info("index version shipped to the state store", extra={"version": version, "files": len(files)})
        return True

    def sync(self) -> str | None:
        """Replica side: download the store's newest version if missing here and point CURRENT at it; delete
        local versions the store no longer has. Returns the version downloaded, if any."""
        shipped = self.store.shipped_versions()
        if not shipped:
            return None
        newest, files = shipped[-1]
        fetched = None
        with build_lock(self.index_dir):  # one writer per folder; a download killed mid-way is cleared first
            remove_leftovers(self.index_dir)
            if newest not in list_versions(self.index_dir):
                self._download(newest, files)
                fetched = newest
            if pointed_version(self.index_dir) != newest:
                point_current(self.index_dir, newest)
            kept = {v for v, _ in shipped}
            for old in list_versions(self.index_dir):
                if old not in kept:
                    shutil.rmtree(self.index_dir / VERSIONS / old, ignore_errors=True)
        return fetched

    def _download(self, version: str, files: dict[str, Any]) -> None:
        root = self.index_dir / VERSIONS
        root.mkdir(parents=True, exist_ok=True)
        staging = root / f".tmp-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            for name, expected in files.items():
                digest = hashlib.sha256()
                with (staging / name).open("wb") as handle:
                    for data in self.store.index_parts(version, name):
                        handle.write(data)
                        digest.update(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                if digest.hexdigest() != expected["sha256"]:
                    raise IndexDamaged(
                        version,
                        f"file {name} downloaded from the state store does not match its checksum",
                        file=staging / name,
                        index_dir=self.index_dir,
                    )
            fault_point("ship:downloaded")
            try:
                os.replace(staging, root / version)
            except OSError:  # another process on this folder placed it first
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("index version downloaded from the state store", extra={"version": version})
