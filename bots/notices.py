"""Messages the bot sends outside the reply to a question: pings, updates to askers, announcements."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from peerbot.bots.config import Superuser


@dataclass(frozen=True)
class Notice:
    """Everything an adapter needs to deliver it: adapters never look anything up in the state store."""

    # "dm": privately to the one member in `superusers`, on `platform`; "admin": the admin channel;
    # "club_add" / "club_remove": give or take the club role / user group of the member in `superusers`
    kind: Literal["ping", "asker", "announce", "dm", "admin", "club_add", "club_remove"]
    text: str
    escalation_id: int | None = None
    superusers: tuple[Superuser, ...] = ()  # who to ping (kind "ping")
    platform: str | None = None  # the escalation's platform ("ping", "asker"); None: every platform
    channel: str | None = None  # the asker's conversation
    thread: str | None = None
    question_id: int | None = None  # the escalated question (feedback buttons refer to it)
    answered: bool = False  # it brings a person's answer: the asker can say it solved it
    receipt: int | None = None  # a reward grant whose private message this is: marked sent once delivered


class Notifier(Protocol):
    """Delivers notices on a chat platform (each adapter implements it; the console prints)."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...


async def deliver_each(
    notices: Sequence[Notice], deliver: Callable[[Notice], Awaitable[None]], log: logging.Logger
) -> None:
    """Each notice on its own: one that fails is logged (on the adapter's logger) and the others still go."""
    for notice in notices:
        try:
            await deliver(notice)
        except Exception:
            log.exception(
                "failed to deliver a notice", extra={"kind": notice.kind, "escalation_id": notice.escalation_id}
            )


class Outbox:
    """Every running adapter (notifier) gets every notice, and delivers the ones meant for it."""

    def __init__(self) -> None:
        self.notifiers: list[Notifier] = []
        self.receipts: Callable[[list[int]], None] | None = None  # told which reward messages were delivered

    def add(self, notifier: Notifier) -> None:
        if notifier not in self.notifiers:
            self.notifiers.append(notifier)

    def remove(self, notifier: Notifier) -> None:
        if notifier in self.notifiers:
            self.notifiers.remove(notifier)

    async def deliver(self, notices: Sequence[Notice]) -> None:
        notifiers = list(self.notifiers) if notices else []
        for notifier in notifiers:
            await notifier.deliver(notices)
        receipts = [n.receipt for n in notices if n.receipt is not None]
        if receipts and notifiers and self.receipts is not None:
            await asyncio.to_thread(self.receipts, receipts)
