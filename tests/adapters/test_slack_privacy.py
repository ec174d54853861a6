"""Issue #13.1 on Slack: whether a conversation is private comes from what Slack says about it
(`conversations.info`: is_private / is_im / is_mpim), never from the shape of its id. New private channels have
C ids like public ones. Real slack-bolt app, real bot, fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from peerbot.adapters.slack_lookup import TtlCache
from tests.adapters.fake_slack import (
    ASKER,
    ELSEWHERE,
    ESCALATIONS,
    MARA,
    PRIVATE_C,
    PRIVATE_HELP,
    FakeSlack,
    Harness,
    mention,
    message,
    running_slack,
)

UPSET_BETA = "This is the worst! How does the beta sunrise schedule work? Furious."
BETA_TITLE = "Adaptive Sunrise in firmware 5 beta"  # the private entry's title (it lives in PRIVATE_HELP)
SECRET_QUESTION = "How do I open the prototype lab door after hours"
SECRET_ANSWER = "Hold the lab door button for 10 seconds, then type 4711 on the keypad."


def db(harness: Harness) -> sqlite3.Connection:
    return sqlite3.connect(harness.settings.state_url.removeprefix("sqlite:///"))


def buttons(post: dict[str, Any]) -> dict[str, str]:
    actions = [b for b in post.get("blocks", []) if b["type"] == "actions"]
    return {e["text"]["text"]: e["action_id"] for b in actions for e in b["elements"]}


def posted_in(slack: Harness, channel: str, since: int = 0) -> str:
    return "\n".join(c.dump() for c in slack.fake.calls[since:] if c.body.get("channel") == channel)


async def test_an_answer_captured_in_a_private_c_channel_is_served_only_there(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        # /ask in a private channel whose id starts with C: nothing in the knowledge base, so it escalates
        await slack.command("/ask", SECRET_QUESTION, channel=PRIVATE_C)
        root, told = await slack.fake.wait_for("chat.postMessage", channel=PRIVATE_C, count=2)
        root_ts = root.result["ts"]
        assert told.body["thread_ts"] == root_ts and "escalation #1" in told.body["text"]
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)

        # a superuser answers in the asker's thread; the asker presses "This solved it" under the answer
        await slack.event(message(SECRET_ANSWER, channel=PRIVATE_C, channel_type="group", user=MARA, thread_ts=root_ts))
        answered = (await slack.fake.wait_for("chat.postMessage", channel=PRIVATE_C, count=3))[-1]
        assert SECRET_ANSWER in answered.body["text"]
        solved = buttons(answered.body)["This solved it"]
        posted = answered.body | answered.result
        assert await slack.press(solved, user=ASKER, channel=PRIVATE_C, posted=posted) == 200
        await slack.fake.wait_for("respond:button")
        await slack.settle()
        assert db(slack).execute("select status from escalations").fetchone() == ("resolved",)

        # the captured answer: never in a public channel (nor in the note to superusers there) ...
        seen = len(slack.fake.calls)
        await slack.event(mention(SECRET_QUESTION, channel=ELSEWHERE))
        await slack.command("/ask", SECRET_QUESTION, channel=ELSEWHERE)
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=3)
        await slack.settle()
        assert "4711" not in posted_in(slack, ELSEWHERE, seen)
        assert "4711" not in posted_in(slack, ESCALATIONS, seen)

        # ... and served in the private channel it was asked in
        seen = len(slack.fake.calls)
        await slack.event(mention(SECRET_QUESTION, channel=PRIVATE_C))
        # the 4th post there is the thank-you line to Mara when the asker said it solved it
        served = (await slack.fake.wait_for("chat.postMessage", channel=PRIVATE_C, count=5))[-1]
        assert SECRET_ANSWER in served.body["text"]
        assert db(slack).execute("select public from escalations where id = 1").fetchone() == (0,)


async def test_a_mention_in_a_private_c_channel_is_private_and_the_lookup_is_cached(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        for _ in range(2):
            await slack.event(mention("Can I pay with bitcoin on mars?", channel=PRIVATE_C))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=2)
        await slack.settle()
        assert db(slack).execute("select public from questions").fetchall() == [(0,), (0,)]
        assert len(slack.fake.called("conversations.info", channel=PRIVATE_C)) == 1  # asked once, then cached


async def test_when_slack_cannot_say_the_conversation_counts_as_private(tmp_path: Path) -> None:
    def no_scope(fake: FakeSlack) -> None:
        fake.errors["conversations.info"] = ["missing_scope"]

    async with running_slack(tmp_path, prepare=no_scope) as slack:
        await slack.event(mention("Can I pay with bitcoin on mars?", channel=ELSEWHERE))  # lookup refused
        await slack.event(mention("Can I pay with bitcoin on mars?", channel="CUNKNOWN"))  # channel_not_found
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=2)
        await slack.settle()
        assert dict(db(slack).execute("select channel, public from questions").fetchall()) == {
            ELSEWHERE: 0,
            "CUNKNOWN": 0,
        }


async def test_public_channels_group_dms_and_dms_are_what_slack_says_they_are(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        await slack.event(mention("Can I pay with bitcoin on mars?", channel=ELSEWHERE))
        await slack.event(mention("Can I pay with bitcoin on mars?", channel="GMPIM"))
        await slack.event(message("Can I pay with bitcoin on mars?", channel="DASKER", channel_type="im"))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=3)
        await slack.settle()
        assert dict(db(slack).execute("select channel, public from questions").fetchall()) == {
            ELSEWHERE: 1,
            "GMPIM": 0,
            "DASKER": 0,
        }


def test_the_visibility_cache_forgets_after_its_ttl_and_holds_a_bounded_number() -> None:
    now = [0.0]
    cache: TtlCache[str, bool] = TtlCache(ttl=300, size=2, clock=lambda: now[0])
    cache.put("C1", True)
    now[0] = 299.0
    assert cache.get("C1") is True
    now[0] = 300.0
    assert cache.get("C1") is None  # a channel made private since is asked about again
    for channel in ("C1", "C2", "C3"):
        cache.put(channel, True)
    assert len(cache) == 2 and cache.get("C1") is None and cache.get("C3") is True


async def answered_privately_note(slack: Harness, escalations: str) -> str:
    """An upset asker in the private beta channel gets the private beta answer; the superusers' note."""
    await slack.event(message(UPSET_BETA, channel=PRIVATE_HELP, channel_type="group"))
    [answer] = await slack.fake.wait_for("chat.postMessage", channel=PRIVATE_HELP)
    assert "Adaptive Sunrise ramps over 30 minutes" in answer.body["text"]  # the asker may read it
    [note] = await slack.fake.wait_for("chat.postMessage", channel=escalations)
    await slack.settle()
    return note.dump()


async def test_an_urgent_note_in_a_public_escalation_channel_does_not_name_a_private_answer(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        dumped = await answered_privately_note(slack, ESCALATIONS)
    assert "URGENT" in dumped and "an entry from a private channel (not named here)" in dumped
    assert BETA_TITLE not in dumped and "beta-sunrise" not in dumped


async def test_an_escalation_channel_slack_cannot_describe_counts_as_public_for_the_note(tmp_path: Path) -> None:
    def unknown_escalations(fake: FakeSlack) -> None:
        fake.conversations.pop(ESCALATIONS)  # channel_not_found: whether it is private is unknown

    async with running_slack(tmp_path, prepare=unknown_escalations) as slack:
        dumped = await answered_privately_note(slack, ESCALATIONS)
    assert "an entry from a private channel (not named here)" in dumped and BETA_TITLE not in dumped


async def test_an_urgent_note_in_a_private_escalation_channel_names_the_answer(tmp_path: Path) -> None:
    async with running_slack(tmp_path, escalation_channel=PRIVATE_C) as slack:
        dumped = await answered_privately_note(slack, PRIVATE_C)
    assert f"I answered them with <https://community.example/t/beta-sunrise|{BETA_TITLE}>" in dumped
