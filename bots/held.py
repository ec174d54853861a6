"""Approval before serving (`curation.approve_before_serving`): what the bot learns waits for a moderator.

Two kinds are held, each where it already lives:
- an answer captured from an escalation is kept in captured.jsonl as always, but its entry is marked `held` in the
  curation table first (bots/curation.py serves it like a hidden one: never), so approving it serves it in every
  running bot from the next question on, and a reindex keeps the decision (by entry id);
- a thread learned live is held as `pending` in `live_threads`, the hold `live.unvetted = "review"` already used
  (`/review`, `/approve KEY`, `peerbot live approve`); approved, a running bot serves it on its next timer tick.
The dashboard lists both (bots/dashboard/control.py) and a moderator approves or rejects each; both are audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from peerbot.bots import live
from peerbot.bots.capture import SOURCE_NAME as CAPTURED
from peerbot.bots.config import Settings
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.jsonl import ThreadRecord, to_thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.neutralize import inert_entry

BOT = "peerbot"  # who holds a captured answer, in the audit log
Kind = Literal["captured", "live"]


class NotHeld(ValueError):
    """The answer is not (or no longer) waiting for approval; the message says which."""


@dataclass(frozen=True)
class HeldAnswer:
    kind: Kind
    key: str  # captured: the entry id; live: the thread's key
    entry: KnowledgeEntry | None  # None: its record could not be read (shown as such)
    since: datetime
    platform: str | None = None

    @property
    def entry_id(self) -> str:
        return self.key if self.kind == "captured" else live.entry_id(self.key)


def held_for_approval(settings: Settings, store: StateStore) -> Callable[[str], object] | None:
    """What Capture calls to hold a captured entry, or None when answers are served at once."""
    if not settings.curation.approve_before_serving:
        return None
    return lambda entry_id: store.curate(entry_id, BOT, "hold answer", held=True)


def held_answers(
    store: StateStore, captured_path: Path, policy: TrustPolicy, limit: int | None = None
) -> tuple[list[HeldAnswer], int]:
    """The oldest `limit` answers held (captured ones and learned threads together), as entries to show, and how
    many are held. Only the ones shown are read and assessed."""
    waiting: list[tuple[datetime, Kind, str, dict[str, Any] | None, str | None]] = [
        (c.updated_at, "captured", c.entry_id, None, None) for c in store.held_entries()
    ]
    waiting += [(t.updated_at, "live", t.key, t.record, t.platform) for t in store.live_threads("pending")]
    waiting.sort(key=lambda w: w[0])
    shown = waiting if limit is None else waiting[:limit]
    records = _captured({key for _, kind, key, _, _ in shown if kind == "captured"}, captured_path)
    found = []
    for since, kind, key, record, platform in shown:
        record = record if kind == "live" else records.get(key)
        source = live.SOURCE_NAME if kind == "live" else CAPTURED
        found.append(HeldAnswer(kind, key, _shown(_entry(record, source, policy)), since, platform))
    return found, len(waiting)


def _entry(record: dict[str, Any] | None, source: str, policy: TrustPolicy) -> KnowledgeEntry | None:
    """The record as the entry it would be served as; None when it is gone or unreadable (shown as such)."""
    try:
        return policy.entry_for(to_thread(ThreadRecord.model_validate(record)), source) if record else None
    except ValueError:
        return None


def _captured(entry_ids: set[str], path: Path) -> dict[str, dict[str, Any]]:
    """The captured.jsonl records of these entries, by entry id."""
    if not entry_ids or not path.exists():
        return {}
    found = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the reindex reports it
            if isinstance(record, dict) and f"{CAPTURED}:{record.get('id')}" in entry_ids:
                found[f"{CAPTURED}:{record['id']}"] = record
    return found


def _shown(entry: KnowledgeEntry | None) -> KnowledgeEntry | None:
    return inert_entry(entry) if entry is not None else None


def decide(store: StateStore, kind: str, key: str, approve: bool, admin: str, policy: TrustPolicy) -> str:
    """Approve (serve) or reject (never serve) one held answer, audited; returns the entry id."""
    if kind == "captured":
        current = store.curations().get(key)
        if current is None or not current.held:
            raise NotHeld(f"the captured answer {key!r} is not waiting for approval")
        if approve:
            store.curate(key, admin, "approve answer", held=False)
        else:
            store.curate(key, admin, "reject answer", held=False, hidden=True)
        return key
    if kind != "live":
        raise NotHeld(f"unknown kind {kind!r}: captured or live")
    before = store.live_thread(key)
    if before is None or before.status != "pending":
        raise NotHeld(f"the learned thread {key!r} is not waiting for approval")
    change = live.approve if approve else live.reject
    learned = change(store, key, f"dashboard:{admin}", policy)
    after = learned.status if learned else None
    action = "approve live thread" if approve else "reject live thread"
    store.audit(admin, action, f"entry {live.entry_id(key)}", {"status": before.status}, {"status": after})
    return live.entry_id(key)
