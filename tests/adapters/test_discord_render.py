"""Replies as Discord messages, without a client: splitting, buttons, the superuser alert."""

from __future__ import annotations

import pytest

from peerbot.adapters import discord_words
from peerbot.adapters.discord_render import MESSAGE_LIMIT, alert, render, split_text, thread_name
from peerbot.bots import messages
from peerbot.bots.config import Superuser
from peerbot.bots.conversation import Outcome, Reply
from peerbot.knowledge.entries import KnowledgeEntry, Match

SUPERUSERS = [
    Superuser(name="Mara Quinn", community_id="u-mara", discord_id="111111111111111111"),
    Superuser(name="Devon Okafor", community_id="u-devon", discord_id="222222222222222222"),
    Superuser(name="Priya Raman", community_id="u-priya"),  # no Discord account: named, not pinged
]


def match(title: str = "Hub drops off wifi", confidence: float = 0.2) -> Match:
    entry = KnowledgeEntry(
        id="forum:wifi",
        title=title,
        body="",
        answer="Use 2.4 GHz.",
        author="Mara Quinn",
        author_id="u-mara",
        thread_id="wifi",
        source="forum",
        url="https://community.example/t/wifi",
    )
    return Match(entry, confidence, confidence)


@pytest.mark.parametrize("size", [0, 1, MESSAGE_LIMIT, MESSAGE_LIMIT + 1, 5 * MESSAGE_LIMIT + 17])
def test_split_keeps_every_part_under_the_limit_and_loses_no_words(size: int) -> None:
    words = " ".join(f"w{n}" for n in range(size))[:size]
    parts = split_text(words)
    assert all(0 < len(part) <= MESSAGE_LIMIT for part in parts)
    assert " ".join(parts).split() == words.split()


def test_split_prefers_paragraph_breaks_and_cuts_unbroken_text() -> None:
    text = "a" * 1500 + "\n\n" + "b" * 1000
    assert split_text(text) == ["a" * 1500, "b" * 1000]
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]
    with pytest.raises(ValueError, match="limit must be at least 1"):
        split_text("text", limit=0)


def test_buttons_go_under_the_last_part_of_answers_only() -> None:
    long = Reply(Outcome.ANSWER, "word " * 1000, question_id=7)
    parts = render(long)
    assert len(parts) == 3 and [p.feedback for p in parts] == [None, None, 7]
    assert render(Reply(Outcome.SUGGEST, "threads", question_id=8))[-1].feedback == 8
    assert render(Reply(Outcome.ESCALATE, "asked", question_id=9, escalation_id=1))[-1].feedback is None
    assert render(Reply(Outcome.COMMAND, "   ")) == [render(Reply(Outcome.ERROR, messages.APOLOGY))[0]]


def test_alert_pings_exactly_the_notified_superusers_and_the_role_for_the_group() -> None:
    everyone = ["u-mara", "u-devon", "u-priya"]
    reply = Reply(Outcome.ESCALATE, "asked", [match()], question_id=3, escalation_id=12, notify=everyone)
    parts, allowed = alert(
        reply,
        question="@everyone why <@&999999999999999999> help",
        asker_id="333333333333333333",
        link="https://discord.com/channels/1/2",
        superusers=SUPERUSERS,
        role="444444444444444444",
    )
    (text,) = parts
    assert text.startswith(
        "<@111111111111111111> <@222222222222222222> <@&444444444444444444>\nEscalation #12: <@333333333333333333>"
    )
    assert "@everyone" not in text and "<@&999999999999999999>" not in text
    assert "https://discord.com/channels/1/2" in text and "https://community.example/t/wifi" in text
    assert allowed.to_dict() == {
        "parse": [],
        "users": [111111111111111111, 222222222222222222],
        "roles": [444444444444444444],
    }


@pytest.mark.parametrize(
    ("notify", "role", "users", "roles"),
    [
        (["u-devon"], "444444444444444444", [222222222222222222], None),  # routed to one expert: not the role
        (["u-priya"], "444444444444444444", [], [444444444444444444]),  # nobody reachable by id: the role
        (["u-devon"], None, [222222222222222222], None),
    ],
)
def test_alert_pings_the_role_only_when_it_adds_someone(
    notify: list[str], role: str | None, users: list[int], roles: list[int] | None
) -> None:
    reply = Reply(Outcome.ESCALATE, "asked", escalation_id=1, notify=notify)
    _, allowed = alert(reply, question="q", asker_id="5", link=None, superusers=SUPERUSERS, role=role)
    assert allowed.to_dict() == {"parse": [], "users": users, **({"roles": roles} if roles else {})}


def test_thread_name_is_the_first_line_within_discords_limit() -> None:
    assert thread_name("How do I reset?\nmore detail") == "How do I reset?"
    assert len(thread_name("x" * 300)) == 100
    assert thread_name("  \n ") == discord_words.DISCORD_THREAD_NAME
