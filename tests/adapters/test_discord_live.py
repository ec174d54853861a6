"""Live capture on Discord, through the real adapter (discord.py) over a fake Discord that keeps its history: a
peer answers a forum post, the asker reacts with the check mark (or the post is tagged Solved), and a paraphrase
asked later in another channel gets that answer with credit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from peerbot.bots.live import entry_id
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, FORUM, GUILD, HELP, World, open_world
from tests.adapters.fake_discord_history import HistoryDiscord

BOB = p.user("1200000000000000110", "bob")
HOOKBOT = p.user("1200000000000000111", "helperbot", bot=True)
QUESTION = "How do I pair the Lumo motion sensor with a Zigbee hub from another brand?"
ANSWER = "Hold the sensor's reset pin for 10 seconds until it blinks amber, then start Zigbee pairing on the hub."
PARAPHRASE = "pair lumo motion sensor with zigbee hub of another brand"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path, fake_class=HistoryDiscord) as opened:
        yield opened


def fake(world: World) -> HistoryDiscord:
    assert isinstance(world.fake, HistoryDiscord)
    return world.fake


async def forum_post_answered(world: World, *, by: dict = BOB) -> tuple[str, str]:
    """Alice opens a forum post, the bot replies, a member answers: (post id, answer id)."""
    post = p.thread(p.snowflake(), GUILD, FORUM, QUESTION, ALICE["id"], newly_created=True)
    world.fake.channels[post["id"]] = post
    await world.fake.dispatch("THREAD_CREATE", post)
    await world.say(post["id"], ALICE, "The hub is a third-party Zigbee 3.0 one.", mid=post["id"])
    await world.fake.wait_for(lambda: world.fake.in_channel(post["id"]))
    answer = await world.say(post["id"], by, ANSWER)
    await world.fake.quiet()
    return post["id"], answer["id"]


async def ask_in_help(world: World, text: str = PARAPHRASE) -> str:
    asked = await world.say(HELP, ALICE, text)
    (said,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    return said.content


async def learned(world: World, post: str, status: str = "live") -> None:
    def there() -> bool:
        row = world.bot.store.live_thread(f"discord:{post}")
        return row is not None and row.status == status

    await world.fake.wait_for(there)
    await world.fake.quiet()


async def test_asker_check_mark_serves_the_peer_answer_in_another_channel(world: World) -> None:
    post, answer = await forum_post_answered(world)
    await fake(world).react(post, answer, ALICE, "✅")
    await learned(world, post)
    said = await ask_in_help(world)
    assert ANSWER in said
    assert "bob" in said and "accepted answer" in said
    assert f"learned live on Discord in #{FORUM}, message {answer}, marked solved by alice" in said


async def test_solved_tag_marks_the_post_and_deletion_retracts_it(world: World) -> None:
    post, answer = await forum_post_answered(world)
    await fake(world).tag_solved(post)
    await learned(world, post)
    assert "the Solved tag" in await ask_in_help(world)
    await fake(world).edit(post, answer, ANSWER.replace("10 seconds", "15 seconds"))
    await world.fake.wait_for(
        lambda: "15 seconds" in str(world.bot.store.live_thread(f"discord:{post}").record)  # type: ignore[union-attr]
    )
    assert "15 seconds" in await ask_in_help(world)
    await fake(world).delete(post, answer)
    await learned(world, post, "retracted")
    assert entry_id(f"discord:{post}") not in {e.id for e in world.bot.retriever.kb.entries}
    assert ANSWER not in await ask_in_help(world)


async def test_a_bots_reply_never_becomes_the_answer(world: World) -> None:
    post, answer = await forum_post_answered(world, by=HOOKBOT)
    await fake(world).react(post, answer, ALICE, "✅")
    await world.fake.quiet()
    assert world.bot.store.live_thread(f"discord:{post}") is None
    assert ANSWER not in await ask_in_help(world)


async def solved_this(world: World, post: str, mid: str, who: dict) -> str:
    """The "This solved it" message context menu on a message in the post, as Discord sends it; the private answer."""
    message = fake(world).find(post, mid)
    data = {
        "id": p.snowflake(),
        "name": "This solved it",
        "type": 3,
        "target_id": mid,
        "resolved": {"messages": {mid: message}},
    }
    payload = p._interaction(
        2,
        data,
        app_id=world.fake.app_id,
        channel=world.channel(post),
        who=who,
        guild_id=GUILD,
        permissions=p.EVERYONE_PERMISSIONS,
    )
    await world.fake.interact(payload)
    sent = await world.fake.wait_for(lambda: [s for s in world.fake.for_interaction(payload) if s.content])
    return sent[-1].content


async def test_asker_uses_this_solved_it_on_a_members_reply(world: World) -> None:
    post, answer = await forum_post_answered(world)
    assert "Only the person who asked" in await solved_this(world, post, answer, BOB)
    assert "someone else's reply" in await solved_this(world, post, post, ALICE)
    told = await solved_this(world, post, answer, ALICE)
    assert "bob's reply is now part of the knowledge base" in told
    await fake(world).react(post, answer, ALICE, "👍")  # a later refresh keeps the asker's choice
    await world.fake.quiet()
    said = await ask_in_help(world)
    assert ANSWER in said and "marked solved by alice" in said


async def test_a_solved_title_marks_the_post(world: World) -> None:
    post, _ = await forum_post_answered(world)
    thread = world.fake.channels[post]
    thread["name"] = f"[Solved] {thread['name']}"
    await world.fake.dispatch("THREAD_UPDATE", dict(thread))
    await learned(world, post)
    said = await ask_in_help(world)
    assert ANSWER in said and "a [Solved] title" in said
    row = world.bot.store.live_thread(f"discord:{post}")
    assert row is not None and row.record["title"] == QUESTION
