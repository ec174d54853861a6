"""The conversation on Slack (issue 17): real slack-bolt app, real bot, fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from peerbot.bots import messages
from tests.adapters.fake_slack import ASKER, ESCALATIONS, MARA, PUBLIC_HELP, Harness, message, running_slack

PIZZA = "What's the best recipe for sourdough pizza crust?"


@pytest.fixture
async def scoped(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_slack(tmp_path, scope={"enabled": True}) as harness:
        yield harness


def db(harness: Harness) -> sqlite3.Connection:
    return sqlite3.connect(harness.settings.state_url.removeprefix("sqlite:///"))


def buttons(post: dict[str, Any]) -> dict[str, str]:
    actions = [b for b in post.get("blocks", []) if b["type"] == "actions"]
    return {e["text"]["text"]: e["action_id"] for b in actions for e in b["elements"]}


async def test_off_topic_question_pings_nobody_until_the_asker_asks_a_human_anyway(scoped: Harness) -> None:
    post = message(PIZZA)
    await scoped.event(post)
    [told] = await scoped.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
    await scoped.settle()
    assert told.body["thread_ts"] == post["ts"]
    assert "outside what this community covers" in told.body["text"]
    assert "/peerbot human" in told.body["text"]  # the command as Slack spells it
    assert list(buttons(told.body)) == [messages.ASK_ANYWAY_LABEL]
    assert scoped.fake.posts(channel=ESCALATIONS) == []
    assert db(scoped).execute("select count(*) from escalations").fetchone() == (0,)

    posted = told.body | {"ts": "1700000000.000009"}
    action = buttons(told.body)[messages.ASK_ANYWAY_LABEL]
    assert await scoped.press(action, user=ASKER, channel=PUBLIC_HELP, posted=posted) == 200
    [note] = await scoped.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    assert "sourdough pizza crust" in note.dump()
    assert db(scoped).execute("select asker, question from escalations").fetchall() == [(ASKER, PIZZA)]


MARS = "Can I pay for Lumo Plus with bitcoin on mars?"


async def test_two_askers_one_escalation_one_note_and_the_answer_reaches_both_threads(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        first = message(MARS, user=ASKER, ts="1700000100.000001")
        await slack.event(first)
        [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        second = message(MARS.lower(), user="UBOB", ts="1700000200.000001")
        await slack.event(second)
        await slack.settle()
        told_bob = [p for p in slack.fake.posts(channel=PUBLIC_HELP) if p.get("thread_ts") == second["ts"]]
        assert len(told_bob) == 1 and "2 people asked this" in told_bob[0]["text"]
        assert len(slack.fake.posts(channel=ESCALATIONS)) == 1  # no second note, no second ping
        assert f"<@{MARA}>" in note.body["text"]

        await slack.event(message("Only card payments, sorry.", user=MARA, thread_ts=first["ts"]))
        await slack.settle()
        answered = [p for p in slack.fake.posts(channel=PUBLIC_HELP) if "Only card payments" in p["text"]]
        assert {p["thread_ts"] for p in answered} == {first["ts"], second["ts"]}  # each asker, own thread
        assert all(buttons(p) for p in answered)  # each can say it solved it


async def test_a_members_escalations_are_throttled_on_slack(tmp_path: Path) -> None:
    async with running_slack(tmp_path, conversation={"max_escalations_per_hour": 1}) as slack:
        await slack.event(message("Where do zebras sleep at night?", ts="1700000300.000001"))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        held = message("Is a violin hard to tune?", ts="1700000400.000001")
        await slack.event(held)
        await slack.settle()
        [told] = [p for p in slack.fake.posts(channel=PUBLIC_HELP) if p.get("thread_ts") == held["ts"]]
        assert "the most I can" in told["text"]
        assert len(slack.fake.posts(channel=ESCALATIONS)) == 1
