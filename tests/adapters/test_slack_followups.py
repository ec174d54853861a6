"""Follow-ups in the thread on Slack (issue 17): the real slack-bolt app and bot, a fake Slack Web API on 127.0.0.1.
The asker replies in the bot's thread as Slack delivers it: a `message` event with the thread's `thread_ts`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from peerbot.bots import messages
from tests.adapters.fake_slack import (
    ASKER,
    BOT_USER,
    COMMUNITY,
    ESCALATIONS,
    PUBLIC_HELP,
    Harness,
    message,
    running_slack,
)
from tests.bots.test_followups import FOLLOWUP_COMMUNITY, OFFLINE, POWER_CUT

THREADS = [*COMMUNITY, *(t for t in FOLLOWUP_COMMUNITY if t["id"].startswith("offline"))]


def db(harness: Harness) -> sqlite3.Connection:
    return sqlite3.connect(harness.settings.state_url.removeprefix("sqlite:///"))


def in_thread(harness: Harness, root_ts: str) -> list[dict[str, Any]]:
    return [p for p in harness.fake.posts(channel=PUBLIC_HELP) if p.get("thread_ts") == root_ts]


async def reply_in_thread(harness: Harness, root: dict[str, Any], text: str, user: str = ASKER) -> None:
    await harness.event(message(text, user=user, thread_ts=root["ts"]))
    await harness.settle()


async def test_didnt_work_gets_the_next_answer_in_the_thread_and_thanks_marks_it_solved(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=THREADS) as slack:
        root = message(OFFLINE)
        await slack.event(root)
        [first] = await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        assert first.body["thread_ts"] == root["ts"] and "closer to the router" in first.dump()

        await reply_in_thread(slack, root, POWER_CUT)
        second = in_thread(slack, root["ts"])[1]
        assert "Hold the hub button" in second["text"] and "Sorry that didn" in second["text"]
        assert second["blocks"][0]["text"]["text"] == "Sorry that didn't help. Here's the next best answer I have."
        assert any(b["type"] == "actions" for b in second["blocks"])  # its own "This solved it" buttons

        await reply_in_thread(slack, root, "still broken", user="UBOB")  # not the asker: no reply from the bot
        assert len(in_thread(slack, root["ts"])) == 2

        await reply_in_thread(slack, root, "Thanks, that fixed it!")
        thanks = in_thread(slack, root["ts"])[2]
        assert thanks["text"] == messages.THANKS_SOLVED.replace("&", "&amp;")
        rows = db(slack).execute("select question_id, user, verdict from feedback order by id").fetchall()
        asked = db(slack).execute("select id from questions order by id").fetchall()
        assert rows == [(asked[0][0], ASKER, "unhelpful"), (asked[1][0], ASKER, "solved")]
        assert slack.fake.posts(channel=ESCALATIONS) == []


async def test_nothing_better_escalates_with_the_thread_in_the_superusers_note(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=THREADS) as slack:
        root = message(OFFLINE)
        await slack.event(root)
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        await reply_in_thread(slack, root, "not helpful, it's the Gen 2 hub")
        [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        quoted = note.body["blocks"][1]["text"]["text"]
        assert quoted.endswith(
            "&gt; My hub goes offline\n"
            "&gt; More from the asker: not helpful, it's the Gen 2 hub\n"
            '&gt; Already shown to the asker, not solved: "Hub goes offline"'
        )
        told = in_thread(slack, root["ts"])[1]
        assert "Sorry that didn" in told["text"] and "(escalation #1)" in told["text"]

        await reply_in_thread(slack, root, "didn't work")  # people are asked already
        assert "already been asked" in in_thread(slack, root["ts"])[2]["text"]
        assert len(slack.fake.posts(channel=ESCALATIONS)) == 1


async def test_a_mention_in_the_thread_is_answered_once(tmp_path: Path) -> None:
    """Slack sends a thread reply that @mentions the bot twice (message and app_mention): one follow-up reply."""
    async with running_slack(tmp_path, community=THREADS) as slack:
        root = message(OFFLINE)
        await slack.event(root)
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        text = f"<@{BOT_USER}> {POWER_CUT}"
        reply = message(text, thread_ts=root["ts"])
        await slack.event(reply)
        await slack.event({**reply, "type": "app_mention"})
        await slack.settle()
        followed = in_thread(slack, root["ts"])[1:]
        assert len(followed) == 1 and "Hold the hub button" in followed[0]["text"]


async def test_followups_off_leaves_the_askers_replies_alone(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=THREADS, conversation={"followups": False}) as slack:
        root = message(OFFLINE)
        await slack.event(root)
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        await reply_in_thread(slack, root, POWER_CUT)
        assert len(in_thread(slack, root["ts"])) == 1


async def test_a_restarted_bot_continues_the_thread(tmp_path: Path) -> None:
    root = message(OFFLINE)
    async with running_slack(tmp_path, community=THREADS) as slack:
        await slack.event(root)
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
    async with running_slack(tmp_path, community=THREADS) as again:  # a new app and bot on the same state file
        await reply_in_thread(again, root, POWER_CUT)
        [followed] = in_thread(again, root["ts"])
        assert "Hold the hub button" in followed["text"]


async def test_a_reply_in_the_dm_thread_is_a_follow_up(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=THREADS) as slack:
        root = message(OFFLINE, channel="DASKER", channel_type="im")
        await slack.event(root)
        [first] = await slack.fake.wait_for("chat.postMessage", channel="DASKER")
        assert first.body["thread_ts"] == root["ts"]
        await slack.event(message(POWER_CUT, channel="DASKER", channel_type="im", thread_ts=root["ts"]))
        await slack.settle()
        _, second = slack.fake.posts(channel="DASKER")
        assert second["thread_ts"] == root["ts"] and "Hold the hub button" in second["text"]
