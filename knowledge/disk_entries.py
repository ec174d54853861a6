"""Entries read from an index version's entries.jsonl by byte offset, when a candidate needs them.

A million parsed KnowledgeEntry objects take gigabytes; the offsets take 8 bytes an entry. The offsets are
written at build time (offsets.npy), so opening reads one array instead of scanning the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.positional import Positional

CACHE = 4096  # parsed entries kept (a question touches about 60)


def line_offsets(lines: Sequence[bytes]) -> np.ndarray:
    """Start offsets of each line plus the end: offsets[i]:offsets[i+1] is line i."""
    return np.concatenate([[0], np.cumsum([len(line) for line in lines], dtype=np.int64)]).astype(np.int64)


class DiskEntries(Positional):
    """entries.jsonl as a read-only sequence; a few thousand recently read entries are kept parsed."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self.path = path
        self.offsets = offsets
        self._fd = os.open(path, os.O_RDONLY)
        self._cache: OrderedDict[int, KnowledgeEntry] = OrderedDict()
        self._lock = threading.Lock()

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def at(self, index: int) -> KnowledgeEntry:
        with self._lock:
            entry = self._cache.get(index)
            if entry is not None:
                self._cache.move_to_end(index)
                return entry
        start, end = int(self.offsets[index]), int(self.offsets[index + 1])
        entry = KnowledgeEntry.from_dict(json.loads(os.pread(self._fd, end - start, start)))
        with self._lock:
            self._cache[index] = entry
            if len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return entry

    def __iter__(self) -> Iterator[KnowledgeEntry]:
        """Every entry in order, streamed from the file opened at start (not cached): a version pruned
        meanwhile is still read whole."""
        with os.fdopen(os.dup(self._fd), "rb") as handle:
            handle.seek(0)
            for line in handle:
                if line.strip():
                    yield KnowledgeEntry.from_dict(json.loads(line))


def id_hash(entry_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(entry_id.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def id_table(ids: Sequence[str]) -> np.ndarray:
    """(hash of id, position) rows sorted by hash: an id found by binary search, 16 bytes an entry."""
    if not len(ids):
        return np.zeros((0, 2), dtype=np.int64)
    table = np.asarray([(id_hash(i), p) for p, i in enumerate(ids)], dtype=np.int64)
    return table[np.argsort(table[:, 0], kind="stable")]
