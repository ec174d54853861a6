"""One person across platforms (issue 18), end to end: Mara earns points on Slack while config.toml names her by
her Slack id, then on Discord once one `[[superusers]]` record carries her community, Slack and Discord ids; every
platform then shows her one balance and one leaderboard row. Through the real slack-bolt app and the real
discord.py client against the fake Slack and the fake Discord, and through the console."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.runtime import serve
from peerbot.bots.state import StateStore
from tests.adapters import fake_discord, fake_slack
from tests.adapters.fake_discord import open_world
from tests.adapters.fake_slack import ASKER, ESCALATIONS, PUBLIC_HELP, running_slack
from tests.adapters.test_discord_rewards import earn_points_through_the_workflow, peerbot_command
from tests.adapters.test_slack_workflow import LADDER, as_posted, buttons, message, peerbot, until
from tests.conftest import make_settings
from tests.factories import SMALL_COMMUNITY, reply, thread

SLACK_ID, DISCORD_ID = fake_slack.MARA, fake_discord.MARA["id"]
DEVON = {"name": "Devon Okafor", "community_id": "u-devon"}
BY_SLACK_ID = {"superusers": [{"name": "Mara Quinn", "community_id": SLACK_ID, "slack_id": SLACK_ID}, DEVON]}
ONE_PERSON = {
    "superusers": [
        {"name": "Mara Quinn", "community_id": "u-mara", "slack_id": SLACK_ID, "discord_id": DISCORD_ID},
        DEVON,
    ]
}


async def test_points_earned_on_slack_and_discord_are_one_balance_on_each(tmp_path: Path) -> None:
    async with running_slack(tmp_path, settings_extra=BY_SLACK_ID) as slack:  # answered + accepted: 15 points
        asked = message(LADDER)
        await slack.event(asked)
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.event(
            message("Turn off band steering, then power-cycle the hub.", user=SLACK_ID, thread_ts=asked["ts"])
        )
        await slack.fake.wait_for("chat.postEphemeral", user=SLACK_ID)
        told = slack.fake.posts(channel=PUBLIC_HELP)[-1]
        await slack.press(buttons(told)["This solved it"], user=ASKER, channel=PUBLIC_HELP, posted=as_posted(told))
        await until(lambda: any("Thanks to Mara Quinn" in p["text"] for p in slack.fake.posts(channel=PUBLIC_HELP)))
        assert "Mara Quinn: 15 points" in await peerbot(slack, "me", SLACK_ID)

    async with open_world(tmp_path, settings_extra=ONE_PERSON) as world:  # claimed + answered + accepted: 17
        await earn_points_through_the_workflow(world)
        mine = await world.response(await world.slash("peerbot", fake_discord.MARA, options=peerbot_command("me")))
        assert "Mara Quinn: 32 points (Helper)" in mine.content
        board = await world.response(
            await world.slash("peerbot", fake_discord.ALICE, options=peerbot_command("leaderboard"))
        )
        assert [line for line in board.content.splitlines() if "Mara" in line] == [
            "1. Mara Quinn: 32 points (Helper) · First Answer, Fast Responder"  # each badge once
        ]

    async with running_slack(tmp_path, settings_extra=ONE_PERSON) as slack:
        assert "Mara Quinn: 32 points (Helper)" in await peerbot(slack, "me", SLACK_ID)
        assert (await peerbot(slack, "leaderboard", ASKER)).count("Mara Quinn") == 1


def console(root: Path, lines: str, asker: str, community: list[dict[str, Any]] | None = None, **settings: Any) -> str:
    configured = make_settings(root, community, **settings)
    embedder = wiring.open_embedder(configured)
    wiring.reindex(configured, embedder)
    kb, _ = wiring.load_knowledge(configured, embedder)
    bot = wiring.make_bot(configured, embedder, kb)
    out = io.StringIO()
    try:
        asyncio.run(serve(bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
    finally:
        bot.close()
    return out.getvalue()


def test_the_console_shows_one_balance_and_one_welcome_for_points_earned_under_the_slack_id(tmp_path: Path) -> None:
    """Mara reached the Welcome tier on Slack (her points and grant kept under her Slack id); on the console,
    as her community id, she earns more: one balance, one row, and Welcome is not granted again."""
    rewards = [{"name": "Welcome", "points": 1, "kind": "thanks"}]
    before = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    before.add_points(SLACK_ID, 15, "accepted", "esc-slack-1")
    before.grant_reward(SLACK_ID, "Welcome", "thanks", None)
    before.close()

    question = console(tmp_path, "sourdough pizza recipe?\n", "alice", rewards=rewards, **ONE_PERSON)
    assert "[escalation #1 recorded" in question
    transcript = console(
        tmp_path,
        "/claim 1\n/answer 1 Use a stone at 250 °C.\n/me\n/leaderboard\n",
        "u-mara",
        rewards=rewards,
        **ONE_PERSON,
    )
    assert "Mara Quinn: 22 points (Helper)" in transcript  # 15 from Slack, claimed 2 + answered 5 here
    assert "  - Welcome (thanks): granted on" in transcript
    assert "[private message to Mara Quinn]" not in transcript  # Welcome was hers already
    assert [line for line in transcript.splitlines() if "Mara Quinn:" in line and "points" in line] == [
        "peerbot> Mara Quinn: 22 points (Helper)",
        "1. Mara Quinn: 22 points (Helper) · First Answer, Fast Responder",
    ]


def test_deflection_credit_reaches_the_person_for_an_answer_written_on_slack(tmp_path: Path) -> None:
    """The bulb reset answer came from a Slack export (author id: Mara's Slack id); a bot answer built on it
    solves a console asker's question: Mara gets the credit, as herself."""
    from_slack = thread(
        "reset-bulb",
        "How do I factory reset a bulb",
        "One bulb stopped responding to the app.",
        [reply("Power-cycle the bulb five times, one second apart.", "Mara Quinn", score=12, author_id=SLACK_ID)],
    )
    community = [from_slack if t["id"] == "reset-bulb" else t for t in SMALL_COMMUNITY]
    transcript = console(
        tmp_path, "How do I factory reset a bulb?\n/solved\n/leaderboard\n", "bob", community=community, **ONE_PERSON
    )
    assert "Power-cycle the bulb five times" in transcript
    assert "1. Mara Quinn: 3 points (Newcomer)" in transcript
