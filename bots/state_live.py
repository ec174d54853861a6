"""The state store's live-capture queries: learned threads (upsert, retract, list, forget) and backfill cursors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from peerbot.bots.schema import Queries
from peerbot.bots.schema_live import BackfillCursor, BackfillCursorRow, LiveThread, LiveThreadRow, ScheduledRunRow

STATUSES = ("live", "pending", "retracted")


def _thread(row: LiveThreadRow) -> LiveThread:
    return LiveThread(row.key, row.platform, row.channel, row.status, dict(row.record), row.updated_at)


def _mentions(record: dict[str, Any], who: str) -> bool:
    """The author (id or name, any case) asked the thread or wrote one of its replies."""
    people = [record, *(record.get("replies") or [])]
    return any(who in (str(p.get("author", "")).lower(), str(p.get("author_id", "")).lower()) for p in people)


class LiveQueries(Queries):
    def save_live(self, key: str, platform: str, channel: str, status: str, record: dict[str, Any]) -> bool:
        """Insert or replace the thread; True when what is stored changed (status or record)."""
        if status not in STATUSES:
            raise ValueError(f"live thread status must be one of {STATUSES}, got {status!r}")
        with self._session() as s:
            row = s.get(LiveThreadRow, key, with_for_update=True)
            if row is None:
                s.add(
                    LiveThreadRow(
                        key=key,
                        platform=platform,
                        channel=channel,
                        status=status,
                        record=record,
                        updated_at=self.clock(),
                    )
                )
                return True
            if row.status == status and row.record == record:
                return False
            row.status, row.record, row.updated_at = status, record, self.clock()
            return True

    def live_thread(self, key: str) -> LiveThread | None:
        with self._session() as s:
            row = s.get(LiveThreadRow, key)
            return _thread(row) if row is not None else None

    def live_threads(self, status: str | None = "live") -> list[LiveThread]:
        with self._session() as s:
            query = select(LiveThreadRow).order_by(LiveThreadRow.key)
            if status is not None:
                query = query.where(LiveThreadRow.status == status)
            return [_thread(r) for r in s.scalars(query)]

    def forget_live(self, author: str) -> int:
        """Delete every learned thread the author asked or replied in; how many."""
        who = author.lower()
        with self._session() as s:
            rows = [r for r in s.scalars(select(LiveThreadRow)) if _mentions(r.record, who)]
            for row in rows:
                s.delete(row)
            return len(rows)

    def backfill_cursor(self, platform: str, channel: str) -> BackfillCursor | None:
        with self._session() as s:
            row = s.get(BackfillCursorRow, (platform, channel))
            if row is None:
                return None
            return BackfillCursor(row.platform, row.channel, row.cursor, row.done, row.messages)

    def save_backfill_cursor(
        self, platform: str, channel: str, cursor: str | None, *, done: bool, messages: int
    ) -> None:
        with self._session() as s:
            row = s.get(BackfillCursorRow, (platform, channel), with_for_update=True)
            if row is None:
                row = BackfillCursorRow(platform=platform, channel=channel)
                s.add(row)
            row.cursor, row.done, row.messages, row.updated_at = cursor, done, messages, self.clock()

    def reset_backfill_cursor(self, platform: str, channel: str) -> None:
        with self._session() as s:
            row = s.get(BackfillCursorRow, (platform, channel))
            if row is not None:
                s.delete(row)

    def take_scheduled(self, job: str, every: timedelta, lease: timedelta) -> bool:
        """True when `job` is due (its last run finished `every` ago; first seen now: due after `every`) and this
        call took its lease; nobody else gets it until `finish_scheduled` or the lease runs out."""
        now = self.clock()
        with self._session() as s:
            row = s.get(ScheduledRunRow, job, with_for_update=True)
            if row is None:
                s.add(ScheduledRunRow(job=job, last_run=now, lease_until=None))
                return False
            if now - row.last_run < every or (row.lease_until is not None and row.lease_until > now):
                return False
            row.lease_until = now + lease
            return True

    def finish_scheduled(self, job: str) -> None:
        with self._session() as s:
            row = s.get(ScheduledRunRow, job, with_for_update=True)
            if row is not None:
                row.last_run, row.lease_until = self.clock(), None
