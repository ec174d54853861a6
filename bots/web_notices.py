"""Notices the dashboard leaves in the state store (a person's answer from the escalation inbox), delivered by
the running bot's timer through its adapters, as if the answer had come from chat."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from peerbot.bots.notices import Notice

if TYPE_CHECKING:
    from peerbot.bots.bot import Bot
    from peerbot.bots.state import StateStore

FIELDS = ("kind", "text", "escalation_id", "platform", "channel", "thread", "question_id", "answered")


def notice_record(notice: Notice) -> dict[str, Any]:
    """A notice for the asker as JSON (pings name superusers and are never queued from the web)."""
    if notice.kind != "asker":
        raise ValueError(f"only notices for an asker are queued from the dashboard, not {notice.kind!r}")
    return {name: getattr(notice, name) for name in FIELDS}


def queue(store: StateStore, notice: Notice) -> int:
    return store.queue_notice(notice_record(notice))


async def deliver_queued(bot: Bot) -> list[Notice]:
    """Hand every queued notice to the bot's adapters, once."""
    records = await asyncio.to_thread(bot.store.take_notices)
    notices = [Notice(**{k: r[k] for k in FIELDS if k in r}) for r in records]
    await bot.outbox.deliver(notices)
    return notices
