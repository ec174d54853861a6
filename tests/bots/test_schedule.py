"""[schedule]: a source re-read on its interval by the bot's own timer, by exactly one of two replicas, the result
announced; a replica that died holding the job leaves it to the other once its lease runs out."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import ScheduleSettings, Settings
from peerbot.bots.conversation import Outcome, Question
from peerbot.bots.notices import Notice
from peerbot.errors import ConfigError
from tests.conftest import make_settings
from tests.factories import SMALL_COMMUNITY, Clock, reply, thread, write_jsonl

NEW = thread(
    "new-1",
    "How do I pair the Lumo motion sensor with a Zigbee hub from another brand",
    "It is a third-party Zigbee 3.0 hub.",
    [reply("Hold the reset pin 10 seconds, then pair from the hub.", accepted=True)],
)
ASKED = Question("pair lumo motion sensor with zigbee hub of another brand", "u9", "console")


class Announcements:
    def __init__(self) -> None:
        self.notices: list[Notice] = []

    async def deliver(self, notices: list[Notice]) -> None:
        self.notices += [n for n in notices if n.kind == "announce"]


def replicas(settings: Settings, clock: Clock) -> tuple[Bot, Bot, Announcements]:
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    heard = Announcements()
    bots = []
    for _ in range(2):
        bot = wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0], clock=clock)
        bot.add_notifier(heard)
        bots.append(bot)
    return bots[0], bots[1], heard


def scheduled(root: Path, **schedule: object) -> Settings:
    return make_settings(root, schedule={"sources": {"forum": 15}, **schedule})


async def test_a_source_is_reread_on_schedule_by_one_replica_and_announced(tmp_path: Path) -> None:
    clock = Clock()
    first, second, heard = replicas(scheduled(tmp_path), clock)
    await asyncio.gather(first.tick(), second.tick())  # first seen: due in 15 minutes
    write_jsonl(tmp_path / "community.jsonl", [*SMALL_COMMUNITY, NEW])
    clock.advance(10)
    await asyncio.gather(first.tick(), second.tick())
    assert heard.notices == [] and (await first.respond(ASKED)).outcome is not Outcome.ANSWER
    clock.advance(6)
    await asyncio.gather(first.tick(), second.tick())
    assert len(heard.notices) == 1  # one replica ran it
    assert heard.notices[0].text.startswith("Scheduled refresh of source forum: index version")
    assert "1 added" in heard.notices[0].text
    await asyncio.gather(first.tick(), second.tick())  # the other picks the new version up
    for bot in (first, second):
        assert (await bot.respond(ASKED)).outcome is Outcome.ANSWER
    first.close()
    second.close()


async def test_a_job_held_by_a_dead_replica_runs_elsewhere_after_its_lease(tmp_path: Path) -> None:
    clock = Clock()
    first, second, heard = replicas(scheduled(tmp_path, lease_minutes=30.0), clock)
    await first.tick()
    clock.advance(16)
    assert first.store.take_scheduled("source:forum", timedelta(minutes=15), timedelta(minutes=30))  # then dies
    await second.tick()
    assert heard.notices == []  # the lease is held
    clock.advance(31)
    await second.tick()
    assert len(heard.notices) == 1
    first.close()
    second.close()


def test_an_unknown_source_in_the_schedule_is_named(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, schedule={"sources": {"wiki": 15}})
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    with pytest.raises(
        ConfigError, match=re.escape("schedule.sources: no source named wiki in [[sources]] (configured: forum)")
    ):
        wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0])
    assert ScheduleSettings().sources == {}
