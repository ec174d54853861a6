"""The asker sees the bot working on Slack, end to end through the real adapter over the fake Slack: the working
reaction on the question while the bot looks it up, and answers shown to the asker first in private-first channels
("Show everyone" posts them in the thread, once)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.adapters.fake_slack import (
    ASKER,
    BOT_USER,
    ELSEWHERE,
    MARA,
    PUBLIC_HELP,
    Call,
    Harness,
    mention,
    message,
    running_slack,
)

RESET = "How do I factory reset a bulb"
NO_MATCH = "Can I pay with bitcoin on mars?"


def order(harness: Harness) -> list[str]:
    """The Web API methods called, in order, without the look-ups around them."""
    skip = ("auth.test", "conversations.info", "users.info", "users.conversations", "chat.getPermalink")
    return [c.method for c in harness.fake.calls if c.method not in skip]


def buttons(body: dict[str, Any]) -> dict[str, str]:
    actions = [b for b in body.get("blocks", []) if b["type"] == "actions"]
    return {e["text"]["text"]: e["action_id"] for b in actions for e in b["elements"]}


async def test_the_reaction_is_on_the_question_while_the_bot_answers_and_gone_after(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        event = message(RESET)
        await slack.event(event)
        await slack.fake.wait_for("reactions.remove")
        await slack.settle()
    assert order(slack) == ["reactions.add", "chat.postMessage", "reactions.remove"]
    [added] = slack.fake.called("reactions.add")
    assert added.body == {"channel": PUBLIC_HELP, "timestamp": event["ts"], "name": "eyes"}
    [removed] = slack.fake.called("reactions.remove")
    assert removed.body == added.body
    assert "Power-cycle" in slack.fake.posts()[0]["text"]


async def test_a_mention_in_a_thread_gets_the_reaction_on_the_mention_itself(tmp_path: Path) -> None:
    async with running_slack(tmp_path, working_reaction="hourglass") as slack:
        event = mention(RESET, thread_ts="1700000000.000001")
        await slack.event(event)
        await slack.fake.wait_for("reactions.remove")
    [added] = slack.fake.called("reactions.add")
    assert (added.body["timestamp"], added.body["name"]) == (event["ts"], "hourglass")
    assert slack.fake.posts()[0]["thread_ts"] == "1700000000.000001"


async def test_ask_puts_the_reaction_on_the_posted_question(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as slack:
        await slack.command("/ask", RESET)
        await slack.fake.wait_for("reactions.remove")
    question, answer = slack.fake.called("chat.postMessage")
    [added] = slack.fake.called("reactions.add")
    assert added.body["timestamp"] == question.result["ts"] == answer.body["thread_ts"]
    assert order(slack) == ["chat.postMessage", "reactions.add", "chat.postMessage", "reactions.remove"]


async def test_a_failing_reaction_never_stops_the_answer(tmp_path: Path) -> None:
    def refuse(fake: Any) -> None:
        fake.errors["reactions.add"] = ["missing_scope"]

    async with running_slack(tmp_path, prepare=refuse) as slack:
        await slack.event(message(RESET))
        [post] = await slack.fake.wait_for("chat.postMessage")
        await slack.settle()
    assert "Power-cycle" in post.body["text"]
    assert not slack.fake.called("reactions.remove")  # nothing was added, nothing to take off


async def test_a_rate_limited_reaction_is_skipped_not_waited_for(tmp_path: Path) -> None:
    def throttle(fake: Any) -> None:
        fake.rate_limits["reactions.add"] = [30]  # 30 s: waiting for it would hold the answer back

    async with running_slack(tmp_path, prepare=throttle) as slack:
        await slack.event(message(RESET))
        await slack.fake.wait_for("chat.postMessage", timeout=5.0)
        await slack.settle()
    assert [c.status for c in slack.fake.calls if c.method == "reactions.add"] == [429]


async def test_the_reaction_comes_off_when_answering_fails(tmp_path: Path) -> None:
    def refuse(fake: Any) -> None:
        fake.errors["chat.postMessage"] = ["channel_not_found"]

    async with running_slack(tmp_path, prepare=refuse) as slack:
        await slack.event(message(RESET))
        await slack.fake.wait_for("reactions.remove")
        await slack.settle()
    assert order(slack) == ["reactions.add", "chat.postMessage", "chat.postMessage", "reactions.remove"]
    assert slack.fake.posts()[0]["text"].startswith("Sorry")  # the apology got through


async def test_an_empty_working_reaction_turns_it_off(tmp_path: Path) -> None:
    async with running_slack(tmp_path, working_reaction="") as slack:
        await slack.event(message(RESET))
        await slack.fake.wait_for("chat.postMessage")
        await slack.settle()
    assert not [c for c in slack.fake.calls if c.method.startswith("reactions.")]


async def test_the_bots_own_reactions_are_not_live_knowledge(tmp_path: Path) -> None:
    async with running_slack(tmp_path, working_reaction="+1") as slack:  # a kudos emoji, the worst case

        def reaction(user: str) -> dict[str, Any]:
            item = {"type": "message", "channel": PUBLIC_HELP, "ts": "1700000000.000009"}
            return {"type": "reaction_added", "user": user, "reaction": "+1", "item": item, "event_ts": "1.2"}

        await slack.event(reaction(BOT_USER))
        await slack.settle()
        assert not slack.fake.called("conversations.replies")
        await slack.event(reaction(MARA))  # a person's kudos is read
        await slack.fake.wait_for("conversations.replies")


# -- asker-only first ---------------------------------------------------------------------------------------


async def test_private_first_channel_shows_the_answer_to_the_asker_then_everyone_once(tmp_path: Path) -> None:
    async with running_slack(tmp_path, private_first_channels=[PUBLIC_HELP]) as slack:
        event = message(RESET)
        await slack.event(event)
        [private] = await slack.fake.wait_for("chat.postEphemeral")
        await slack.settle()
        assert not slack.fake.posts()  # nothing public yet
        assert (private.body["user"], private.body["channel"]) == (ASKER, PUBLIC_HELP)
        assert private.body["thread_ts"] == event["ts"]
        assert "Power-cycle" in private.dump()
        labels = buttons(private.body)
        assert list(labels) == ["Show everyone"]
        assert order(slack) == ["reactions.add", "chat.postEphemeral", "reactions.remove"]

        show = labels["Show everyone"]
        await press_private(slack, show, private)
        [public] = await slack.fake.wait_for("chat.postMessage")
        await slack.fake.wait_for("respond:show")
        await press_private(slack, show, private)  # a second press (or a double click) posts nothing more
        await slack.fake.wait_for("respond:show", count=2)
        await slack.settle()
    assert public.body["channel"] == PUBLIC_HELP and public.body["thread_ts"] == event["ts"]
    assert "Power-cycle" in public.dump()
    assert set(buttons(public.body)) == {"This solved it", "Not helpful", "Ask a human"}
    assert len(slack.fake.posts()) == 1
    first, second = slack.fake.called("respond:show")
    assert first.body.get("delete_original") is True  # the private copy is replaced by the public one
    assert "no longer" in second.body["text"]


async def test_ask_in_a_private_first_channel_posts_the_question_and_answers_the_asker_in_its_thread(
    tmp_path: Path,
) -> None:
    async with running_slack(tmp_path, private_first_channels=[ELSEWHERE]) as slack:
        await slack.command("/ask", RESET, channel=ELSEWHERE)
        [private] = await slack.fake.wait_for("chat.postEphemeral")
        await slack.settle()
    [asked] = slack.fake.called("chat.postMessage")  # the question stays public, the answer does not (yet)
    assert "asked" in asked.body["text"] and "Power-cycle" not in asked.dump()
    assert private.body["thread_ts"] == asked.result["ts"] and private.body["user"] == ASKER
    assert "Power-cycle" in private.dump()
    assert order(slack) == ["chat.postMessage", "reactions.add", "chat.postEphemeral", "reactions.remove"]


async def test_someone_else_cannot_show_an_askers_answer(tmp_path: Path) -> None:
    async with running_slack(tmp_path, private_first_channels=[PUBLIC_HELP]) as slack:
        await slack.event(message(RESET))
        [private] = await slack.fake.wait_for("chat.postEphemeral")
        await press_private(slack, buttons(private.body)["Show everyone"], private, user=MARA)
        await slack.fake.wait_for("respond:show")
        await slack.settle()
        assert not slack.fake.posts()
        await press_private(slack, buttons(private.body)["Show everyone"], private)  # still the asker's to show
        await slack.fake.wait_for("chat.postMessage")


async def test_escalations_and_other_channels_are_posted_as_before(tmp_path: Path) -> None:
    async with running_slack(tmp_path, private_first_channels=[PUBLIC_HELP]) as slack:
        await slack.event(message(NO_MATCH))  # no trusted answer: the asker is told publicly who was asked
        await slack.event(mention(RESET, channel=ELSEWHERE))  # not a private-first channel
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        await slack.fake.wait_for("chat.postMessage", channel=ELSEWHERE)
        await slack.settle()
    assert not slack.fake.called("chat.postEphemeral")


async def press_private(slack: Harness, action_id: str, private: Call, *, user: str = ASKER) -> None:
    """A press in an ephemeral message: Slack sends no `message`, only the container."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "container": {
            "type": "message",
            "message_ts": private.result["message_ts"],
            "channel_id": private.body["channel"],
            "is_ephemeral": True,
        },
        "channel": {"id": private.body["channel"]},
        "response_url": slack.fake.response_url("show"),
        "trigger_id": "trigger",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": action_id.split(":")[1]}],
    }
    status, _ = await slack.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert status == 200
