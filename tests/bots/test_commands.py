"""The command table: every chat command declared once; help, Slack's `/peerbot` subcommands and Discord's
`/peerbot` group all come from it, and the bot enforces who may use each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerbot.bots import messages
from peerbot.bots.commands import COMMANDS, Access, Call, Command, CommandTable
from peerbot.bots.conversation import Outcome, Reply
from tests.conftest import TestBot


async def _pong(bot: object, call: Call) -> Reply:
    return Reply(Outcome.COMMAND, f"pong {call.args}".strip())


PONG = Command("pong", Access.ANYONE, "[word]", "answer pong", _pong)
WITH_PONG = COMMANDS.with_command(PONG)


def test_help_lists_every_command_of_the_table(testbot: TestBot) -> None:
    text = testbot.ask("/help").text
    for command in COMMANDS:
        assert f"/{command.usage}" in text and command.help in text


def test_a_command_added_to_the_table_shows_in_help_and_runs(testbot: TestBot) -> None:
    testbot.bot.commands = WITH_PONG
    assert "/pong [word]  answer pong" in testbot.ask("/help").text
    assert testbot.ask("/pong hello").text == "pong hello"
    assert testbot.ask("/PONG").text == "pong"


def test_the_bot_enforces_who_may_use_a_command(testbot: TestBot) -> None:
    assert testbot.ask("/reindex", admin=False).text == messages.NOT_ADMIN
    assert testbot.ask("/claim 1", asker="u-nobody").text == messages.NOT_SUPERUSER
    assert testbot.ask("/claim soon", asker="u-mara").text == messages.UNKNOWN_COMMAND.format(name="/claim soon")
    assert testbot.ask("/frobnicate").text == messages.UNKNOWN_COMMAND.format(name="/frobnicate")


def test_command_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        CommandTable([PONG, PONG])


async def test_slack_peerbot_subcommands_come_from_the_table(tmp_path: Path) -> None:
    from tests.adapters.fake_slack import running_slack

    async with running_slack(tmp_path) as slack:
        slack.bot.commands = WITH_PONG
        _, body = await slack.command("/peerbot", "help")
        help_text = json.loads(body)["text"]
        for command in WITH_PONG:
            assert f"`/peerbot {command.usage}`" in help_text
        await slack.command("/peerbot", "pong there")
        [answer] = await slack.fake.wait_for("respond:command")
        assert answer.body["text"] == "pong there"


def test_discord_peerbot_group_comes_from_the_table(testbot: TestBot) -> None:
    pytest.importorskip("discord")
    from peerbot.adapters.discord import DiscordAdapter
    from peerbot.adapters.discord_client import PeerbotClient

    testbot.bot.commands = WITH_PONG
    client = PeerbotClient(testbot.bot, testbot.settings, intents=DiscordAdapter.intents(), guild_ready_timeout=0)
    group = client.tree.get_command("peerbot")
    assert group is not None
    subcommands = {c.name: c for c in group.walk_commands()}  # type: ignore[union-attr]
    assert list(subcommands) == WITH_PONG.names
    [option] = subcommands["pong"].parameters  # type: ignore[union-attr]
    assert (option.name, option.required) == ("arguments", False)
    [number] = subcommands["claim"].parameters  # type: ignore[union-attr]
    assert number.required
