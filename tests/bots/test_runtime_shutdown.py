"""Stopping the bot lets a timer round in flight finish: SIGTERM while a round waits on the store still records
the ladder's next step and sends its ping, once, before the process stops (the real runtime, console adapter
and SQLite file; another connection holds the file)."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sqlite3

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import runtime
from peerbot.bots.config import Settings
from tests.bots.test_escalation_workflow import ask_person, db, start, world  # noqa: F401 (world: fixture)
from tests.factories import Clock


def test_sigterm_during_a_round_still_delivers_its_ping(world: tuple[Settings, Clock]) -> None:  # noqa: F811
    settings, clock = world
    bot = start(settings, clock)
    ask_person(bot, "alice", "my mesh wifi router and the hub: band steering confuses it, what now?")
    clock.advance(31)  # the next step of the ladder is due
    # Another process holds the SQLite file: the round that records the step has to wait for it.
    blocker = sqlite3.connect(settings.state_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    read_end, write_end = os.pipe()
    out = io.StringIO()
    adapter = ConsoleAdapter(stdin=os.fdopen(read_end), stdout=out, asker="alice")  # nobody types anything

    async def main() -> None:
        serving = asyncio.create_task(runtime.serve(bot, adapter, interval=3600))
        while not runtime.round_in_flight(bot):
            await asyncio.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)  # the operator stops the bot mid-round
        asyncio.get_running_loop().call_later(0.5, blocker.rollback)  # the other process lets go a moment later
        await asyncio.wait_for(serving, 60)

    try:
        asyncio.run(main())
    finally:
        os.close(write_end)  # the console's reader gets end of input
        blocker.close()
    assert db(settings, "select level from escalations") == [(1,)]  # the round recorded the step...
    assert out.getvalue().count("[ping to Devon Okafor] Still waiting: escalation #1") == 1  # ...and sent it once
