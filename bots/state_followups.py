"""The state store's follow-up queries (issue 17): the conversation kept for each thread the bot answered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from peerbot.bots.conversation import WAITING
from peerbot.bots.schema import EscalationRow, Queries, frozen
from peerbot.bots.schema_followups import OPEN, FollowupThread, FollowupThreadRow

MAX_DETAILS = 20  # a thread keeps the asker's first details; later ones still re-retrieve, they are not kept
MAX_DETAIL_CHARS = 1000


class FollowupQueries(Queries):
    def followup_thread(self, platform: str, key: str) -> FollowupThread | None:
        with self._session() as s:
            query = select(FollowupThreadRow).where(
                FollowupThreadRow.platform == platform, FollowupThreadRow.key == key
            )
            return frozen(FollowupThread, s.scalars(query).first())

    def start_followup_thread(self, *, replace: bool, **fields: Any) -> bool:
        """The conversation a new question opens. A thread belongs to whoever opened it: another's question in it
        starts nothing (False). `replace`: a conversation without threads (the console) starts again instead."""
        now = self.clock()
        values = {"details": [], "status": OPEN, "created_at": now, "updated_at": now, **fields}
        values["last_question_id"] = values.get("last_question_id", values["question_id"])
        with self._session() as s:
            where = (FollowupThreadRow.platform == values["platform"], FollowupThreadRow.key == values["key"])
            if s.scalars(select(FollowupThreadRow.id).where(*where).with_for_update()).first() is not None:
                if not replace:
                    return False
                s.execute(delete(FollowupThreadRow).where(*where))
            s.add(FollowupThreadRow(**values))
            return True

    def continue_followup_thread(
        self,
        thread_id: int,
        *,
        detail: str | None = None,
        shown: Sequence[dict[str, Any]] = (),
        last_question_id: int | None = None,
        status: str | None = None,
    ) -> FollowupThread | None:
        """Add to a conversation in one transaction (replicas may handle two messages of a thread at once): a detail
        (not again when its event is handled again), answers shown, the newest reply's question, the status."""
        with self._session() as s:
            row = s.get(FollowupThreadRow, thread_id, with_for_update=True)
            if row is None:
                return None
            if detail and detail not in row.details and len(row.details) < MAX_DETAILS:
                row.details = [*row.details, detail[:MAX_DETAIL_CHARS]]
            known = {str(item["id"]) for item in row.shown}
            fresh = [dict(item) for item in shown if str(item["id"]) not in known]
            if fresh:
                row.shown = [*row.shown, *fresh]
            if last_question_id is not None:
                row.last_question_id = last_question_id
            if status is not None:
                row.status = status
            row.updated_at = self.clock()
            s.flush()
            return frozen(FollowupThread, row)

    def set_waiting_question(self, escalation_id: int, text: str) -> bool:
        """The asker added to a question people are still asked about: the escalation shows it (dashboard inbox,
        the ladder's next pings, what is captured once it is answered)."""
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)
            if row is None or row.status not in WAITING:
                return False
            row.question = text
            return True
