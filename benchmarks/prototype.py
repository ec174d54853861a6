"""Prototypes of the proposed core changes, kept here so the benchmark can show their gain.

- `QuantizedEmbedder`: int8 dynamic quantisation of the model's Linear layers (torch, no new dependency) and
  length-sorted batches across the whole build (knowledge/embedder.py, indexer/build.py).
- `fast_index`: IVF + 8-bit scalar quantiser instead of IndexFlatIP from 50k entries on (knowledge/base.py,
  indexer/publish.py): 4x smaller and a scan of a few percent of the lists instead of every vector.
- `DiskEntries` + `DiskKnowledgeBase`: entries stay in entries.jsonl (byte offsets in memory, a line parsed
  when a candidate needs it) and the BM25 matrices are saved at build time and memory-mapped at load, instead
  of a million dataclasses and a re-tokenisation of every entry at start-up (knowledge/base.py,
  knowledge/lexical.py, indexer/publish.py).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast, overload

import numpy as np

from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.embedder import DEFAULT_MODEL, SentenceTransformerEmbedder
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.lexical import Bm25Index

IVF_FROM = 50_000  # below this the exact flat index is fast enough
NPROBE = 16
CACHE = 4096  # parsed entries kept (a query touches about 60)


class QuantizedEmbedder(SentenceTransformerEmbedder):
    """all-MiniLM-L6-v2 with int8 Linear layers (the core embedder, quantised after loading).

    sentence-transformers sorts one call's texts by length, so builds should pass the whole corpus at once."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        super().__init__(model, batch_size)
        import torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._model = torch.ao.quantization.quantize_dynamic(
                self._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
            )


def ivf_lists(count: int) -> int:
    return int(min(1024, max(64, np.sqrt(count))))


def fast_index(vectors: np.ndarray) -> Any:
    """Exact flat index for small sets; IVF with 8-bit codes (inner product) from IVF_FROM entries."""
    import faiss

    if len(vectors) < IVF_FROM:
        return flat_index(vectors)
    dimension = vectors.shape[1]
    lists = ivf_lists(len(vectors))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    rng = np.random.default_rng(0)
    sample = vectors[np.sort(rng.choice(len(vectors), size=min(len(vectors), 40 * lists), replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    prepare(index)
    return index


def prepare(index: Any) -> Any:
    """Settings a read-back IVF index needs: probes per query, and positions for `reconstruct`."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = NPROBE
        ivf.make_direct_map()
    return index


class DiskEntries(Sequence[KnowledgeEntry]):
    """entries.jsonl read on demand: 8 bytes of offset per entry in memory, a line parsed when asked for."""

    def __init__(self, path: Path) -> None:
        offsets, private = [0], False
        with path.open("rb") as handle:
            for line in handle:
                offsets.append(offsets[-1] + len(line))
                private = private or b'"visibility": "private"' in line
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.has_private = private
        self._fd = os.open(path, os.O_RDONLY)
        self._cache: dict[int, KnowledgeEntry] = {}

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> KnowledgeEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[KnowledgeEntry]: ...
    def __getitem__(self, index: int | slice) -> KnowledgeEntry | list[KnowledgeEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        entry = self._cache.get(index)
        if entry is None:
            start, end = int(self.offsets[index]), int(self.offsets[index + 1])
            entry = KnowledgeEntry.from_dict(json.loads(os.pread(self._fd, end - start, start)))
            if len(self._cache) >= CACHE:
                self._cache.clear()
            self._cache[index] = entry
        return entry

    def __iter__(self) -> Iterator[KnowledgeEntry]:
        return (self[i] for i in range(len(self)))


class MappedBm25(Bm25Index):
    """A BM25 index saved at build time (`save_bm25`), its score matrices memory-mapped."""

    def __init__(self, directory: Path, size: int) -> None:  # no super().__init__: nothing to tokenise
        import bm25s

        self._size = size
        self._bm25 = bm25s.BM25.load(str(directory), mmap=True)


def save_bm25(texts: Sequence[str], directory: Path) -> None:
    Bm25Index(texts)._bm25.save(str(directory), show_progress=False)


@dataclass
class DiskKnowledgeBase(KnowledgeBase):
    """A KnowledgeBase over DiskEntries and a memory-mapped BM25 index: nothing is re-read at start-up."""

    bm25_dir: Path = field(default=Path())

    def __post_init__(self) -> None:
        if self.vectors.ntotal != len(self.entries):
            raise ValueError(f"{self.vectors.ntotal} vectors for {len(self.entries)} entries")
        self.bm25 = MappedBm25(self.bm25_dir, len(self.entries))
        self.has_private = cast(DiskEntries, self.entries).has_private

    @classmethod
    def open(cls, entries: Path, vectors: Any, bm25_dir: Path) -> DiskKnowledgeBase:
        return cls(cast(list[KnowledgeEntry], DiskEntries(entries)), vectors, bm25_dir=bm25_dir)
