"""Follow-ups in the thread on Discord (issue 17): the real discord.py client against the fake Discord on 127.0.0.1.
The asker writes in the thread the bot answered in (a help-channel thread, a forum post) or in the DM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from peerbot.bots import messages
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, FORUM, GUILD, HELP, LISTED_ADMIN, WORLD_COMMUNITY, World, open_world
from tests.bots.test_followups import FOLLOWUP_COMMUNITY, OFFLINE, POWER_CUT

THREADS = [*WORLD_COMMUNITY, *(t for t in FOLLOWUP_COMMUNITY if t["id"].startswith("offline"))]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path, community=THREADS) as w:
        yield w


async def test_the_askers_replies_in_the_thread_are_follow_ups(world: World) -> None:
    asked = await world.say(HELP, ALICE, OFFLINE)
    thread = asked["id"]  # the bot answers in a thread started from the question
    (first,) = await world.fake.wait_for(lambda: world.fake.in_channel(thread))
    assert "closer to the router" in first.content

    await world.say(thread, ALICE, POWER_CUT)
    _, second = await world.fake.wait_for(lambda: world.fake.in_channel(thread)[1:] and world.fake.in_channel(thread))
    assert second.content.startswith("Sorry that didn't help.") and "Hold the hub button" in second.content
    assert len(second.custom_ids) == 3  # its own "This solved it" buttons

    await world.say(thread, LISTED_ADMIN, "still broken")  # not the asker: not a follow-up
    await world.say(thread, ALICE, "thanks, that fixed it")
    *_, thanks = await world.fake.wait_for(lambda: world.fake.in_channel(thread)[2:] and world.fake.in_channel(thread))
    assert thanks.content == messages.THANKS_SOLVED
    assert len(world.fake.in_channel(thread)) == 3  # nothing for the other member's message


async def test_the_askers_reply_in_a_forum_post_is_a_follow_up(world: World) -> None:
    post = p.thread(p.snowflake(), GUILD, FORUM, OFFLINE, ALICE["id"], newly_created=True)
    await world.fake.dispatch("THREAD_CREATE", post)
    await world.say(post["id"], ALICE, "My hub goes offline now and then.", mid=post["id"])
    (first,) = await world.fake.wait_for(lambda: world.fake.in_channel(post["id"]))
    assert "closer to the router" in first.content
    await world.say(post["id"], ALICE, POWER_CUT)
    _, second = await world.fake.wait_for(
        lambda: world.fake.in_channel(post["id"])[1:] and world.fake.in_channel(post["id"])
    )
    assert "Hold the hub button" in second.content


async def test_in_a_dm_only_didnt_work_and_thanks_continue(world: World) -> None:
    dm = p.snowflake()
    await world.fake.dispatch("MESSAGE_CREATE", p.message(dm, ALICE, OFFLINE))
    await world.fake.wait_for(lambda: world.fake.in_channel(dm))
    await world.fake.dispatch("MESSAGE_CREATE", p.message(dm, ALICE, POWER_CUT))
    _, second = await world.fake.wait_for(lambda: world.fake.in_channel(dm)[1:] and world.fake.in_channel(dm))
    assert "Hold the hub button" in second.content
    await world.fake.dispatch("MESSAGE_CREATE", p.message(dm, ALICE, "How do I factory reset a bulb?"))
    *_, third = await world.fake.wait_for(lambda: world.fake.in_channel(dm)[2:] and world.fake.in_channel(dm))
    assert "Power-cycle" in third.content and not third.content.startswith("Thanks, that helps")
