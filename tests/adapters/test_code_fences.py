"""Issue #13.17: a long answer with code is sent in parts on Slack and Discord, and every part has balanced code
fences: a block cut in two is closed at the end of one part and reopened, with its language tag, in the next.
Also: a Discord message with a `webhook_id` is a bot's (not a question, not a superuser's answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from peerbot.adapters.discord_render import MESSAGE_LIMIT, split_text
from peerbot.adapters.fences import balance, open_fence
from peerbot.adapters.slack_render import SECTION_LIMIT, chunks
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, ESCALATIONS, GUILD, HELP, MARA, WORLD_COMMUNITY, open_world
from tests.adapters.fake_slack import COMMUNITY, running_slack
from tests.adapters.fake_slack import mention as slack_mention
from tests.factories import reply, thread

CODE_LINES = "\n".join(
    f"    bridge.pair(remote_{n}, timeout_s={n + 5})  # retry {n}: hold the button until the LED blinks"
    for n in range(90)
)
CODE_ANSWER = (
    "Pair them from a script, it is quicker than the app:\n\n```python\nimport lumo\n\n"
    f"def pair_all(bridge, remotes):\n{CODE_LINES}\n```\n\nThen restart the bridge once."
)
CODE_THREAD = thread(
    "pair-script",
    "Script to pair many Zigbee remotes at once",
    "How can I pair forty remotes without clicking through the app?",
    [reply(CODE_ANSWER, accepted=True, score=6)],
)
QUESTION = "Script to pair many Zigbee remotes at once"


def fences_balanced(part: str) -> bool:
    return part.count("```") % 2 == 0


def check_parts(parts: list[str]) -> None:
    """Every part balanced; a part continuing the code reopens it as ```python; no code line lost or cut."""
    assert len(parts) >= 2, "the answer should need several parts"
    assert all(fences_balanced(part) for part in parts), [part[-80:] for part in parts]
    continued = [part for part in parts[1:] if part.startswith("```")]
    assert continued and all(part.startswith("```python\n") for part in continued)
    whole = "\n".join(parts)
    for n in (0, 45, 89):
        assert f"    bridge.pair(remote_{n}, timeout_s={n + 5})" in whole  # with its indentation


# -- the splitting itself -------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [200, 700, MESSAGE_LIMIT])
def test_discord_split_balances_fences_and_stays_under_the_limit(limit: int) -> None:
    parts = split_text(CODE_ANSWER, limit)
    assert all(len(part) <= limit for part in parts)
    check_parts(parts)


@pytest.mark.parametrize("limit", [300, 1000, SECTION_LIMIT])
def test_slack_chunks_balance_fences_and_stay_under_the_limit(limit: int) -> None:
    pieces = chunks(CODE_ANSWER, limit)
    assert all(len(piece) <= limit for piece in pieces)
    check_parts(pieces)


def test_inline_code_and_blocks_that_close_in_the_same_part_are_left_alone() -> None:
    assert open_fence("run ```ls -l``` then ```py\nx = 1\n``` and go") is None
    assert open_fence("```js\nlet a") == "```js"
    assert open_fence("```" + "x" * 40 + "\nlong tag") == "```"  # not a language tag
    assert balance(["a ```sh\nls", "pwd\n``` b", "c"]) == ["a ```sh\nls\n```", "```sh\npwd\n``` b", "c"]
    assert split_text("no code " * 600) == [part for part in split_text("no code " * 600) if "```" not in part]


# -- end to end -----------------------------------------------------------------------------------------------


async def test_a_long_code_answer_on_discord_has_balanced_fences_in_every_message(tmp_path: Path) -> None:
    async with open_world(tmp_path, community=[*WORLD_COMMUNITY, CODE_THREAD]) as world:
        asked = await world.say(HELP, ALICE, QUESTION)
        await world.fake.wait_for(lambda: [s for s in world.fake.in_channel(asked["id"]) if s.custom_ids])
        parts = [s.content for s in world.fake.in_channel(asked["id"])]
        assert all(len(part) <= MESSAGE_LIMIT for part in parts)
        check_parts(parts)


async def test_a_long_code_answer_on_slack_has_balanced_fences_in_every_section(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=[*COMMUNITY, CODE_THREAD]) as slack:
        await slack.event(slack_mention(QUESTION))
        [answer] = await slack.fake.wait_for("chat.postMessage")
        sections = [b["text"]["text"] for b in answer.body["blocks"] if b["type"] == "section"]
        code = [s for s in sections if "bridge.pair" in s]
        assert all(len(s) <= SECTION_LIMIT for s in sections)
        check_parts(code)


# -- webhooks -------------------------------------------------------------------------------------------------


def webhook_message(channel_id: str, content: str, *, name: str = "Helpful Bridge") -> dict[str, Any]:
    """A message a webhook posted: `webhook_id`, an author that is the webhook (its id, any name it likes, no
    `member`). Discord documents the author's `bot` flag as optional, so it is left out here."""
    hook = p.snowflake()
    author = {k: v for k, v in p.user(hook, name).items() if k != "bot"}
    data = p.message(channel_id, author, content)
    data.update(guild_id=GUILD, webhook_id=hook)
    return data


async def test_a_webhook_message_is_a_bots_not_a_question_nor_a_human_answer(tmp_path: Path) -> None:
    async with open_world(tmp_path) as world:
        await world.fake.dispatch("MESSAGE_CREATE", webhook_message(HELP, "How do I factory reset a bulb?"))
        asked = await world.say(HELP, ALICE, "Can the quantum banana toaster run Doom?")
        await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
        # a webhook named like a superuser, in the escalated thread, is not that superuser answering
        await world.fake.dispatch("MESSAGE_CREATE", webhook_message(asked["id"], "Yes it can.", name=MARA["username"]))
        await world.fake.quiet()
        assert world.fake.reactions == []
        row = world.bot.store.open_escalation_in("discord", asked["id"])
        assert row is not None and row.status == "open" and row.answer is None
        assert [s.channel_id for s in world.fake.sent if s.via == "channel"] == [asked["id"], ESCALATIONS]
        assert world.bot.store.last_question("discord", ALICE["id"]) is not None
