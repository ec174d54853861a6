"""One runtime for every adapter: start-up, the timer loop and shutdown, written once.

`serve(bot, adapter)` registers the adapter for the bot's notices, runs the timers (ping ladder, expiry, index
pick-up, recovery of questions a dead replica held) beside it, and on cancellation or SIGTERM stops the adapter
and the timers cleanly. Several adapters in one process are one `Together` adapter: still one timer loop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Protocol

from peerbot.bots import messages
from peerbot.bots.conversation import Outcome, Question, Reply
from peerbot.bots.notices import Notice

if TYPE_CHECKING:
    from peerbot.bots.bot import Bot

log = logging.getLogger(__name__)

TIMER_INTERVAL_S = 30.0


class Adapter(Protocol):
    """A chat platform: converts its payloads into Questions and Replies into its messages; decides nothing."""

    name: str

    async def serve(self, bot: Bot) -> None:
        """Connect and answer until cancelled (or, for the console, until the input ends); clean up on the way out."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...


class Together:
    """Several adapters in one process, sharing one bot (and so one timer loop)."""

    def __init__(self, adapters: Sequence[Adapter]) -> None:
        self.adapters = list(adapters)
        self.name = " + ".join(a.name for a in adapters)

    async def serve(self, bot: Bot) -> None:
        await asyncio.gather(*(adapter.serve(bot) for adapter in self.adapters))

    async def deliver(self, notices: Sequence[Notice]) -> None:
        for adapter in self.adapters:
            await adapter.deliver(notices)


async def serve(bot: Bot, adapter: Adapter, *, interval: float = TIMER_INTERVAL_S) -> None:
    """Run `adapter` with the bot's timers until it finishes, is cancelled, or the process gets SIGTERM."""
    bot.add_notifier(adapter)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    with suppress(NotImplementedError, RuntimeError):  # not the main thread, or no signals here
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
    serving = asyncio.create_task(adapter.serve(bot), name=f"peerbot {adapter.name}")
    stop = asyncio.create_task(stopping.wait())
    timers = asyncio.create_task(run_timers(bot, interval))
    try:
        await asyncio.wait({serving, stop}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            serving.result()  # the adapter's own error, if it had one
    finally:
        for task in (serving, stop, timers):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        with suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
        bot.remove_notifier(adapter)


async def run_timers(bot: Bot, interval: float = TIMER_INTERVAL_S) -> None:
    """Tick every `interval` seconds; a failed tick is logged and the next one comes anyway."""
    while True:
        try:
            await tick(bot)
        except Exception:
            log.exception("escalation timers failed")
        await asyncio.sleep(interval)


async def tick(bot: Bot) -> list[Notice]:
    """Serve a newly published index; answer what a dead replica held; climb the ping ladder and expire stale
    escalations. The notices go to every registered adapter and are returned."""
    if bot.refresher is not None:
        await bot.refresher()
    notices = await recover_abandoned(bot)
    notices += await asyncio.to_thread(bot.escalations.due)
    await bot.outbox.deliver(notices)
    return notices


async def recover_abandoned(bot: Bot) -> list[Notice]:
    """Questions another replica took but died before answering: answer them in their thread."""
    notices = []
    store = bot.store
    for event_id, payload in await asyncio.to_thread(store.abandoned_events):
        if not await asyncio.to_thread(store.take_event, event_id, payload, bot.event_lease_seconds):
            continue  # another replica got there first
        question = Question.from_payload({**payload, "event_id": None})
        try:
            reply = await bot.respond(question)
        except Exception:
            log.exception("failed to answer a recovered event", extra={"event_id": event_id})
            reply = Reply(Outcome.ERROR, messages.APOLOGY)
        await asyncio.to_thread(store.finish_event, event_id)
        log.info("recovered an abandoned event", extra={"event_id": event_id})
        notices.append(
            Notice(
                "asker",
                reply.text,
                reply.escalation_id,
                platform=question.platform,
                channel=question.channel,
                thread=question.thread,
                question_id=reply.question_id if reply.escalation_id is not None else None,
            )
        )
    return notices
