"""A read-only sequence of entries by position: slices, negative positions and bounds handled once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from peerbot.knowledge.entries import KnowledgeEntry


class Positional(Sequence[KnowledgeEntry]):
    """Subclasses give `__len__` and `at(position)` for 0 <= position < len."""

    def at(self, position: int) -> KnowledgeEntry:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> KnowledgeEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[KnowledgeEntry]: ...
    def __getitem__(self, index: int | slice) -> KnowledgeEntry | list[KnowledgeEntry]:
        if isinstance(index, slice):
            return [self.at(i) for i in range(*index.indices(len(self)))]
        position = int(index)
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(f"entry {index} out of range ({len(self)} entries)")
        return self.at(position)
