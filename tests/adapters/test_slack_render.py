"""The Slack adapter's pure parts: payload -> Question, Reply -> Block Kit, Slack's limits and escaping."""

from __future__ import annotations

import json

import pytest

from peerbot.adapters.slack_parse import (
    bot_command,
    claim_action,
    event_question,
    feedback_action,
    mention_is_question,
    message_route,
    plain_text,
    subcommand,
)
from peerbot.adapters.slack_render import (
    BLOCK_LIMIT,
    SECTION_LIMIT,
    chunks,
    claim_action_id,
    escape,
    feedback_action_id,
    link,
    render,
    render_escalation,
    render_ping,
    render_to_asker,
    slack_commands,
)
from peerbot.bots.conversation import Outcome, Reply
from peerbot.knowledge.entries import KnowledgeEntry, Match


def match(
    answer: str = "Do the thing.", *, visibility: str = "public", url: str | None = "https://c.example/t/1"
) -> Match:
    entry = KnowledgeEntry(
        id="forum:1",
        title="A <b>title</b> & more",
        body="",
        answer=answer,
        author="Sam <@U999> Member",
        author_id="sam",
        thread_id="1",
        source="forum",
        url=url,
        visibility=visibility,  # type: ignore[arg-type]
        trust_reasons=("accepted answer",),
    )
    return Match(entry, confidence=0.8, score=1.0)


def section_texts(message: dict[str, object]) -> list[str]:
    blocks = message.get("blocks") or []
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]  # type: ignore[index, union-attr]


def test_escape_leaves_no_slack_markup() -> None:
    assert escape("<!channel> & <https://evil|nice>") == "&lt;!channel&gt; &amp; &lt;https://evil|nice&gt;"


@pytest.mark.parametrize(
    ("text", "size"),
    [("word " * 2000, SECTION_LIMIT), ("&" * 7000, SECTION_LIMIT), ("x" * 9001, SECTION_LIMIT), ("a<b " * 900, 100)],
)
def test_chunks_fit_the_limit_and_never_cut_an_entity(text: str, size: int) -> None:
    pieces = chunks(text, size)
    assert all(0 < len(p) <= size for p in pieces)
    assert all(not p.endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt")) for p in pieces)
    unescaped = "".join(p.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for p in pieces)
    assert unescaped.replace(" ", "") == text.replace(" ", "")


def test_a_huge_answer_stays_within_fifty_blocks() -> None:
    reply = Reply(Outcome.ANSWER, "plain", [match("paragraph\n" * 40_000)], question_id=7, truncated=True)
    message = render(reply)
    assert len(message["blocks"]) <= BLOCK_LIMIT
    assert all(len(t) <= SECTION_LIMIT for t in section_texts(message))
    assert "read the rest in the source thread" in json.dumps(message)


def test_answer_has_credit_link_buttons_fallback_and_no_unfurl() -> None:
    message = render(Reply(Outcome.ANSWER, "fallback <!here>", [match("Use <!channel> & restart")], question_id=42))
    dumped = json.dumps(message)
    assert message["text"] == "fallback &lt;!here&gt;"
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    assert "<https://c.example/t/1|A &lt;b&gt;title&lt;/b&gt; &amp; more>" in dumped
    assert "<!" not in dumped and "<@U999>" not in dumped
    actions = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == [feedback_action_id(v, 42) for v in ("solved", "unhelpful", "human")]


def test_suggestions_list_at_most_three_threads() -> None:
    message = render(Reply(Outcome.SUGGEST, "maybe", [match()] * 5, question_id=1))
    assert section_texts(message)[1].count("\n") == 2


@pytest.mark.parametrize("outcome", [Outcome.ESCALATE, Outcome.INVALID, Outcome.COMMAND, Outcome.ERROR])
def test_other_replies_are_plain_text(outcome: Outcome) -> None:
    assert render(Reply(outcome, "a & b")) == {"text": "a &amp; b", "unfurl_links": False, "unfurl_media": False}


def test_every_block_fits_even_with_huge_titles_authors_and_questions() -> None:
    huge = match("a" * 10, url="https://x.example/" + "p" * 5000)
    object.__setattr__(huge.entry, "title", "<&>" * 3000)
    object.__setattr__(huge.entry, "author", "&" * 5000)
    suggest = render(Reply(Outcome.SUGGEST, "maybe", [huge] * 3, question_id=1))
    note = render_escalation(
        escalation_id=1,
        superusers=["UMARA"],
        asker="&" * 5000,
        question="<>\n" * 5000,
        channel="CHELP",
        permalink=None,
        near_misses=[huge] * 3,
    )
    for message in (suggest, note, render(Reply(Outcome.ANSWER, "x", [huge], question_id=1))):
        for block in message["blocks"]:
            texts = [block["text"]["text"]] if block["type"] == "section" else []
            texts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
            for text in texts:
                assert len(text) <= SECTION_LIMIT
                assert not text.rstrip("…").endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))


def test_links_only_for_web_addresses() -> None:
    assert link("t", "javascript:alert(1)", "9") == "t (thread 9)"
    assert link("t", "https://x.example/a|b", None) == "t"
    assert link("a|b", "https://x.example/?a=1&b=2") == "<https://x.example/?a=1&amp;b=2|a¦b>"


def test_escalation_pings_only_the_given_superusers_and_hides_private_near_misses() -> None:
    note = render_escalation(
        escalation_id=3,
        superusers=["UMARA", "<!channel>", "UDEVON"],
        asker="<!here> Alex",
        question="help <!everyone>\nsecond line",
        channel="CHELP",
        permalink="https://t.slack.com/archives/CHELP/p1",
        near_misses=[match(), match(visibility="private")],
    )
    dumped = json.dumps(note)
    assert note["text"] == "<@UMARA> <@UDEVON> A community question needs a person (escalation #3)."
    assert "<!" not in dumped
    assert note["blocks"][1]["text"]["text"].endswith(":\n&gt; help @\u200beveryone\n&gt; second line")
    assert "1 from private channels" in dumped


def test_escalation_from_a_dm_has_no_channel_link() -> None:
    note = render_escalation(
        escalation_id=1, superusers=[], asker="A", question="q", channel="DX", permalink=None, near_misses=[]
    )
    assert "direct message" in json.dumps(note) and "<#" not in json.dumps(note)


@pytest.mark.parametrize(
    ("wire", "typed"),
    [
        ("<@UBOT> how do I reset?", "how do I reset?"),
        ("ask <@U1|sam> in <#C1|general>", "ask @sam in #general"),
        (
            "<!here> see <https://x.example|the docs> &amp; <https://y.example>",
            "@here see the docs & https://y.example",
        ),
        ("<!subteam^S1|@team> a &lt;b&gt;", "@team a <b>"),
    ],
)
def test_plain_text_reads_like_what_was_typed(wire: str, typed: str) -> None:
    assert plain_text(wire, "UBOT") == typed


def test_event_question_privacy_comes_from_the_caller_not_the_id() -> None:
    event = {"channel": "GPRIV", "user": "U1", "text": "hi", "ts": "2.0", "thread_ts": "1.0", "channel_type": "group"}
    question = event_question(event, event_id="Ev1", bot_user_id="UBOT", public=False)
    assert (question.public, question.channel, question.thread, question.event_id) == (
        False,
        "GPRIV",
        "GPRIV:1.0",
        "Ev1",
    )
    assert question.private_channels == frozenset()
    in_c_channel = {"channel": "CPRIV", "user": "U1", "text": "x", "ts": "1.0"}
    assert event_question(in_c_channel, event_id=None, bot_user_id=None, public=False).public is False
    assert event_question(in_c_channel, event_id=None, bot_user_id=None, public=True).thread == "CPRIV:1.0"


@pytest.mark.parametrize(
    ("event", "route"),
    [
        ({"channel": "CHELP", "user": "U1", "ts": "1"}, "question"),
        ({"channel": "CHELP", "user": "U1", "ts": "2", "thread_ts": "1"}, "human_answer"),
        ({"channel": "CHELP", "user": "USUPER", "ts": "2", "thread_ts": "1"}, "human_answer"),
        ({"channel": "COTHER", "user": "USUPER", "ts": "2", "thread_ts": "1"}, "human_answer"),
        ({"channel": "COTHER", "user": "U1", "ts": "1"}, None),
        ({"channel": "D1", "user": "U1", "ts": "2", "thread_ts": "1", "channel_type": "im"}, "question"),
        ({"channel": "CHELP", "user": "U1", "ts": "1", "bot_id": "B1"}, None),
        ({"channel": "CHELP", "ts": "1", "subtype": "message_changed"}, None),
        ({"channel": "CHELP", "user": "U1", "ts": "1", "subtype": "channel_join"}, None),
        ({"channel": "CHELP", "user": "U1", "ts": "1", "subtype": "file_share"}, "question"),
    ],
)
def test_message_routes(event: dict[str, str], route: str | None) -> None:
    assert message_route(event, help_channels={"CHELP"}) == route


def test_mentions_answered_by_the_message_listener_are_skipped() -> None:
    assert mention_is_question({"channel": "COTHER", "user": "U1", "ts": "1"}, help_channels={"CHELP"})
    assert not mention_is_question({"channel": "CHELP", "user": "U1", "ts": "1"}, help_channels={"CHELP"})
    assert mention_is_question({"channel": "CHELP", "user": "U1", "ts": "2", "thread_ts": "1"}, help_channels={"CHELP"})
    assert not mention_is_question({"channel": "D1", "user": "U1", "ts": "1"}, help_channels=set())


def test_feedback_action_ids_round_trip() -> None:
    assert feedback_action(feedback_action_id("human", 12)) == ("human", 12)
    assert feedback_action("peerbot_feedback:delete:12") is None
    assert feedback_action("other:solved:12") is None
    assert feedback_action("peerbot_feedback:solved:x") is None


def test_subcommands() -> None:
    assert subcommand("  Reindex now") == "reindex"
    assert subcommand("") == "help"


def test_claim_action_ids_round_trip() -> None:
    assert claim_action(claim_action_id(7)) == 7
    assert claim_action("peerbot_claim:x") is None and claim_action("peerbot_feedback:solved:7") is None


def test_peerbot_subcommands_become_the_bots_commands() -> None:
    command = {"text": "Approve  R3 <@U1|sam>", "user_id": "UMARA", "channel_id": "GPRIV", "user_name": "mara"}
    question = bot_command(command)
    assert question.text == "/approve R3 @sam"
    assert (question.asker, question.platform, question.channel, question.public) == ("UMARA", "slack", "GPRIV", False)


def test_commands_are_spelled_the_slack_way() -> None:
    assert slack_commands("Claim it with /claim 12.") == "Claim it with /peerbot claim 12."
    assert slack_commands("type /back or /solved") == "type /peerbot back or /peerbot solved"
    assert slack_commands("see https://x.example/help and /peerbot claim 3") == (
        "see https://x.example/help and /peerbot claim 3"
    )


def test_ping_mentions_exactly_the_superusers_and_carries_the_claim_button() -> None:
    ping = render_ping(
        "Still waiting: #4 <!channel>\n> <@U999> help\nClaim it with /claim 4.", ["UDEVON", "<!here>"], 4
    )
    dumped = json.dumps(ping)
    assert ping["text"].startswith("<@UDEVON> Still waiting: #4 &lt;!channel&gt;\n&gt; &lt;@U999&gt; help")
    assert "/peerbot claim 4" in ping["text"] and "<!" not in dumped and "<@U999>" not in dumped
    [actions] = [b for b in ping["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "peerbot_claim:4"


def test_update_to_the_asker_has_feedback_buttons_only_when_there_is_an_answer() -> None:
    answered = render_to_asker("Mara answered:\n\n<!channel> use the 2.4 GHz band\nType /solved.", 9)
    assert "<!" not in json.dumps(answered) and "/peerbot solved" in answered["text"]
    assert answered["blocks"][-1]["elements"][0]["action_id"] == feedback_action_id("solved", 9)
    expired = render_to_asker("Sorry, nobody could answer escalation #3 in time.", None)
    assert "blocks" not in expired


def test_urgent_note_shows_the_answer_given_instead_of_near_misses() -> None:
    note = render_escalation(
        escalation_id=5,
        superusers=["UMARA"],
        asker="A",
        question="worst day ever",
        channel="CHELP",
        permalink=None,
        near_misses=[],
        urgent=True,
        answered_with=match(),
    )
    dumped = json.dumps(note)
    assert (
        note["text"] == "<@UMARA> URGENT: the asker sounds upset. A community question needs a person (escalation #5)."
    )
    assert "I answered them with <https://c.example/t/1|" in dumped and "Closest" not in dumped
    assert note["blocks"][-1]["elements"][0]["action_id"] == "peerbot_claim:5"
