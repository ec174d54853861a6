"""Admins' curation of the knowledge base, as retrieval applies it: hidden entries (and answers held for approval)
are never candidates, a pinned reply of the thread is served instead of its most trusted one, and an edited answer
replaces the text served. Keyed by entry id (`source:thread`), which stays the same across reindexes, so a decision
outlives every rebuild."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from peerbot.knowledge.entries import KnowledgeEntry

PINNED = "pinned by the community team"  # shown with the trust reasons: the credit line and `ask --json`


@dataclass(frozen=True)
class Curated:
    hidden: frozenset[str] = frozenset()
    answers: Mapping[str, str] = field(default_factory=dict)
    pinned: Mapping[str, str] = field(default_factory=dict)  # entry id -> the id of the thread's reply to serve

    def apply(self, entry: KnowledgeEntry) -> KnowledgeEntry:
        entry = pin(entry, self.pinned.get(entry.id))
        answer = self.answers.get(entry.id)
        return entry if answer is None else dataclasses.replace(entry, answer=answer)


def pin(entry: KnowledgeEntry, reply_id: str | None) -> KnowledgeEntry:
    """The entry serving its thread's reply `reply_id` (answer, author, trust), noted as pinned; unchanged when the
    thread has no such trusted reply any more (a reindex may drop one)."""
    reply = next((r for r in entry.alternatives if r.id == reply_id), None) if reply_id else None
    if reply is None:
        return entry
    return dataclasses.replace(
        entry,
        answer=reply.answer,
        author=reply.author,
        author_id=reply.author_id,
        trust=reply.trust,
        trust_reasons=(PINNED, *reply.trust_reasons),
        date=reply.date,
    )


NOTHING = Curated()


class CurationSource(Protocol):
    """Where the current curation comes from (the state store, for the bot and the dashboard)."""

    def current(self) -> Curated: ...
