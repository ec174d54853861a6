"""One runtime for every adapter: start-up, the timer loop and shutdown, written once.

`serve(bot, adapter)` registers the adapter for the bot's notices, runs the timers (ping ladder, expiry, index
pick-up, recovery of questions a dead replica held) beside it, and on cancellation or SIGTERM stops the adapter
and the timers cleanly. Several adapters in one process are one `Together` adapter: still one timer loop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import weakref
from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Protocol

from peerbot.bots import messages
from peerbot.bots.conversation import Question, Reply
from peerbot.bots.notices import Notice
from peerbot.bots.web_notices import deliver_queued  # answers given in the dashboard's escalation inbox

if TYPE_CHECKING:
    from peerbot.bots.bot import Bot

log = logging.getLogger(__name__)

TIMER_INTERVAL_S = 30.0
SHUTDOWN_GRACE_S = 60.0  # how long a stopping process waits for a timer round in flight to deliver its notices


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
        await finish_rounds(bot)  # a round cut short above still delivers what it changed, to this adapter too
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


_rounds: weakref.WeakKeyDictionary[Bot, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _round_lock(bot: Bot) -> asyncio.Lock:
    """One timer round at a time per bot in this event loop (the adapter's own ticks and the timer loop's)."""
    loop = asyncio.get_running_loop()
    held = _rounds.get(bot)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Lock())
        _rounds[bot] = held
    return held[1]


def round_in_flight(bot: Bot) -> bool:
    """A timer round is running (or waiting for the one before it) in this event loop."""
    return _round_lock(bot).locked()


async def finish_rounds(bot: Bot) -> None:
    """Wait (up to SHUTDOWN_GRACE_S) for the timer rounds in flight: each delivers the notices of what it changed."""
    try:
        async with asyncio.timeout(SHUTDOWN_GRACE_S):
            async with _round_lock(bot):
                pass
    except TimeoutError:
        log.warning("a timer round was still running at shutdown", extra={"grace_s": SHUTDOWN_GRACE_S})


async def tick(bot: Bot) -> list[Notice]:
    """One timer round. Rounds never overlap, and cancelling the caller does not cut a round in half: a ping
    recorded in the store is always delivered (serve waits for the round before it stops)."""
    lock = _round_lock(bot)

    async def locked_round() -> list[Notice]:
        async with lock:
            return await timer_round(bot)

    return await asyncio.shield(locked_round())


async def timer_round(bot: Bot) -> list[Notice]:
    """Serve a newly published index; answer what a dead replica held; prune the store when due; climb the
    ping ladder and expire stale escalations; deliver answers given in the dashboard. The notices go to every
    registered adapter and are returned."""
    if bot.refresher is not None:
        await bot.refresher()
    if bot.live is not None:  # what other replicas learned live
        await asyncio.to_thread(bot.live.sync)
    notices = await recover_abandoned(bot)
    if bot.housekeeping is not None:
        await asyncio.to_thread(bot.housekeeping.run_if_due)
    await asyncio.to_thread(bot.gate.learn)  # escalations accepted by a superuser are labels too
    due = await asyncio.to_thread(bot.escalations.due)
    if bot.scheduler is not None:  # [schedule]: refreshes due, one replica at a time
        due += await bot.scheduler.tick()
    rewards = bot.recognition.rewards if bot.recognition else None
    if rewards is not None:  # vouchers waiting for imported codes, club changes, the monthly post
        due += await asyncio.to_thread(rewards.sweep)
    if bot.digest is not None:  # the weekly digest for the admin channel, posted by one replica
        due += await asyncio.to_thread(bot.digest.post_if_due)
    await bot.outbox.deliver(due)
    return notices + due + await deliver_queued(bot)


async def recover_abandoned(bot: Bot) -> list[Notice]:
    """Events another replica took but died before their reply was sent: send the reply it recorded, or handle
    the event again (the question and escalation it recorded are reused), deliver, then mark it sent."""
    notices = []
    for event_id, payload in await asyncio.to_thread(bot.store.abandoned_events):
        question = Question.from_payload({**payload, "event_id": event_id})
        reply = await bot.handle(question)  # takes the event over, or None: another replica got there first
        if reply is None:
            continue
        sending = reply_notices(bot, question, reply)
        await bot.outbox.deliver(sending)
        await bot.sent(question)
        log.info("recovered an abandoned event", extra={"event_id": event_id})
        notices += sending
    return notices


def reply_notices(bot: Bot, question: Question, reply: Reply) -> list[Notice]:
    """A reply sent outside its adapter's own flow: to the asker in their thread, and the escalation's ping."""
    escalated = reply.escalation_id is not None
    notices = [
        Notice(
            "asker",
            reply.text,
            reply.escalation_id,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            question_id=reply.question_id if escalated else None,
        )
    ]
    if reply.escalated and reply.escalation is not None:
        note = reply.escalation
        superusers = tuple(s for s in bot.superusers if s.community_id in note.notify)
        text = messages.ping(note.id, note.question, note.urgent, reminder=False)
        notices.append(
            Notice(
                "ping",
                text,
                note.id,
                superusers=superusers,
                platform=note.platform,
                channel=note.channel,
                thread=note.thread,
                question_id=note.question_id,
            )
        )
    return notices
