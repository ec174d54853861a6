"""The superuser's day on Slack, end to end: real slack-bolt AsyncApp, real bot on a controllable clock, fake
Slack Web API on 127.0.0.1. Ladder pings, "Claim it", answers back in the asker's thread, knowledge capture,
announcements, urgent answers and the `/peerbot` superuser commands."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from peerbot.adapters.slack_render import escape
from peerbot.bots import messages
from peerbot.bots.notices import Notice
from tests.adapters.fake_slack import (
    ASKER,
    DEVON,
    ELSEWHERE,
    ESCALATIONS,
    MARA,
    PUBLIC_HELP,
    Clock,
    Harness,
    mention,
    message,
    running_slack,
)

LADDER = "hub offline at midnight with the mesh router band steering"  # Mara's topic, no trusted answer
NO_MATCH = "Can I pay with bitcoin on mars?"  # nobody's topic: both superusers at once
RESET = "How do I factory reset a bulb"
URGENT = "This is the worst! How do I factory reset a bulb? Furious."


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def slack(tmp_path: Path, clock: Clock) -> AsyncIterator[Harness]:
    async with running_slack(tmp_path, clock=clock) as harness:
        yield harness


def db(harness: Harness) -> sqlite3.Connection:
    return sqlite3.connect(harness.settings.state_url.removeprefix("sqlite:///"))


def buttons(post: dict[str, Any]) -> dict[str, str]:
    actions = [b for b in post.get("blocks", []) if b["type"] == "actions"]
    return {e["text"]["text"]: e["action_id"] for b in actions for e in b["elements"]}


def pings(post: dict[str, Any]) -> set[str]:
    return set(re.findall(r"<[@!][^>]*>", json.dumps(post)))


def as_posted(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"ts": "1700000000.999999"}


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def peerbot(slack: Harness, text: str, user: str) -> str:
    """`/peerbot text` typed by user; the private answer it got."""
    seen = len(slack.fake.called("respond:command"))
    status, body = await slack.command("/peerbot", text, user=user)
    assert status == 200 and body == ""  # acked at once, answered through response_url
    answer = (await slack.fake.wait_for("respond:command", count=seen + 1))[-1].body
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


# -- pings and claims -----------------------------------------------------------------------------------------


async def test_an_unclaimed_escalation_climbs_the_ladder_to_the_next_expert(tmp_path: Path, clock: Clock) -> None:
    async with running_slack(tmp_path, clock=clock, dm_superusers=True) as slack:
        await slack.event(message(LADDER))
        [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.fake.wait_for("chat.postMessage", channel=MARA)
        assert pings(note.body) == {f"<@{MARA}>"}  # the expert of the topic first
        assert buttons(note.body) == {"Claim it": "peerbot_claim:1"}
        assert await slack.bot.tick() == []  # not due yet
        clock.advance(31)
        [ping] = await slack.bot.tick()
        assert ping.kind == "ping" and ping.escalation_id == 1
        reping = (await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=2))[-1].body
        assert pings(reping) == {f"<@{DEVON}>"}  # only the next expert, nobody else
        assert reping["text"].startswith(f"<@{DEVON}> Still waiting: escalation #1 needs a person.")
        assert "/peerbot claim 1" in reping["text"] and "&gt; hub offline at midnight" in reping["text"]
        assert buttons(reping) == {"Claim it": "peerbot_claim:1"}
        [dm] = await slack.fake.wait_for("chat.postMessage", channel=DEVON)
        assert dm.body["text"] == reping["text"]


async def test_claim_it_pressed_by_two_superusers_has_one_winner(slack: Harness, clock: Clock) -> None:
    await slack.event(message(NO_MATCH))
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    claim = buttons(note.body)["Claim it"]
    presses = [
        slack.press(claim, user=who, channel=ESCALATIONS, posted=as_posted(note.body), response=who)
        for who in (MARA, DEVON, ASKER)
    ]
    assert await asyncio.gather(*presses) == [200, 200, 200]
    said = {who: (await slack.fake.wait_for(f"respond:{who}"))[0].body for who in (MARA, DEVON, ASKER)}
    assert all(s["response_type"] == "ephemeral" and s["replace_original"] is False for s in said.values())
    claimed_by = db(slack).execute("select claimed_by from escalations where id = 1").fetchone()[0]
    winner, loser = (MARA, DEVON) if claimed_by == "u-mara" else (DEVON, MARA)
    assert said[winner]["text"].startswith("You've claimed escalation #1: nobody else will be pinged.")
    assert "/peerbot answer 1 &lt;text&gt;" in said[winner]["text"]
    name = "Mara Quinn" if winner == MARA else "Devon Okafor"
    assert said[loser]["text"] == messages.ALREADY_CLAIMED.format(id=1, who=name)
    assert said[ASKER]["text"] == messages.NOT_SUPERUSER
    clock.advance(120)
    assert await slack.bot.tick() == []  # a claimed escalation pings nobody again


async def test_an_upset_asker_gets_the_answer_and_a_superuser_is_pinged_too(slack: Harness) -> None:
    event = mention(URGENT)
    await slack.event(event)
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    [answer] = slack.fake.posts(channel=ELSEWHERE)
    assert answer["thread_ts"] == event["ts"]
    assert "Power-cycle the bulb" in answer["text"] and "asked a person to follow up" in answer["text"]
    assert pings(note.body) == {f"<@{MARA}>", f"<@{DEVON}>"}  # nobody's topic: the whole group
    assert "URGENT: the asker sounds upset." in note.body["text"]
    dumped = note.dump()
    assert "I answered them with <https://community.example/t/reset-bulb|How do I factory reset a bulb>" in dumped
    assert "Closest community threads" not in dumped  # the answer is not a near miss
    assert "Claim it" in buttons(note.body)


# -- answers back to the asker, knowledge, recognition --------------------------------------------------------


async def test_a_superusers_answer_reaches_the_asker_and_becomes_knowledge(slack: Harness, clock: Clock) -> None:
    asked = message(LADDER)
    await slack.event(asked)
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    clock.advance(5)
    answer = "Turn off band steering on the mesh router, then power-cycle the hub. <!channel>"
    await slack.event(message(answer, user=MARA, thread_ts=asked["ts"]))
    await slack.fake.wait_for("chat.postEphemeral", user=MARA)  # "recorded": the notices went out before it
    told = slack.fake.posts(channel=PUBLIC_HELP)[-1]
    assert told["thread_ts"] == asked["ts"]
    assert told["text"].startswith("A community expert, Mara Quinn, answered your question (escalation #1)")
    assert "Turn off band steering" in told["text"] and "Type /peerbot solved" in told["text"]
    assert "<!" not in json.dumps(told)  # what the superuser wrote pings nobody
    question_id = db(slack).execute("select question_id from escalations").fetchone()[0]
    assert buttons(told)["This solved it"] == f"peerbot_feedback:solved:{question_id}"
    announced = [p["text"] for p in slack.fake.posts(channel=ESCALATIONS)[1:]]
    assert announced == [
        '🏅 Mara Quinn earned the "First Answer" badge.',
        '🏅 Mara Quinn earned the "Fast Responder" badge.',
    ]

    await slack.press(buttons(told)["This solved it"], user=ASKER, channel=PUBLIC_HELP, posted=as_posted(told))
    [thanks] = await slack.fake.wait_for("respond:button")
    assert thanks.body["text"] == escape(messages.THANKS_SOLVED)
    assert db(slack).execute("select status from escalations").fetchone()[0] == "resolved"

    again = mention(LADDER)  # the next customer gets the captured answer, credited to Mara
    await slack.event(again)
    [reply] = await slack.fake.wait_for("chat.postMessage", channel=ELSEWHERE)
    assert "Turn off band steering" in reply.body["text"] and "Mara Quinn" in reply.body["text"]

    board = await peerbot(slack, "leaderboard 7", ASKER)
    assert board.startswith("Top community helpers in the last 7 days:")
    assert "1. Mara Quinn: 15 points (Newcomer) · First Answer, Fast Responder" in board


async def test_only_the_asker_can_say_a_human_answer_solved_it(slack: Harness, clock: Clock) -> None:
    """Another member pressing "This solved it" under someone else's answer neither resolves the escalation nor
    awards its superuser points: they are told privately (through the response_url) and nothing is recorded."""
    asked = message(LADDER)
    await slack.event(asked)
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    await slack.event(message("Turn off band steering on the mesh router.", user=MARA, thread_ts=asked["ts"]))
    await slack.fake.wait_for("chat.postEphemeral", user=MARA)
    told = slack.fake.posts(channel=PUBLIC_HELP)[-1]
    for n, label in enumerate(("This solved it", "Not helpful", "Ask a human")):
        status = await slack.press(
            buttons(told)[label], user="UOTHER", channel=PUBLIC_HELP, posted=as_posted(told), response=f"other{n}"
        )
        assert status == 200
        [refused] = await slack.fake.wait_for(f"respond:other{n}")
        assert refused.body["text"] == escape(messages.NOT_YOUR_QUESTION)
        assert refused.body["response_type"] == "ephemeral" and refused.body["replace_original"] is False
    await slack.settle()
    store = db(slack)
    assert store.execute("select status from escalations").fetchall() == [("answered",)]
    assert store.execute("select count(*) from feedback").fetchone()[0] == 0
    assert store.execute("select count(*) from points where reason = 'accepted'").fetchone()[0] == 0
    assert len(slack.fake.posts(channel=ESCALATIONS)) == 3  # the note and Mara's two badges: no new escalation

    await slack.press(buttons(told)["This solved it"], user=ASKER, channel=PUBLIC_HELP, posted=as_posted(told))
    [thanks] = await slack.fake.wait_for("respond:button")
    assert thanks.body["text"] == escape(messages.THANKS_SOLVED)
    assert store.execute("select status from escalations").fetchone()[0] == "resolved"


async def test_notices_for_other_platforms_are_skipped_and_a_failure_does_not_stop_the_rest(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.errors["chat.postMessage"] = ["channel_not_found"]
    await slack.adapter.deliver(
        [
            Notice("asker", "Sorry, nobody could answer.", 98, platform="slack", channel="CGONE", thread="CGONE:1.0"),
            Notice("asker", "For Discord", 99, platform="discord", channel="123", thread="123"),
            Notice("announce", "🏅 Mara Quinn is now a Helper! (20 points)"),
        ]
    )
    [announcement] = slack.fake.posts()
    assert announcement["channel"] == ESCALATIONS and "Mara Quinn is now a Helper" in announcement["text"]
    assert "failed to deliver a notice" in caplog.text


# -- /peerbot commands ----------------------------------------------------------------------------------------


async def test_peerbot_human_escalates_the_last_question_in_its_thread(slack: Harness) -> None:
    asked = mention(RESET)
    await slack.event(asked)
    await slack.fake.wait_for("chat.postMessage", channel=ELSEWHERE)
    assert "passed your question" in await peerbot(slack, "human", ASKER)
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    assert RESET in note.dump() and pings(note.body) == {f"<@{MARA}>", f"<@{DEVON}>"}
    told = slack.fake.posts(channel=ELSEWHERE)[-1]
    assert told["thread_ts"] == asked["ts"] and "passed your question" in told["text"]
    assert db(slack).execute("select thread from escalations").fetchone()[0] == f"{ELSEWHERE}:{asked['ts']}"
    assert "already been asked" in await peerbot(slack, "human", ASKER)


async def test_superuser_commands_and_the_review_queue(slack: Harness) -> None:
    asked = message(NO_MATCH)
    await slack.event(asked)
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    await slack.event(message("Only card payments, sorry.", user="UHELPER", thread_ts=asked["ts"]))
    await until(lambda: db(slack).execute("select count(*) from review_queue").fetchone()[0] == 1)
    assert await peerbot(slack, "review", ASKER) == messages.NOT_SUPERUSER
    queue = await peerbot(slack, "review", MARA)
    assert "R1 for escalation #1 by UHELPER: Only card payments, sorry." in queue
    assert "(/peerbot approve R)" in queue
    assert await peerbot(slack, "approve R1", MARA) == messages.APPROVED.format(id=1, who="UHELPER")
    assert await peerbot(slack, "claim 1", DEVON) == messages.NOT_OPEN.format(id=1, status="resolved")
    assert await peerbot(slack, "accept 1", MARA) == messages.NOTHING_TO_ACCEPT.format(id=1)
    assert await peerbot(slack, "away", DEVON) == "Got it: no escalation pings for you until you type /peerbot back."
    assert await peerbot(slack, "back", DEVON) == messages.BACK
    _, body = await slack.command("/peerbot", "help")
    assert "/peerbot claim N" in json.loads(body)["text"]


async def test_a_question_asked_by_dm_is_answered_with_peerbot_answer(slack: Harness) -> None:
    asked = message(NO_MATCH, channel="DASKER", channel_type="im")
    await slack.event(asked)
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    assert "answer with /peerbot answer 1 &lt;your answer&gt;" in note.dump()
    recorded = await peerbot(slack, "answer 1 Only card payments, sorry <@UASKER>.", MARA)
    assert recorded.startswith("Thanks! Your answer to escalation #1 is recorded")
    told = slack.fake.posts(channel="DASKER")[-1]
    assert told["thread_ts"] == asked["ts"] and "Only card payments, sorry @UASKER." in told["text"]
    assert "This solved it" in buttons(told)


async def test_announcements_go_to_the_announce_channel_when_configured(tmp_path: Path, clock: Clock) -> None:
    async with running_slack(tmp_path, clock=clock, announce_channel="CKUDOS") as harness:
        await harness.adapter.deliver([Notice("announce", '🏅 Mara Quinn earned the "First Answer" badge.')])
        [announcement] = harness.fake.posts()
        assert announcement["channel"] == "CKUDOS" and "First Answer" in announcement["text"]
