"""Issue #13.1 on Discord: a conversation is private when Discord says so: a DM, a group DM, a private thread,
or a channel (for a thread: its parent) whose permission overwrites deny @everyone VIEW_CHANNEL. When the
adapter cannot tell, private. The real discord.py client against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import (
    ALICE,
    ESCALATIONS,
    GENERAL,
    GUILD,
    MARA,
    PRIVATE,
    PRIVATE_THREAD,
    World,
    open_world,
)

SECRET_QUESTION = "How do I open the prototype lab door after hours?"
SECRET_ANSWER = "Hold the lab door button for 10 seconds, then type 4711 on the keypad."


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as w:
        yield w


def db(world: World) -> sqlite3.Connection:
    return sqlite3.connect(world.settings.state_url.removeprefix("sqlite:///"))


async def test_an_answer_captured_in_a_private_thread_is_not_served_in_its_public_parent(world: World) -> None:
    fake = world.fake
    await world.say(PRIVATE_THREAD, ALICE, SECRET_QUESTION, mention=True)
    await fake.wait_for(lambda: fake.in_channel(ESCALATIONS))  # nothing known: escalated

    await world.say(PRIVATE_THREAD, MARA, SECRET_ANSWER)  # a superuser answers in the private thread
    told = await fake.wait_for(lambda: [s for s in fake.in_channel(PRIVATE_THREAD) if SECRET_ANSWER in s.content])
    solved = told[-1].custom_ids[0]
    await world.response(await world.press(solved, told[-1]))  # the asker: "This solved it"
    await fake.quiet()
    assert db(world).execute("select status from escalations").fetchone() == ("resolved",)

    asked = await world.say(GENERAL, ALICE, SECRET_QUESTION, mention=True)  # public #general: not served
    await fake.wait_for(lambda: len(fake.in_channel(ESCALATIONS)) >= 2)
    await fake.quiet()
    assert not any("4711" in s.content for s in fake.sent if s.channel_id in (asked["id"], GENERAL, ESCALATIONS))

    await world.say(PRIVATE_THREAD, ALICE, SECRET_QUESTION, mention=True)  # the private thread: served
    await fake.wait_for(lambda: sum(SECRET_ANSWER in s.content for s in fake.in_channel(PRIVATE_THREAD)) >= 2)


async def test_overwrites_denying_everyone_make_a_channel_and_its_threads_private(world: World) -> None:
    fake = world.fake
    await world.say(PRIVATE, ALICE, "Can I pay with bitcoin on mars?", mention=True)
    await world.say(GENERAL, ALICE, "Can I pay with bitcoin on mars?", mention=True)
    staff_thread = p.thread(p.snowflake(), GUILD, PRIVATE, "mars", ALICE["id"], newly_created=True)
    fake.channels[staff_thread["id"]] = staff_thread
    await fake.dispatch("THREAD_CREATE", staff_thread)
    await world.say(staff_thread["id"], ALICE, "Can I pay with bitcoin on mars?", mention=True)
    await fake.wait_for(lambda: len(fake.in_channel(ESCALATIONS)) >= 3)
    await fake.quiet()
    rows = db(world).execute("select channel, public from questions").fetchall()
    assert sorted(rows) == sorted([(PRIVATE, 0), (GENERAL, 1), (PRIVATE, 0)])


async def test_a_channel_discord_will_not_describe_counts_as_private(world: World) -> None:
    unknown = p.snowflake()  # e.g. an archived thread the client has not cached, whose fetch fails
    world.fake.refuse("GET", rf"/channels/{unknown}", status=403, code=50001)  # Missing Access
    await world.say(unknown, ALICE, "Can I pay with bitcoin on mars?", mention=True)
    await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    await world.fake.quiet()
    assert db(world).execute("select public from questions").fetchall() == [(0,)]


async def test_an_alert_where_discord_cannot_say_who_reads_it_does_not_name_private_entries(tmp_path: Path) -> None:
    """#13.2: an upset asker in #staff gets the private signing answer; the superusers' alert goes to an
    escalation thread whose parent channel the client cannot see, so who reads it is unknown: the alert counts
    it as public and names no private entry."""
    async with open_world(tmp_path) as world:
        hidden_parent, escalations = p.snowflake(), p.snowflake()
        thread = p.thread(escalations, GUILD, hidden_parent, "escalations", MARA["id"])
        world.fake.channels[escalations] = thread
        client = world.adapter.client
        assert client is not None
        discord_settings = client.settings.discord.model_copy(update={"escalation_channel": escalations})
        client.settings = client.settings.model_copy(update={"discord": discord_settings})
        asked = "This is the worst! How do we rotate the firmware signing key? Furious."
        await world.say(PRIVATE, ALICE, asked, mention=True)
        await world.fake.wait_for(lambda: world.fake.in_channel(escalations))
        await world.fake.quiet()
        answered = "\n".join(s.content for s in world.fake.sent if s.channel_id != escalations)
        assert "Rotate the signing key" in answered  # the asker in #staff may read it
        alert = "\n".join(s.content for s in world.fake.in_channel(escalations))
    assert "How do we rotate the firmware signing key?" in alert  # the question itself, for the superusers
    assert "Firmware signing key rotation procedure" not in alert
