"""The Slack adapter end to end: real slack-bolt AsyncApp, real bot, fake Slack Web API on 127.0.0.1.

Events arrive as signed HTTP requests into the app's Events API endpoint (HTTP mode) or as envelopes on a
Socket Mode websocket; every Web API call the app makes is recorded by the fake.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from peerbot.adapters import slack_words
from peerbot.adapters.slack import SlackAdapter
from peerbot.bots import messages
from peerbot.bots.runtime import serve
from peerbot.errors import AdapterError
from tests.adapters.fake_slack import (
    ADMIN,
    APP_TOKEN,
    ASKER,
    BOT_TOKEN,
    DEVON,
    ELSEWHERE,
    ESCALATIONS,
    MARA,
    PRIVATE_HELP,
    PUBLIC_HELP,
    SECRET,
    FakeSlack,
    Harness,
    event_callback,
    mention,
    message,
    real_bot,
    running_slack,
    signed_headers,
    slack_settings,
)

RESET = "How do I factory reset a bulb"
NO_MATCH = "Can I pay with bitcoin on mars?"
BETA = "How does the beta sunrise schedule work?"


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_slack(tmp_path) as harness:
        yield harness


def db(harness: Harness) -> sqlite3.Connection:
    return sqlite3.connect(harness.settings.state_url.removeprefix("sqlite:///"))


def buttons(post: dict[str, Any]) -> dict[str, str]:
    """Button label -> action_id in a posted message."""
    actions = [b for b in post.get("blocks", []) if b["type"] == "actions"]
    return {e["text"]["text"]: e["action_id"] for b in actions for e in b["elements"]}


# -- asking -------------------------------------------------------------------------------------------------


async def test_mention_gets_a_threaded_answer_with_credit_link_and_buttons(slack: Harness) -> None:
    event = mention(RESET)
    assert await slack.event(event) == 200
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post.body["channel"] == ELSEWHERE
    assert post.body["thread_ts"] == event["ts"]
    assert post.body["unfurl_links"] is False and post.body["unfurl_media"] is False
    dumped = post.dump()
    assert "Power-cycle the bulb five times" in dumped
    assert "Sam Member (12 kudos)" in dumped
    assert "<https://community.example/t/reset-bulb|How do I factory reset a bulb>" in dumped
    assert "Power-cycle" in post.body["text"]  # the text fallback
    labels = buttons(post.body)
    assert set(labels) == {"This solved it", "Not helpful", "Ask a human"}
    question_id = db(slack).execute("select id from questions where asker = ?", (ASKER,)).fetchone()[0]
    assert all(action.endswith(f":{question_id}") for action in labels.values())


async def test_help_channel_post_is_answered_in_its_thread_once_even_when_it_mentions_the_bot(slack: Harness) -> None:
    post = message(f"<@UBOT> {RESET}")
    await slack.event(post)
    await slack.event(mention(RESET, channel=PUBLIC_HELP, ts=post["ts"]))  # Slack sends both for one message
    await slack.fake.wait_for("chat.postMessage")
    await slack.settle()
    [answer] = slack.fake.posts()
    assert answer["channel"] == PUBLIC_HELP and answer["thread_ts"] == post["ts"]
    assert "Power-cycle" in answer["text"]


async def test_bot_posts_edits_thread_replies_and_other_channels_are_not_questions(slack: Harness) -> None:
    await slack.event(message(RESET, bot_id="BOTHER", user="UOTHERBOT"))
    await slack.event(message(RESET, subtype="message_changed"))
    await slack.event(message(RESET, thread_ts="1700000000.000001"))
    await slack.event(message(RESET, channel=ELSEWHERE))
    await slack.event(mention(RESET, bot_id="BOTHER"))
    await slack.settle()
    assert slack.fake.posts() == []


async def test_direct_message_is_answered(slack: Harness) -> None:
    await slack.event(message(RESET, channel="DASKER", channel_type="im"))
    [post] = await slack.fake.wait_for("chat.postMessage", channel="DASKER")
    assert "Power-cycle" in post.body["text"]


async def test_ask_command_posts_the_question_and_answers_in_its_thread(slack: Harness) -> None:
    status, body = await slack.command("/ask", RESET)
    assert status == 200 and body == ""
    root, answer = await slack.fake.wait_for("chat.postMessage", count=2)
    assert root.body["channel"] == ELSEWHERE and f"<@{ASKER}> asked: {RESET}" == root.body["text"]
    root_ts = f"1700000000.{1:06d}"
    assert answer.body["thread_ts"] == root_ts and "Power-cycle" in answer.body["text"]


async def test_events_and_commands_are_acked_before_the_answer_is_looked_up(slack: Harness) -> None:
    release = threading.Event()
    retrieve = slack.bot.retriever.retrieve

    def slow(*args: Any) -> Any:
        release.wait(5)
        return retrieve(*args)

    slack.bot.retriever.retrieve = slow  # type: ignore[method-assign]
    started = time.monotonic()
    assert await slack.event(mention(RESET)) == 200
    assert (await slack.command("/ask", RESET))[0] == 200
    assert time.monotonic() - started < 3
    assert "Power-cycle" not in slack.fake.everything_posted()  # acked, still looking
    release.set()
    answers = await slack.fake.wait_for("chat.postMessage", count=3)
    assert sum("Power-cycle" in a.body["text"] for a in answers) == 2


async def test_ask_where_the_bot_cannot_post_tells_the_asker_privately(tmp_path: Path) -> None:
    def not_member(fake: FakeSlack) -> None:
        fake.errors["chat.postMessage"] = ["not_in_channel"]

    async with running_slack(tmp_path, prepare=not_member) as slack:
        await slack.command("/ask", RESET)
        [reply] = await slack.fake.wait_for("respond:command")
        assert reply.body["text"] == slack_words.SLACK_NOT_IN_CHANNEL
        assert reply.body["response_type"] == "ephemeral"


# -- escalation ---------------------------------------------------------------------------------------------


async def test_no_good_match_pings_the_superusers_and_tells_the_asker(slack: Harness) -> None:
    post = message(NO_MATCH)
    await slack.event(post)
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    [told] = slack.fake.posts(channel=PUBLIC_HELP)
    assert told["thread_ts"] == post["ts"] and "Mara Quinn" in told["text"] and "Devon Okafor" in told["text"]
    dumped = note.dump()
    assert set(_pings(note.body["text"])) == {f"<@{MARA}>", f"<@{DEVON}>"}  # the notification names them
    assert set(_pings(dumped)) == {f"<@{MARA}>", f"<@{DEVON}>"}  # nobody else, and no <!channel>
    assert "Alex Asker asked in <#CHELP>" in dumped  # a name, not a ping, for the asker
    assert "&gt; Can I pay with bitcoin on mars?" in dumped
    assert f"https://test.slack.com/archives/{PUBLIC_HELP}/p{post['ts'].replace('.', '')}" in dumped
    assert "Closest community threads" in dumped
    permalink = slack.fake.called("chat.getPermalink")[0].body
    assert permalink == {"channel": PUBLIC_HELP, "message_ts": post["ts"]}


async def test_superusers_are_also_messaged_directly_when_configured(tmp_path: Path) -> None:
    async with running_slack(tmp_path, dm_superusers=True) as slack:
        await slack.event(mention(NO_MATCH))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.fake.wait_for("chat.postMessage", channel=MARA)
        await slack.fake.wait_for("chat.postMessage", channel=DEVON)


async def test_superuser_reply_in_the_escalated_thread_is_recorded(slack: Harness) -> None:
    post = message(NO_MATCH)
    await slack.event(post)
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    await slack.event(message("I think not, sorry", thread_ts=post["ts"]))  # the asker, not a superuser
    await slack.event(message("Not on Mars, <@UASKER>: only card payments.", user=MARA, thread_ts=post["ts"]))
    [thanks] = await slack.fake.wait_for("chat.postEphemeral")
    assert thanks.body["user"] == MARA and thanks.body["thread_ts"] == post["ts"]
    status, by, answer = db(slack).execute("select status, answered_by, answer from escalations").fetchone()
    assert (status, by) == ("answered", "u-mara")
    assert answer == "Not on Mars, @UASKER: only card payments."


async def test_ask_a_human_button_escalates_that_question(slack: Harness) -> None:
    event = mention(RESET)
    await slack.event(event)
    [answer] = await slack.fake.wait_for("chat.postMessage")
    posted = answer.body | {"ts": "1700000000.000001", "thread_ts": event["ts"]}
    assert await slack.press(buttons(posted)["Ask a human"], user=ASKER, channel=ELSEWHERE, posted=posted) == 200
    [note] = await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    assert RESET in note.dump()
    told = slack.fake.posts(channel=ELSEWHERE)[-1]
    assert told["thread_ts"] == event["ts"] and "passed your question" in told["text"]
    assert db(slack).execute("select thread from escalations").fetchone()[0] == f"{ELSEWHERE}:{event['ts']}"


# -- feedback -----------------------------------------------------------------------------------------------


async def test_this_solved_it_button_records_feedback(slack: Harness) -> None:
    event = mention(RESET)
    await slack.event(event)
    [answer] = await slack.fake.wait_for("chat.postMessage")
    posted = answer.body | {"ts": "1700000000.000001", "thread_ts": event["ts"]}
    await slack.press(buttons(posted)["This solved it"], user=ASKER, channel=ELSEWHERE, posted=posted)
    [thanks] = await slack.fake.wait_for("respond:button")
    assert thanks.body["text"] == messages.THANKS_SOLVED and thanks.body["response_type"] == "ephemeral"
    assert db(slack).execute("select user, verdict from feedback").fetchall() == [(ASKER, "solved")]


# -- request verification and delivery ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(signed_headers("{}", secret="not-the-secret"), id="wrong-secret"),
        pytest.param({"X-Slack-Signature": "v0=" + "0" * 64}, id="bad-signature"),
        pytest.param("stale", id="stale-timestamp"),
    ],
)
async def test_unsigned_or_stale_requests_are_rejected(slack: Harness, headers: Any) -> None:
    body = json.dumps(event_callback(mention(RESET)))
    if headers == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    elif "X-Slack-Request-Timestamp" in headers:
        headers = signed_headers(body, secret="not-the-secret")
    status, _ = await slack.post(body, "application/json", headers)
    assert status == 401
    await slack.settle()
    assert slack.fake.posts() == []


async def test_url_verification_is_answered(slack: Harness) -> None:
    status, body = await slack.post(json.dumps({"type": "url_verification", "challenge": "abc"}), "application/json")
    assert status == 200 and json.loads(body) == {"challenge": "abc"}


async def test_rate_limited_post_is_retried_after_retry_after(tmp_path: Path) -> None:
    def limit(fake: FakeSlack) -> None:
        fake.rate_limits["chat.postMessage"] = [0]

    async with running_slack(tmp_path, prepare=limit) as slack:
        await slack.event(mention(RESET))
        [answer] = await slack.fake.wait_for("chat.postMessage")
        assert "Power-cycle" in answer.body["text"]
        assert [c.status for c in slack.fake.calls if c.method == "chat.postMessage"] == [429, 200]


async def test_redelivered_event_is_answered_once(slack: Harness) -> None:
    event = mention(RESET)
    assert await slack.event(event, event_id="EvSAME") == 200
    assert await slack.event(event, event_id="EvSAME", retry=1) == 200
    await slack.fake.wait_for("chat.postMessage")
    await slack.settle()
    assert len(slack.fake.posts()) == 1


async def test_socket_mode_answers_acks_and_ignores_redelivery(tmp_path: Path) -> None:
    async with running_slack(tmp_path, mode="socket") as slack:
        assert slack.adapter.http_port is None
        event = mention(RESET)
        await slack.event(event, event_id="EvSOCKET")
        [answer] = await slack.fake.wait_for("chat.postMessage")
        assert answer.body["thread_ts"] == event["ts"] and "Power-cycle" in answer.body["text"]
        await slack.event(event, event_id="EvSOCKET", retry=1)
        await slack.settle()
        assert len(slack.fake.posts()) == 1
        assert len(slack.fake.acks) == 2
        assert slack.fake.called("apps.connections.open")


# -- safety -------------------------------------------------------------------------------------------------


async def test_mass_mentions_and_disguised_links_from_content_stay_inert(slack: Harness) -> None:
    await slack.event(mention("Is the cloud down tonight for scheduled maintenance?"))
    await slack.event(mention("Where can I download the bridge firmware file"))
    await slack.event(mention("<!here> <!channel> can I pay with bitcoin on mars? <https://evil.example|docs>"))
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
    await slack.settle()
    posted = slack.fake.everything_posted()
    assert "maintenance runs 2-3am UTC" in posted and "the official firmware page" in posted
    assert "<!" not in posted and "<https://evil" not in posted and "|docs>" not in posted
    assert "the official firmware page (https://evil.example/steal) &amp; flash it" in posted  # where it goes
    assert set(_pings(posted)) == {f"<@{MARA}>", f"<@{DEVON}>"}


async def test_private_entry_is_used_only_in_its_own_channel_or_a_dm_with_a_member(slack: Harness) -> None:
    slack.fake.private_channels = {ASKER: [PRIVATE_HELP], "UOUTSIDER": ["GOTHER"]}
    await slack.event(message(BETA, channel=PUBLIC_HELP))
    await slack.event(message(BETA, channel="DOUTSIDER", channel_type="im", user="UOUTSIDER"))
    await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS, count=2)
    await slack.settle()
    assert "Adaptive Sunrise" not in slack.fake.everything_posted()
    await slack.event(message(BETA, channel=PRIVATE_HELP, channel_type="group"))
    await slack.event(message(BETA, channel="DASKER", channel_type="im"))
    for channel in (PRIVATE_HELP, "DASKER"):
        [answer] = await slack.fake.wait_for("chat.postMessage", channel=channel)
        assert "Adaptive Sunrise ramps over 30 minutes" in answer.body["text"]
    lookup = slack.fake.called("users.conversations", user=ASKER)[0].body
    assert lookup["types"] == "private_channel"


async def test_dm_answers_from_public_entries_when_memberships_cannot_be_listed(tmp_path: Path) -> None:
    def missing_scope(fake: FakeSlack) -> None:
        fake.private_channels = {ASKER: [PRIVATE_HELP]}
        fake.errors["users.conversations"] = ["missing_scope"]

    async with running_slack(tmp_path, prepare=missing_scope) as slack:
        await slack.event(message(BETA, channel="DASKER", channel_type="im"))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.settle()
        assert "Adaptive Sunrise" not in slack.fake.everything_posted()


async def test_failure_while_answering_is_logged_and_the_asker_gets_an_apology(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("index on fire")

    slack.bot.retriever.retrieve = broken  # type: ignore[method-assign]
    await slack.event(mention(RESET))
    [apology] = await slack.fake.wait_for("chat.postMessage")
    assert apology.body["text"] == messages.APOLOGY
    assert "index on fire" in caplog.text


async def test_failed_post_is_followed_by_an_apology(tmp_path: Path) -> None:
    def reject_first(fake: FakeSlack) -> None:
        fake.errors["chat.postMessage"] = ["invalid_blocks"]

    async with running_slack(tmp_path, prepare=reject_first) as slack:
        event = mention(RESET)
        await slack.event(event)
        [apology] = await slack.fake.wait_for("chat.postMessage")
        assert apology.body["text"] == messages.APOLOGY and apology.body["thread_ts"] == event["ts"]


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_secrets_never_reach_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: str) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_slack(tmp_path, mode=mode) as slack:
        await slack.event(mention(NO_MATCH))
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.settle()
    assert "chat.postMessage" in caplog.text  # the debug logs were on
    for secret in (BOT_TOKEN, APP_TOKEN, SECRET):
        assert secret not in caplog.text


# -- admin ----------------------------------------------------------------------------------------------------


async def test_reindex_is_refused_for_non_admins(slack: Harness) -> None:
    status, body = await slack.command("/peerbot", "reindex", user=ASKER)
    assert status == 200
    assert json.loads(body)["text"] == messages.NOT_ADMIN
    await slack.settle()
    assert not slack.fake.called("respond:command")


async def test_admin_reindex_runs_and_reports(slack: Harness) -> None:
    status, body = await slack.command("/peerbot", "reindex", user=ADMIN)
    assert status == 200 and json.loads(body)["text"] == messages.REINDEX_STARTED
    [report] = await slack.fake.wait_for("respond:command", timeout=30)
    assert report.body["text"].startswith("Reindexed: ") and "trusted entries" in report.body["text"]


async def test_stats_and_help(slack: Harness) -> None:
    await slack.event(mention(RESET))
    await slack.fake.wait_for("chat.postMessage")
    await slack.command("/peerbot", "stats")
    [stats] = await slack.fake.wait_for("respond:command")
    assert "Questions: 1 (answered 1" in stats.body["text"]
    _, body = await slack.command("/peerbot", "")
    assert "/peerbot reindex" in json.loads(body)["text"]
    _, body = await slack.command("/peerbot", "frobnicate")
    assert "/peerbot frobnicate" in json.loads(body)["text"]


# -- setup ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "missing"), [("socket", "SLACK_APP_TOKEN"), ("http", "SLACK_SIGNING_SECRET")])
def test_missing_env_var_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, missing: str) -> None:
    settings = slack_settings(tmp_path, mode=mode)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret-value")
    monkeypatch.delenv(missing)
    with pytest.raises(AdapterError, match=missing) as raised:
        SlackAdapter.from_env(settings)
    assert BOT_TOKEN not in str(raised.value) and "s3cret-value" not in str(raised.value)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    with pytest.raises(AdapterError, match="SLACK_BOT_TOKEN"):
        SlackAdapter.from_env(settings)


def test_from_env_builds_the_adapter_for_select(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    adapter = SlackAdapter.from_env(slack_settings(tmp_path, mode="socket"))
    assert adapter.name == "slack" and adapter.mode == "socket"
    assert BOT_TOKEN not in repr(adapter)


async def test_a_rejected_bot_token_or_app_token_stops_start_up_with_the_reason(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        for mode, method, error in [("http", "auth.test", "invalid_auth"), ("socket", "apps.connections.open", "bad")]:
            fake.errors[method] = [error]
            settings = slack_settings(tmp_path, mode=mode)
            adapter = SlackAdapter(
                settings, bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret="s", base_url=fake.base_url, port=0
            )
            with pytest.raises(AdapterError, match=f"Slack refused SLACK_(BOT|APP)_TOKEN \\({error}\\)"):
                await adapter.start(real_bot(settings))
    finally:
        await fake.close()


async def test_run_serves_until_cancelled_then_disconnects(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    settings = slack_settings(tmp_path, mode="socket")
    adapter = SlackAdapter(settings, bot_token=BOT_TOKEN, app_token=APP_TOKEN, base_url=fake.base_url)
    serving = asyncio.create_task(serve(real_bot(settings), adapter))
    try:
        await fake.wait_for("apps.connections.open")
        await fake.push({"envelope_id": "e1", "type": "events_api", "payload": event_callback(mention(RESET))})
        await fake.wait_for("chat.postMessage")
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        assert adapter._socket is None
    finally:
        await fake.close()


async def test_unreachable_slack_is_a_clear_error(tmp_path: Path) -> None:
    adapter = SlackAdapter(
        slack_settings(tmp_path), bot_token=BOT_TOKEN, signing_secret="s", base_url="http://127.0.0.1:9/api/", port=0
    )
    with pytest.raises(AdapterError, match="cannot reach Slack"):
        await adapter.start(real_bot(adapter.settings))


def test_a_user_token_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(AdapterError, match="xoxb-"):
        SlackAdapter(slack_settings(tmp_path), bot_token="xoxp-user-token", signing_secret="s")


def _pings(text: str) -> list[str]:
    import re

    return re.findall(r"<[@!][^>]*>", text)
