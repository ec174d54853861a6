"""The Discord adapter end to end: the real discord.py client against a fake Discord on 127.0.0.1.

Each test connects the adapter (login, command sync, gateway IDENTIFY/READY/GUILD_CREATE), pushes gateway events
as Discord would and checks what reached the fake's REST API and the bot's SQLite state.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from peerbot.adapters.discord import DiscordAdapter
from peerbot.adapters.select import choose_adapter
from peerbot.bots import messages
from peerbot.bots.commands import COMMANDS
from peerbot.bots.config import Settings
from peerbot.bots.logs import JsonFormatter
from peerbot.bots.notices import Notice
from peerbot.errors import AdapterError, ConfigError
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import (
    ALICE,
    DEVON,
    EPHEMERAL,
    ESCALATIONS,
    FORUM,
    GENERAL,
    GUILD,
    HELP,
    LISTED_ADMIN,
    MANAGER,
    MARA,
    MESSAGE_CONTENT,
    PRIVATE,
    STAFF_ANSWER,
    SUPERUSER_ROLE,
    World,
    open_world,
)
from tests.conftest import make_settings

NO_PINGS = {"parse": []}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as w:
        yield w


async def test_ask_defers_then_follows_up_with_a_credited_answer(world: World) -> None:
    payload = await world.ask("How do I factory reset a bulb?")
    (answer,) = await world.answered(payload)

    first = world.fake.callbacks[0]
    assert first["type"] == 5  # deferred: "peerbot is thinking..."
    assert "Power-cycle the bulb five times" in answer.content
    assert "— Sam Member (12 kudos)" in answer.content
    assert "https://community.example/t/reset-bulb" in answer.content
    question_id = answer.custom_ids[0].rsplit(":", 1)[1]
    assert answer.custom_ids == [f"peerbot:{v}:{question_id}" for v in ("solved", "unhelpful", "human")]
    # the conversation continues in a thread started from the answer
    assert world.fake.threads_started == [answer.id]


async def test_mention_is_answered_in_a_thread_with_credit(world: World) -> None:
    asked = await world.say(GENERAL, ALICE, "my hub keeps dropping off wifi every night", mention=True)
    thread_id = asked["id"]  # a thread started from a message has the message's id

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(thread_id))
    assert "Put the hub on the 2.4 GHz band" in answer.content
    assert "— Mara Quinn" in answer.content
    assert "https://community.example/t/wifi" in answer.content
    assert answer.allowed_mentions == NO_PINGS
    assert len(answer.custom_ids) == 3


async def test_help_channel_messages_are_questions_elsewhere_only_mentions(world: World) -> None:
    await world.say(GENERAL, ALICE, "How do I factory reset a bulb?")
    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Power-cycle" in answer.content
    assert [s.channel_id for s in world.fake.sent] == [asked["id"]]


async def test_new_forum_post_is_answered_in_the_post(world: World) -> None:
    post = p.thread(p.snowflake(), GUILD, FORUM, "How do I factory reset a bulb", ALICE["id"], newly_created=True)
    await world.fake.dispatch("THREAD_CREATE", post)
    await world.say(post["id"], ALICE, "One bulb stopped responding to the app.", mid=post["id"])

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(post["id"]))
    assert "Power-cycle" in answer.content
    assert not [r for r in world.fake.requests if r[1].endswith("/threads")]  # the post is already a thread


async def test_no_good_match_pings_exactly_the_superusers(world: World) -> None:
    asked = await world.say(HELP, ALICE, "Can the quantum banana toaster run Doom?")

    (told,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "I've asked Mara Quinn, Devon Okafor" in told.content
    assert told.allowed_mentions == NO_PINGS
    assert told.custom_ids == []

    (ping,) = await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    assert ping.content.startswith(f"<@{MARA['id']}> <@{DEVON['id']}> <@&{SUPERUSER_ROLE}>")
    assert "quantum banana toaster" in ping.content
    assert f"https://discord.com/channels/{GUILD}/{asked['id']}" in ping.content
    assert "Closest community threads" in ping.content
    assert ping.allowed_mentions == {
        "parse": [],
        "users": [int(MARA["id"]), int(DEVON["id"])],
        "roles": [int(SUPERUSER_ROLE)],
    }


async def test_superuser_reply_in_the_thread_is_recorded(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="peerbot.adapters")
    asked = await world.say(HELP, ALICE, "Can the quantum banana toaster run Doom?")
    await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    thread_id = asked["id"]
    escalation = world.bot.store.open_escalation_in("discord", thread_id)
    assert escalation is not None

    await world.say(thread_id, ALICE, "anyone?")  # the asker's own follow-up is not an answer
    reply = await world.say(thread_id, MARA, "It can't; the toaster has no screen.")

    await world.fake.wait_for(lambda: world.fake.reactions)
    assert world.fake.reactions[0][:2] == (thread_id, reply["id"])
    row = world.bot.store.escalation(escalation.id)
    assert row is not None
    assert (row.status, row.answered_by, row.answer) == ("answered", "u-mara", "It can't; the toaster has no screen.")
    [logged] = [r for r in caplog.records if r.getMessage() == "superuser reply recorded"]
    assert json.loads(JsonFormatter().format(logged))["escalation_id"] == escalation.id  # fields, as Slack logs them
    # the bot tells the asker in their thread, with the buttons to say it solved it
    told = await world.fake.wait_for(
        lambda: [s for s in world.fake.in_channel(thread_id) if "answered your question" in s.content]
    )
    assert "It can't; the toaster has no screen." in told[0].content
    assert told[0].custom_ids[0] == f"peerbot:solved:{row.question_id}"
    assert told[0].allowed_mentions == NO_PINGS


async def test_upset_customer_gets_the_answer_and_a_person(world: World) -> None:
    asked = await world.say(HELP, ALICE, "This is the worst! My hub keeps dropping off wifi every night. Furious.")

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Put the hub on the 2.4 GHz band" in answer.content
    (ping,) = await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    assert "This is the worst!" in ping.content and ping.allowed_mentions is not None


async def test_feedback_button_is_recorded(world: World) -> None:
    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    solved = answer.custom_ids[0]
    question_id = int(solved.rsplit(":", 1)[1])

    press = await world.press(solved, answer)
    thanks = await world.response(press)

    assert thanks.content == messages.THANKS_SOLVED and thanks.ephemeral
    (row,) = world.bot.store.feedback_for(question_id)
    assert (row.user, row.verdict) == (ALICE["id"], "solved")


async def test_only_the_asker_or_a_superuser_can_press_the_feedback_buttons(world: World) -> None:
    """Bob pressing the buttons under Alice's answer gets a private refusal and nothing is recorded or escalated;
    a superuser's press counts."""
    bob = p.user("1200000000000000105", "bob")
    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    question_id = int(answer.custom_ids[0].rsplit(":", 1)[1])

    for custom_id in answer.custom_ids:  # solved, not helpful, ask a human
        refused = await world.response(await world.press(custom_id, answer, bob))
        assert refused.content == messages.NOT_YOUR_QUESTION and refused.ephemeral

    assert world.bot.store.feedback_for(question_id) == []
    assert world.bot.store.open_escalation_in("discord", asked["id"]) is None
    assert world.fake.in_channel(ESCALATIONS) == []
    thanks = await world.response(await world.press(answer.custom_ids[1], answer, MARA))
    assert thanks.content == messages.THANKS_UNHELPFUL and thanks.ephemeral
    (row,) = world.bot.store.feedback_for(question_id)
    assert (row.user, row.verdict) == (MARA["id"], "unhelpful")


async def test_ask_a_human_button_escalates_to_the_superusers(world: World) -> None:
    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))

    press = await world.press(answer.custom_ids[2], answer)

    told = await world.response(press)
    assert "I've passed your question to Mara Quinn, Devon Okafor" in told.content and told.ephemeral
    (ping,) = await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    assert ping.content.startswith(f"<@{MARA['id']}> <@{DEVON['id']}>")
    assert "> How do I factory reset a bulb?" in ping.content
    assert f"https://discord.com/channels/{GUILD}/{asked['id']}" in ping.content  # jump link to the thread
    assert ping.allowed_mentions is not None and ping.allowed_mentions["parse"] == []
    public = world.fake.in_channel(asked["id"])[-1]
    assert "Someone will reply here" in public.content and public.allowed_mentions == NO_PINGS
    assert world.bot.store.open_escalation_in("discord", asked["id"]) is not None


async def test_long_answer_is_split_under_the_limit_without_pings(world: World) -> None:
    asked = await world.say(HELP, ALICE, "How do I pair a Zigbee remote with the bridge?")

    parts = await world.fake.wait_for(lambda: [s for s in world.fake.in_channel(asked["id"]) if s.custom_ids])
    parts = world.fake.in_channel(asked["id"])
    assert len(parts) >= 4
    assert all(len(part.content) <= 2000 for part in parts)
    assert all(part.allowed_mentions == NO_PINGS for part in parts)
    assert [bool(part.custom_ids) for part in parts] == [False] * (len(parts) - 1) + [True]
    whole = "\n".join(part.content for part in parts)
    assert "Step 14:" in whole and "https://community.example/t/zigbee" in whole


async def test_mentions_inside_answers_stay_inert(world: World) -> None:
    asked = await world.say(HELP, ALICE, "Scheduled maintenance on the cloud?")

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "maintenance runs 2-3am UTC" in answer.content
    assert "@everyone" not in answer.content and "<@&123456789012345678>" not in answer.content
    assert answer.allowed_mentions == NO_PINGS


async def test_private_entry_is_never_shown_in_a_public_channel(world: World) -> None:
    public = await world.say(GENERAL, ALICE, "Firmware signing key rotation procedure?", mention=True)
    await world.fake.wait_for(lambda: world.fake.in_channel(public["id"]))
    await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))  # no public answer: escalated
    private = await world.say(PRIVATE, ALICE, "Firmware signing key rotation procedure?", mention=True)
    (staff_answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(private["id"]))

    shown_publicly = [s.content for s in world.fake.sent if s.channel_id != private["id"]]
    assert not any(STAFF_ANSWER in text or "/t/signing" in text for text in shown_publicly)
    assert STAFF_ANSWER in staff_answer.content  # the same question in the private channel it belongs to


async def test_admin_commands_refuse_non_admins(world: World) -> None:
    refused = await world.slash("peerbot", ALICE, options=[p.subcommand("reindex")])
    await world.fake.wait_for(lambda: len(world.fake.callbacks) == 1)
    assert world.fake.callbacks[0]["type"] == 4
    assert world.fake.callbacks[0]["data"]["content"] == messages.NOT_ADMIN
    assert world.fake.callbacks[0]["data"]["flags"] & EPHEMERAL
    assert refused["token"] in world.fake.originals

    listed = await world.slash("peerbot", LISTED_ADMIN, options=[p.subcommand("reindex")])
    reindexed = await world.response(listed)
    assert reindexed.content.startswith("Reindexed:") and reindexed.ephemeral

    manager = await world.slash(
        "peerbot", MANAGER, options=[p.subcommand("stats")], permissions=p.EVERYONE_PERMISSIONS | p.MANAGE_GUILD
    )
    stats = await world.response(manager)
    assert stats.content.startswith("Questions:") and stats.ephemeral


async def test_rate_limited_send_is_retried(world: World) -> None:
    mid = p.snowflake()
    world.fake.rate_limit("POST", rf"/channels/{mid}/messages$", times=1)

    await world.say(HELP, ALICE, "How do I factory reset a bulb?", mid=mid)

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(mid))
    assert "Power-cycle" in answer.content
    posts = [r for r in world.fake.requests if r[:2] == ("POST", f"/api/v10/channels/{mid}/messages")]
    assert len(posts) == 2  # the 429, then the retry


async def test_reconnect_resumes_the_session_and_keeps_answering(world: World) -> None:
    seq = world.fake.seq
    await world.fake.reconnect()

    (resume,) = await world.fake.wait_for(lambda: world.fake.resumes)
    assert (resume["session_id"], resume["seq"]) == ("session-1", seq)
    assert len(world.fake.identifies) == 1

    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
    assert "Power-cycle" in answer.content


async def test_event_replayed_after_resume_is_answered_once(world: World) -> None:
    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))

    world.fake.replay_on_resume.append(("MESSAGE_CREATE", asked))
    await world.fake.reconnect()
    await world.fake.wait_for(lambda: world.fake.resumes)
    later = await world.say(HELP, ALICE, "my hub keeps dropping off wifi every night")
    await world.fake.wait_for(lambda: world.fake.in_channel(later["id"]))

    assert len(world.fake.in_channel(asked["id"])) == 1
    threads = [r for r in world.fake.requests if r[1] == f"/api/v10/channels/{HELP}/messages/{asked['id']}/threads"]
    assert len(threads) == 1


async def test_failure_while_answering_gets_an_apology(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(question: object) -> None:
        raise RuntimeError("the index fell over")

    monkeypatch.setattr(world.bot, "handle", broken)
    await world.say(HELP, ALICE, "How do I factory reset a bulb?")
    (apology,) = await world.fake.wait_for(lambda: world.fake.in_channel(HELP))
    assert apology.content == messages.APOLOGY

    payload = await world.ask("How do I factory reset a bulb?")
    assert (await world.response(payload)).content == messages.APOLOGY
    assert len(world.errors.take("failed to")) == 2


async def test_missing_message_content_intent_reconnects_without_it(tmp_path: Path) -> None:
    async with open_world(tmp_path, allow_message_content=False) as world:
        first, second = world.fake.identifies
        assert first["intents"] & MESSAGE_CONTENT and not second["intents"] & MESSAGE_CONTENT
        (logged,) = world.errors.take("Message Content Intent")
        assert "Developer Portal" in logged.getMessage()

        # without the intent Discord sends help-channel messages with empty content: not questions
        await world.say(HELP, ALICE, "")
        asked = await world.say(GENERAL, ALICE, "How do I factory reset a bulb?", mention=True)
        (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
        assert "Power-cycle" in answer.content
        payload = await world.ask("my hub keeps dropping off wifi every night")
        (answer,) = await world.answered(payload)
        assert "2.4 GHz" in answer.content
        assert [s.channel_id for s in world.fake.sent] == [asked["id"]]


def test_missing_token_is_named(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(AdapterError, match="DISCORD_TOKEN"):
        DiscordAdapter.from_env(settings)

    monkeypatch.setenv("DISCORD_TOKEN", "a-token")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    adapter = choose_adapter(settings)
    assert isinstance(adapter, DiscordAdapter) and adapter.name == "discord"


def test_discord_ids_in_config_must_be_numbers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, discord={"help_channels": ["#help"]})
    with pytest.raises(ConfigError, match=r"discord.help_channels: .*'#help'"):
        DiscordAdapter(settings, "a-token")


async def test_direct_message_is_answered_in_the_dm(world: World) -> None:
    dm = p.snowflake()
    await world.fake.dispatch("MESSAGE_CREATE", p.message(dm, ALICE, "How do I factory reset a bulb?"))

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(dm))
    assert "Power-cycle" in answer.content and len(answer.custom_ids) == 3
    assert world.fake.threads_started == []


async def test_long_ask_answer_continues_in_its_thread(world: World) -> None:
    payload = await world.ask("How do I pair a Zigbee remote with the bridge?")
    first, *rest = await world.answered(payload, parts=4)

    assert world.fake.callbacks[0]["type"] == 5
    assert first.custom_ids == [] and rest and rest[-1].custom_ids
    assert all(part.channel_id == first.id for part in rest)  # in the thread started from the answer
    assert all(len(part.content) <= 2000 for part in [first, *rest])
    assert all(part.allowed_mentions == NO_PINGS for part in rest)


async def test_interaction_replayed_after_resume_is_answered_once(world: World) -> None:
    payload = await world.ask("How do I factory reset a bulb?")
    await world.answered(payload)

    world.fake.replay_on_resume.append(("INTERACTION_CREATE", payload))
    await world.fake.reconnect()
    await world.fake.wait_for(lambda: world.fake.resumes)
    await world.fake.quiet()

    tried = [r for r in world.fake.requests if r[1].startswith(f"/api/v10/interactions/{payload['id']}/")]
    assert len(tried) == 2 and len(world.fake.callbacks) == 1  # Discord refused the replay's acknowledgement
    assert world.fake.threads_started == [world.fake.originals[payload["token"]].id]


async def test_notices_from_the_bot_ping_only_their_superusers(world: World) -> None:
    mara = world.settings.superusers[0]
    assert world.bot.notifiers == [world.adapter]  # the core delivers ladder pings and announcements through us

    await world.adapter.deliver(
        [Notice("ping", "Still waiting: escalation #4 needs a person.", 4, (mara,)), Notice("announce", "🏅 Mara")]
    )

    ping, announcement = await world.fake.wait_for(
        lambda: world.fake.in_channel(ESCALATIONS)[1:] and world.fake.in_channel(ESCALATIONS)
    )
    assert ping.content == f"<@{MARA['id']}>\nStill waiting: escalation #4 needs a person."
    assert ping.allowed_mentions == {"parse": [], "users": [int(MARA["id"])]}
    assert announcement.content == "🏅 Mara" and announcement.allowed_mentions == {"parse": [], "users": []}


async def test_without_thread_permission_the_answer_replies_in_the_channel(world: World) -> None:
    world.fake.refuse("POST", r"/threads$")

    asked = await world.say(HELP, ALICE, "How do I factory reset a bulb?")

    (answer,) = await world.fake.wait_for(lambda: world.fake.in_channel(HELP))
    assert "Power-cycle" in answer.content
    assert str(answer.body["message_reference"]["message_id"]) == asked["id"]
    assert answer.allowed_mentions == NO_PINGS  # replying does not ping the asker either


async def test_exactly_one_superuser_claims_an_escalation(world: World) -> None:
    await world.say(HELP, ALICE, "Can the quantum banana toaster run Doom?")
    (ping,) = await world.fake.wait_for(lambda: world.fake.in_channel(ESCALATIONS))
    (claim,) = ping.custom_ids
    escalation_id = int(claim.rsplit(":", 1)[1])

    won = await world.response(await world.press(claim, ping, MARA))
    lost = await world.response(await world.press(claim, ping, DEVON))
    stranger = await world.response(await world.press(claim, ping, ALICE))

    assert won.content == messages.CLAIMED.format(id=escalation_id) and won.ephemeral
    assert lost.content == messages.ALREADY_CLAIMED.format(id=escalation_id, who="Mara Quinn")
    assert stranger.content == messages.NOT_SUPERUSER
    row = world.bot.store.escalation(escalation_id)
    assert row is not None and row.claimed_by == "u-mara"


async def test_every_chat_command_is_a_peerbot_subcommand(world: World) -> None:
    [group] = [c for c in world.fake.synced if c["name"] == "peerbot"]
    assert [o["name"] for o in group["options"]] == COMMANDS.names  # registered with Discord from the table
    asked = await world.slash("peerbot", ALICE, options=[p.subcommand("leaderboard")])
    board = await world.response(asked)
    assert board.content.startswith("No points earned") and board.ephemeral
