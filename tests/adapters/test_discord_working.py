"""The asker sees the bot working on Discord, end to end through the real discord.py client over the fake Discord:
typing while the bot works on a message question, and /ask answers shown to the asker first in private-first
channels ("Show everyone" posts them in the channel, once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from peerbot.adapters import discord_words
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, ESCALATIONS, GENERAL, GUILD, HELP, MARA, World, open_world

RESET = "How do I factory reset a bulb?"
NO_MATCH = "Can the quantum banana toaster run Doom?"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path, settings_extra={"discord": {"private_first_channels": [GENERAL]}}) as w:
        yield w


def position(world: World, method: str, path: str) -> int:
    return next(n for n, (m, p, _) in enumerate(world.fake.requests) if m == method and p.endswith(path))


async def test_the_bot_types_in_the_channel_before_the_answer_arrives(world: World) -> None:
    asked = await world.say(HELP, ALICE, RESET)
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Power-cycle" in answer.content
    assert world.fake.typing == [HELP]
    typed = position(world, "POST", f"/channels/{HELP}/typing")
    assert typed < position(world, "POST", f"/channels/{asked['id']}/messages")


async def test_a_refused_typing_request_never_stops_the_answer(world: World) -> None:
    world.fake.refuse("POST", rf"/channels/{HELP}/typing")
    asked = await world.say(HELP, ALICE, RESET)
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Power-cycle" in answer.content
    assert world.fake.typing == []  # refused before it was recorded


async def test_slash_questions_show_thinking_not_typing(world: World) -> None:
    payload = await world.ask(RESET, channel_id=HELP)
    await world.answered(payload)
    assert world.fake.callbacks[0]["type"] == 5  # deferred: Discord shows "peerbot is thinking…"
    assert world.fake.typing == []


async def test_private_first_ask_shows_the_answer_to_the_asker_then_everyone_once(world: World) -> None:
    payload = await world.ask(RESET, channel_id=GENERAL)
    private = await world.response(payload)
    assert world.fake.callbacks[0]["type"] == 5 and private.ephemeral  # "thinking…" and the answer: asker only
    assert "Power-cycle" in private.content and discord_words.DISCORD_ONLY_YOU in private.content
    [show] = private.custom_ids
    assert show.startswith("peerbot:show:")
    assert not [s for s in world.fake.sent if not s.ephemeral]  # nothing public, no thread
    assert world.fake.threads_started == []

    press = await world.press(show, private)
    [public] = await world.fake.wait_for(lambda: world.fake.for_interaction(press))
    assert not public.ephemeral and public.channel_id == GENERAL
    assert "Power-cycle" in public.content and discord_words.DISCORD_ONLY_YOU not in public.content
    assert [c.rsplit(":", 2)[1] for c in public.custom_ids] == ["solved", "unhelpful", "human"]
    replaced = callback(world, press)  # the private copy now says it was shown
    assert replaced["type"] == 7 and replaced["data"]["content"] == discord_words.DISCORD_SHOWN
    assert replaced["data"]["components"] == []

    again = await world.press(show, private)  # a second press posts nothing more
    await world.fake.wait_for(lambda: callback(world, again))
    await world.fake.quiet()
    assert callback(world, again)["data"]["content"] == discord_words.DISCORD_SHOW_GONE
    assert [s for s in world.fake.sent if not s.ephemeral] == [public]


async def test_only_the_asker_can_show_their_answer(world: World) -> None:
    payload = await world.ask(RESET, channel_id=GENERAL)
    private = await world.response(payload)
    press = await world.press(private.custom_ids[0], private, who=MARA)
    await world.fake.wait_for(lambda: callback(world, press))
    await world.fake.quiet()
    assert not [s for s in world.fake.sent if not s.ephemeral]


async def test_private_first_escalation_tells_the_asker_privately_and_pings_as_usual(world: World) -> None:
    payload = await world.ask(NO_MATCH, channel_id=GENERAL)
    told = await world.response(payload)
    assert told.ephemeral and "I've asked" in told.content and told.custom_ids == []
    (ping,) = await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    assert "quantum banana toaster" in ping.content
    assert f"https://discord.com/channels/{GUILD}/{GENERAL}" in ping.content  # no thread: the channel
    [escalation] = world.bot.store.waiting_escalations()

    answer = p.subcommand("answer")
    answer["options"] = [p.string_option("arguments", f"{escalation.id} It can't; the toaster has no screen.")]
    await world.slash("peerbot", MARA, options=[answer])  # superusers answer with /peerbot answer N
    told = await world.fake.wait_for(
        lambda: [s for s in world.fake.in_channel(GENERAL) if "answered your question" in s.content]
    )
    assert "the toaster has no screen" in told[0].content


async def test_other_channels_and_plain_messages_are_answered_publicly_as_before(world: World) -> None:
    payload = await world.ask(RESET, channel_id=HELP)
    (answer,) = await world.answered(payload)
    assert not answer.ephemeral and answer.custom_ids[0].startswith("peerbot:solved:")
    asked = await world.say(GENERAL, ALICE, RESET, mention=True)  # Discord has no private reply to a message
    (reply,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Power-cycle" in reply.content and not reply.ephemeral


def callback(world: World, press: dict[str, Any]) -> dict[str, Any]:
    found = [c for c in world.fake.callbacks if c["interaction_id"] == press["id"]]
    return {k: v for k, v in found[0].items() if k != "interaction_id"} if found else {}
