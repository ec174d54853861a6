"""The escalation workflow: open -> claimed -> answered -> resolved (or expired), with a ping ladder.

Every step is one short transaction on the state store, so a restart between steps loses nothing:
the ladder reads `next_ping_at` from the database, not from memory. The SQL is the store's
(bots/state_escalations.py); this module decides who is pinged when, and what they are told.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peerbot.bots import messages
from peerbot.bots.config import EscalationSettings, Superuser
from peerbot.bots.notices import Notice
from peerbot.bots.state import Escalation, Review, StateStore
from peerbot.bots.state_escalations import LadderStep


@dataclass(frozen=True)
class Opened:
    escalation_id: int
    pinged: tuple[Superuser, ...]
    expected_minutes: float


class Escalations:
    def __init__(self, store: StateStore, superusers: Sequence[Superuser], settings: EscalationSettings) -> None:
        self.store = store
        self.superusers = list(superusers)
        self.by_id = {s.community_id: s for s in superusers}
        self.settings = settings

    # -- who is available -------------------------------------------------------------------------

    def away(self) -> set[str]:
        return self.store.away_superusers()

    def set_away(self, superuser: str, away: bool) -> None:
        self.store.set_away(superuser, away)

    def load(self) -> dict[str, int]:
        """Open or claimed escalations per superuser (pinged and not yet answered)."""
        return self.store.waiting_load()

    def unavailable(self) -> set[str]:
        load = self.load()
        busy = {who for who, n in load.items() if n >= self.settings.max_open_per_superuser}
        return self.away() | busy

    # -- the life of an escalation ----------------------------------------------------------------

    def open(
        self,
        question_id: int,
        experts: Sequence[Superuser],
        first: Sequence[Superuser],
        *,
        once: bool = False,
        **fields: Any,
    ) -> Opened:
        """Open an escalation; with `once`, the question's first one: a second call (the same event handled
        again after a replica died) gets the escalation the first call opened, and whom it pinged."""
        now = self.store.clock()
        ladder = self.settings.ladder_minutes
        values = {
            "superusers": [s.community_id for s in first],
            "experts": [s.community_id for s in experts],
            "next_ping_at": now + timedelta(minutes=ladder[0]) if ladder else None,
            **fields,
        }
        if not once:
            return Opened(self.store.open_escalation(question_id, **values), tuple(first), self.expected_minutes())
        escalation_id, opened = self.store.open_escalation_once(question_id, **values)
        if not opened:
            row = self.store.escalation(escalation_id)
            first = [self.by_id[c] for c in (row.superusers if row else ()) if c in self.by_id]
        return Opened(escalation_id, tuple(first), self.expected_minutes())

    def expected_minutes(self) -> float:
        """Median minutes to a first human answer over the last 50 answered escalations, else the first ladder step."""
        waits = self.store.answer_waits(50)
        if waits:
            return max(1.0, statistics.median(waits))
        return self.settings.ladder_minutes[0] if self.settings.ladder_minutes else 60.0

    def claim(self, escalation_id: int, superuser: str) -> tuple[bool, Escalation | None]:
        """Claim an open escalation; exactly one claimer wins even with concurrent presses."""
        won = self.store.claim_escalation(escalation_id, superuser)
        return won, self.store.escalation(escalation_id)

    def answer(self, escalation_id: int, superuser: str, text: str) -> Escalation | None:
        """Record the human answer; claims it on the way if nobody had."""
        return self.store.answer_escalation(escalation_id, superuser, text)

    def resolve(self, escalation_id: int) -> Escalation | None:
        """answered -> resolved, once (the asker said it solved it, or a superuser accepted it)."""
        return self.store.escalation(escalation_id) if self.store.resolve_escalation(escalation_id) else None

    def for_question(self, question_id: int, states: Sequence[str]) -> Escalation | None:
        """The newest escalation of a question in one of these states."""
        return self.store.escalation_for_question(question_id, states)

    def due(self) -> list[Notice]:
        """Climb the ladder for unclaimed escalations whose time is up, and expire stale ones."""
        now = self.store.clock()
        expire_before = now - timedelta(hours=self.settings.expire_hours)
        unavailable = self.unavailable()  # its own transaction: never nest them (each takes the write lock)
        expired, climbed = self.store.expire_and_climb(now, expire_before, lambda e: self._step(e, now, unavailable))
        notices = [self._asker_notice(row, messages.EXPIRED) for row in expired]
        for row, step in climbed:
            notices.extend(self._ping(row, tuple(self.by_id[c] for c in step.pinged_now)))
        return notices

    def _step(self, row: Escalation, now: datetime, unavailable: set[str]) -> LadderStep:
        """The next rung: the next best expert not yet pinged, then the whole group."""
        ladder = self.settings.ladder_minutes
        level = row.level + 1
        pinged = set(row.superusers)
        next_ping_at: datetime | None
        if level < len(ladder):
            nxt = [self.by_id[c] for c in row.experts if c not in pinged and c not in unavailable and c in self.by_id]
            targets = nxt[:1]
            next_ping_at = now + timedelta(minutes=ladder[level])
        else:
            targets = [s for s in self.superusers if s.community_id not in pinged and s.community_id not in unavailable]
            next_ping_at = None
        if not targets and level < len(ladder):  # nobody new at this step: go straight to the group next time
            next_ping_at = now
        return LadderStep((*row.superusers, *(t.community_id for t in targets)), next_ping_at, len(targets))

    def _ping(self, row: Escalation, targets: tuple[Superuser, ...]) -> list[Notice]:
        if not targets:
            return []
        text = messages.ping(row.id, row.question, row.urgent, reminder=True)
        return [
            Notice(
                kind="ping",
                text=text,
                escalation_id=row.id,
                superusers=targets,
                platform=row.platform,
                channel=row.channel,
                thread=row.thread,
                question_id=row.question_id,
            )
        ]

    def _asker_notice(self, row: Escalation, text: str) -> Notice:
        return Notice(
            kind="asker",
            text=text.format(id=row.id),
            escalation_id=row.id,
            platform=row.platform,
            channel=row.channel,
            thread=row.thread,
            question_id=row.question_id,
        )

    # -- answers from members who are not superusers ----------------------------------------------

    def submit_for_review(self, escalation_id: int, author: str, author_name: str, text: str) -> int:
        return self.store.submit_review(escalation_id, author, author_name, text)

    def pending_reviews(self) -> list[Review]:
        return self.store.pending_reviews()

    def approve(self, review_id: int) -> tuple[Review, Escalation] | None:
        return self.store.approve_review(review_id)

    def counts(self) -> dict[str, int]:
        return self.store.escalation_counts()
