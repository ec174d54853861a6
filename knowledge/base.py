"""The serving knowledge base: one immutable snapshot of entries, vectors and the BM25 index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.index_files import LoadedIndex
from peerbot.knowledge.lexical import Bm25Index


def flat_index(vectors: np.ndarray) -> Any:
    """An exact inner-product FAISS index over unit vectors (inner product = cosine)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


@dataclass
class KnowledgeBase:
    entries: list[KnowledgeEntry]
    vectors: Any  # faiss.Index, row i is entries[i]
    version: str = "in-memory"
    manifest: dict[str, Any] = field(default_factory=dict)
    bm25: Bm25Index = field(init=False)
    has_private: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.vectors.ntotal != len(self.entries):
            raise ValueError(f"{self.vectors.ntotal} vectors for {len(self.entries)} entries")
        self.bm25 = Bm25Index([e.question_text for e in self.entries])
        self.has_private = any(e.visibility != "public" for e in self.entries)

    @classmethod
    def from_loaded(cls, loaded: LoadedIndex) -> KnowledgeBase:
        return cls(loaded.entries, loaded.vectors, loaded.version, loaded.manifest)

    def with_added(self, entries: Sequence[KnowledgeEntry], vectors: np.ndarray) -> KnowledgeBase:
        """A new snapshot with these entries added (replacing any with the same id); self is unchanged."""
        import faiss

        replaced = {e.id for e in entries}
        keep = [i for i, e in enumerate(self.entries) if e.id not in replaced]
        if len(keep) == len(self.entries):
            index = faiss.clone_index(self.vectors)
            kept = list(self.entries)
        else:
            index = flat_index(np.vstack([self.vectors.reconstruct(i) for i in keep]) if keep else vectors[:0])
            kept = [self.entries[i] for i in keep]
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return KnowledgeBase([*kept, *entries], index, self.version, self.manifest)

    def without(self, ids: set[str]) -> KnowledgeBase:
        """A new snapshot without the entries whose id is in `ids` (self when none is there)."""
        keep = [i for i, e in enumerate(self.entries) if e.id not in ids]
        if len(keep) == len(self.entries):
            return self
        dimension = self.vectors.d
        rows = np.vstack([self.vectors.reconstruct(i) for i in keep]) if keep else np.zeros((0, dimension), np.float32)
        return KnowledgeBase([self.entries[i] for i in keep], flat_index(rows), self.version, self.manifest)

    def __len__(self) -> int:
        return len(self.entries)

    def dense(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosines of the k nearest entries."""
        k = min(k, len(self.entries))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def cosines(self, query: np.ndarray, positions: Sequence[int]) -> np.ndarray:
        if not len(positions):
            return np.zeros(0, dtype=np.float32)
        rows = np.vstack([self.vectors.reconstruct(int(p)) for p in positions])
        return np.asarray(rows @ query.reshape(-1), dtype=np.float32)
