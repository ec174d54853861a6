"""Admins' curation of the knowledge base, as retrieval applies it: hidden entries are never candidates, and an
edited answer replaces the source's text in what is served. Keyed by entry id (`source:thread`), which stays the
same across reindexes, so a decision outlives every rebuild."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from peerbot.knowledge.entries import KnowledgeEntry


@dataclass(frozen=True)
class Curated:
    hidden: frozenset[str] = frozenset()
    answers: Mapping[str, str] = field(default_factory=dict)

    def apply(self, entry: KnowledgeEntry) -> KnowledgeEntry:
        answer = self.answers.get(entry.id)
        return entry if answer is None else dataclasses.replace(entry, answer=answer)


NOTHING = Curated()


class CurationSource(Protocol):
    """Where the current curation comes from (the state store, for the bot and the dashboard)."""

    def current(self) -> Curated: ...
