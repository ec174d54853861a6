"""The serving knowledge base: one immutable snapshot of an index version plus a small segment of added entries.

Positions 0..N-1 are the version's entries (the main segment: a FAISS index, a BM25 index, entries read by
offset); positions N.. are entries added since the build (answers captured from escalations): searched beside
the main segment by brute force, with BM25 statistics borrowed from it, until the next build merges them in.
Adding one is O(size of the added segment), never a copy of the main one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

import numpy as np

from peerbot.knowledge.ann import flat_index, search
from peerbot.knowledge.disk_entries import id_hash, id_table
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.index_files import IDS, STORED, LoadedIndex, PrivateMap, private_map
from peerbot.knowledge.lexical import Bm25Index, SegmentBm25
from peerbot.knowledge.positional import Positional

__all__ = ["KnowledgeBase", "flat_index"]


class Chained(Positional):
    """The main entries followed by the added ones, as one positional sequence."""

    def __init__(self, main: Sequence[KnowledgeEntry], added: Sequence[KnowledgeEntry]) -> None:
        self.main, self.added = main, added

    def __len__(self) -> int:
        return len(self.main) + len(self.added)

    def at(self, position: int) -> KnowledgeEntry:
        n = len(self.main)
        return self.main[position] if position < n else self.added[position - n]

    def __iter__(self) -> Iterator[KnowledgeEntry]:
        yield from self.main
        yield from self.added


class CombinedBm25:
    """BM25 scores for every position: the main index's, then the added segment's."""

    def __init__(self, main: Bm25Index, added: SegmentBm25 | None, hidden: np.ndarray) -> None:
        self.main, self.added, self.hidden = main, added, hidden

    def scores(self, query: str) -> np.ndarray:
        scores = self.main.scores(query)
        if self.added is not None and len(self.added):
            scores = np.concatenate([scores, self.added.scores(query)])
        if len(self.hidden):
            scores[self.hidden] = 0.0
        return scores


def _private_probe(channel: str | None) -> KnowledgeEntry:
    return KnowledgeEntry("", "", "", "", "", "", "", "", channel=channel, visibility="private")


class KnowledgeBase:
    """An immutable snapshot; `with_added` returns a new one sharing the main segment."""

    def __init__(
        self,
        entries: Sequence[KnowledgeEntry],
        vectors: Any,  # faiss.Index, row i is entries[i]
        version: str = "in-memory",
        manifest: dict[str, Any] | None = None,
        *,
        bm25: Bm25Index | None = None,
        private: PrivateMap | None = None,
        stored: np.ndarray | None = None,  # float16 rows (memory-mapped); None: read from `vectors`
        ids: np.ndarray | None = None,  # (hash of id, position) sorted; None: built from entries
    ) -> None:
        if vectors.ntotal != len(entries):
            raise ValueError(f"{vectors.ntotal} vectors for {len(entries)} entries")
        self.main = entries
        self.vectors = vectors
        self.version = version
        self.manifest = manifest or {}
        self.main_bm25 = bm25 if bm25 is not None else Bm25Index([e.question_text for e in entries])
        self.private = private if private is not None else private_map(entries)
        self.stored = stored
        self.ids = ids if ids is not None else id_table([e.id for e in entries])
        self._set_added((), np.zeros((0, vectors.d), dtype=np.float32), np.zeros(0, dtype=np.int64))

    def _set_added(self, added: Sequence[KnowledgeEntry], vectors: np.ndarray, hidden: np.ndarray) -> None:
        self.added = tuple(added)
        self.added_by_id = {e.id: e for e in self.added}
        self.added_vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.hidden = np.unique(hidden).astype(np.int64)
        self.entries: Sequence[KnowledgeEntry] = Chained(self.main, self.added) if self.added else self.main
        segment = SegmentBm25([e.question_text for e in self.added], self.main_bm25) if self.added else None
        self.bm25 = CombinedBm25(self.main_bm25, segment, self.hidden)
        self.has_private = bool(self.private) or any(e.visibility != "public" for e in self.added)
        self._excluded: dict[Audience, np.ndarray] = {}

    @classmethod
    def from_loaded(cls, loaded: LoadedIndex) -> KnowledgeBase:
        stored = None
        ids = None
        if loaded.folder is not None and loaded.bm25 is not None:
            stored = np.load(loaded.folder / STORED, mmap_mode="r")
            ids = np.load(loaded.folder / IDS, mmap_mode="r")
        return cls(
            loaded.entries,
            loaded.vectors,
            loaded.version,
            loaded.manifest,
            bm25=loaded.bm25,
            private=loaded.private,
            stored=stored,
            ids=ids,
        )

    def with_added(self, entries: Sequence[KnowledgeEntry], vectors: np.ndarray) -> KnowledgeBase:
        """A new snapshot with these entries added (replacing any with the same id); self is unchanged.

        O(added entries): the main segment is shared, an entry it holds with the same id is hidden."""
        replaced = {e.id for e in entries}
        keep = [i for i, e in enumerate(self.added) if e.id not in replaced]
        hidden = [p for e in entries if (p := self.main_position(e.id)) is not None]
        new = object.__new__(KnowledgeBase)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        new._set_added(
            [*(self.added[i] for i in keep), *entries],
            np.vstack([self.added_vectors[keep], np.asarray(vectors, dtype=np.float32).reshape(len(entries), -1)]),
            np.concatenate([self.hidden, np.asarray(hidden, dtype=np.int64)]),
        )
        return new

    def without(self, ids: Collection[str]) -> KnowledgeBase:
        """A new snapshot without the entries whose id is in `ids` (self when none is served).

        O(ids + added entries), like `with_added`: main entries are hidden, added ones dropped."""
        gone = set(ids)
        keep = [i for i, e in enumerate(self.added) if e.id not in gone]
        hidden = {int(p) for p in self.hidden}
        more = {p for i in gone if (p := self.main_position(i)) is not None and p not in hidden}
        if len(keep) == len(self.added) and not more:
            return self
        new = object.__new__(KnowledgeBase)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        new._set_added(
            [self.added[i] for i in keep],
            self.added_vectors[keep],
            np.concatenate([self.hidden, np.asarray(sorted(more), dtype=np.int64)]),
        )
        return new

    def __len__(self) -> int:
        """Entries served: the main ones not replaced, plus the added ones."""
        return len(self.main) + len(self.added) - len(self.hidden)

    def main_position(self, entry_id: str) -> int | None:
        """Position of the main entry with this id, found through the id table (no scan)."""
        key = id_hash(entry_id)
        at = int(np.searchsorted(self.ids[:, 0], key)) if len(self.ids) else 0
        while at < len(self.ids) and int(self.ids[at, 0]) == key:
            position = int(self.ids[at, 1])
            if self.main[position].id == entry_id:
                return position
            at += 1
        return None

    def find(self, entry_id: str) -> KnowledgeEntry | None:
        """The served entry with this id, if any."""
        added = self.added_by_id.get(entry_id)
        if added is not None:
            return added
        position = self.main_position(entry_id)
        hidden = position is not None and bool(np.isin(position, self.hidden))
        return None if position is None or hidden else self.main[position]

    def excluded(self, audience: Audience) -> np.ndarray:
        """Main positions this audience may not be shown (private entries of other channels, replaced ones)."""
        cached = self._excluded.get(audience)
        if cached is None:
            parts = [self.hidden]
            parts += [p for channel, p in self.private.items() if not audience.may_see(_private_probe(channel))]
            cached = np.unique(np.concatenate(parts)).astype(np.int64)
            if len(self._excluded) > 256:
                self._excluded.clear()
            self._excluded[audience] = cached
        return cached

    def dense(self, query: np.ndarray, k: int, audience: Audience | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosines of the k nearest entries (only those `audience` may see, when given)."""
        ids, scores = self.dense_many(query.reshape(1, -1), k, audience)
        return ids[0], scores[0]

    def dense_many(
        self, queries: np.ndarray, k: int, audience: Audience | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """`dense` for several queries in one FAISS call."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.vectors.d)
        exclude = self.excluded(audience) if audience is not None else self.hidden
        out_ids: list[np.ndarray] = []
        out_scores: list[np.ndarray] = []
        n = len(self.main)
        main_k = min(k, n)
        if main_k:
            scores, ids = search(self.vectors, queries, main_k, exclude)
        else:
            scores = np.zeros((len(queries), 0), dtype=np.float32)
            ids = np.zeros((len(queries), 0), dtype=np.int64)
        visible = [i for i, e in enumerate(self.added) if audience is None or audience.may_see(e)]
        added_scores = self.added_vectors[visible] @ queries.T if visible else None
        for row in range(len(queries)):
            keep = ids[row] >= 0
            row_ids, row_scores = ids[row][keep].astype(np.int64), scores[row][keep]
            if added_scores is not None:
                row_ids = np.concatenate([row_ids, n + np.asarray(visible, dtype=np.int64)])
                row_scores = np.concatenate([row_scores, added_scores[:, row]])
                order = np.argsort(-row_scores, kind="stable")[:k]
                row_ids, row_scores = row_ids[order], row_scores[order]
            out_ids.append(row_ids)
            out_scores.append(row_scores.astype(np.float32))
        return out_ids, out_scores

    def rows(self, positions: Sequence[int]) -> np.ndarray:
        """The stored vectors of these positions, float32."""
        n = len(self.main)
        out = np.zeros((len(positions), self.vectors.d), dtype=np.float32)
        for i, p in enumerate(positions):
            p = int(p)
            if p >= n:
                out[i] = self.added_vectors[p - n]
            elif self.stored is not None:
                out[i] = self.stored[p]
            else:
                out[i] = self.vectors.reconstruct(p)
        return out

    def cosines(self, query: np.ndarray, positions: Sequence[int]) -> np.ndarray:
        if not len(positions):
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.rows(positions) @ query.reshape(-1), dtype=np.float32)
