"""Messages the bot sends outside the reply to a question: pings, updates to askers, announcements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from peerbot.bots.config import Superuser


@dataclass(frozen=True)
class Notice:
    kind: Literal["ping", "asker", "announce"]
    text: str
    escalation_id: int | None = None
    superusers: tuple[Superuser, ...] = ()  # who to ping (kind "ping")
    platform: str | None = None  # the escalation's platform ("ping", "asker"); None: every platform
    channel: str | None = None
    thread: str | None = None


class Notifier(Protocol):
    """Delivers notices on a chat platform (each adapter implements it; the console prints)."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...
