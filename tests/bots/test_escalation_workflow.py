"""The escalation workflow end to end through the console adapter and the SQLite state store,
with a controllable clock: routing, the ping ladder, claims, answers captured into the knowledge base,
urgency, restarts, review, points and badges."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
from pathlib import Path

import pytest

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.runtime import serve
from tests.conftest import make_settings
from tests.factories import Clock, reply, thread

WIFI = [
    ("Hub drops off wifi every night", "router wifi hub offline 2.4 GHz band"),
    ("Hub cannot find my wifi network", "wifi hub network router SSID hidden"),
    ("Wifi mesh router confuses the hub", "mesh wifi router hub band steering"),
]
BILLING = [
    ("Refund for a cracked dimmer", "refund order payment money back invoice"),
    ("Charged twice for my subscription", "billing charged twice subscription invoice refund"),
    ("Change the card on my subscription", "billing card payment subscription invoice"),
]


def community() -> list[dict[str, object]]:
    threads = [
        thread(
            f"w{i}",
            title,
            body,
            [reply(f"Wifi fix {i}: use the 2.4 GHz band.", "Mara Quinn", author_id="u-mara", score=1)],
        )
        for i, (title, body) in enumerate(WIFI)
    ]
    threads += [
        thread(
            f"b{i}",
            title,
            body,
            [reply(f"Billing fix {i}: use the order page.", "Devon Okafor", author_id="u-devon", score=1)],
        )
        for i, (title, body) in enumerate(BILLING)
    ]
    threads.append(
        thread(
            "reset",
            "How do I factory reset a bulb",
            "bulb stopped responding",
            [reply("Power-cycle the bulb five times.", score=12)],
        )
    )
    return threads


SUPERUSERS = [
    {"name": "Mara Quinn", "community_id": "u-mara"},
    {"name": "Devon Okafor", "community_id": "u-devon"},
    {"name": "Priya Raman", "community_id": "u-priya"},
]


@pytest.fixture
def world(tmp_path: Path) -> tuple[Settings, Clock]:
    settings = make_settings(
        tmp_path,
        community(),
        superusers=SUPERUSERS,
        escalation={"ladder_minutes": [30, 60], "expire_hours": 24, "max_open_per_superuser": 3},
        recognition={"ranks": {"Newcomer": 0, "Helper": 15}},
    )
    wiring.reindex(settings, wiring.open_embedder(settings))
    return settings, Clock()


def start(settings: Settings, clock: Clock) -> Bot:
    """A bot process: a fresh one on the same files is a restart."""
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb, clock=clock)


def ask_person(bot: Bot, who: str, question: str) -> str:
    """A customer's question, then "/human" in case the bot answered or suggested threads."""
    return console(bot, who, question, "/human")


def console(bot: Bot, who: str, *lines: str) -> str:
    out = io.StringIO()
    lines_in = io.StringIO("".join(f"{line}\n" for line in lines))
    asyncio.run(serve(bot, ConsoleAdapter(stdin=lines_in, stdout=out, asker=who)))
    return out.getvalue()


def db(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.state_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def test_routing_picks_the_expert_of_the_topic(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    wifi = ask_person(bot, "alice", "my mesh wifi router and the hub: band steering confuses it, what now?")
    billing = ask_person(bot, "bob", "I was charged twice on my invoice for the subscription, how do I get a refund?")
    assert "I've passed your question to Mara Quinn." in wifi
    assert "[escalation #1 recorded for superusers: u-mara]" in wifi
    assert "[escalation #2 recorded for superusers: u-devon]" in billing
    assert "usually within about 30 minutes" in billing
    assert db(settings, "select experts from escalations order by id")[0][0] == '["u-mara", "u-devon", "u-priya"]'


def test_nobody_fits_pings_the_whole_group(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    transcript = console(start(settings, clock), "alice", "best sourdough pizza recipe with a cold ferment?")
    assert "[escalation #1 recorded for superusers: u-mara, u-devon, u-priya]" in transcript


def test_ladder_repings_next_expert_then_group_and_claim_stops_it(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    ask_person(bot, "alice", "my mesh wifi router and the hub: band steering confuses it, what now?")
    clock.advance(29)
    assert asyncio.run(bot.tick()) == []
    clock.advance(2)
    ladder = console(bot, "alice")  # the console's timers tick
    assert "[ping to Devon Okafor] Still waiting: escalation #1" in ladder
    clock.advance(61)
    group = asyncio.run(bot.tick())
    assert [(n.kind, [s.name for s in n.superusers]) for n in group] == [("ping", ["Priya Raman"])]
    assert db(settings, "select superusers, level from escalations") == [('["u-mara", "u-devon", "u-priya"]', 2)]

    ask_person(bot, "bob", "I was charged twice on my invoice for the subscription, how do I get a refund?")
    claimed = console(bot, "u-devon", "/claim 2")
    assert "You've claimed escalation #2" in claimed
    assert "already claimed by Devon Okafor" in console(bot, "u-mara", "/claim 2")
    assert "Only superusers can do that" in console(bot, "bob", "/claim 2")
    clock.advance(500)
    assert [n for n in asyncio.run(bot.tick()) if n.escalation_id == 2] == []


def test_answer_captured_and_served_for_a_paraphrase(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    ask_person(bot, "alice", "Can the Lumo hub run on a solar power bank during camping trips?")
    clock.advance(5)
    answered = console(bot, "u-mara", "/answer 1 Yes: any 5 V 2 A USB power bank runs the hub for about 20 hours.")
    assert "[to the asker] A community expert, Mara Quinn, answered your question (escalation #1)" in answered
    assert "Your answer to escalation #1 is recorded" in answered
    solved = console(bot, "alice", "/solved")
    assert "glad that solved it" in solved.lower()
    assert db(settings, "select status from escalations") == [("resolved",)]
    # moments later, another customer asks the same thing in other words
    again = console(bot, "carol", "camping trip: can a solar power bank run the Lumo hub?")
    assert "any 5 V 2 A USB power bank" in again and "Mara Quinn (accepted answer, by superuser Mara Quinn)" in again
    captured = [json.loads(line) for line in (settings.root / ".peerbot" / "captured.jsonl").read_text().splitlines()]
    assert captured[0]["replies"][0]["author_id"] == "u-mara"
    # a full reindex keeps it
    report = wiring.reindex(settings, wiring.open_embedder(settings))
    assert report.entries == len(community()) + 1
    assert "any 5 V 2 A USB power bank" in console(
        start(settings, clock), "dave", "solar power bank for the Lumo hub when camping?"
    )


def test_urgent_complaint_is_escalated_even_with_an_answer(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    angry = console(
        start(settings, clock),
        "erin",
        "This is the worst! My bulb stopped responding, how do I factory reset it?? Furious.",
    )
    assert "Power-cycle the bulb five times" in angry
    assert "I've also asked a person to follow up with you. (escalation #1)" in angry
    assert db(settings, "select urgent, reason from escalations") == [(1, "urgent: the customer sounds upset")]
    calm = console(start(settings, clock), "erin", "How do I factory reset a bulb that stopped responding?")
    assert "follow up" not in calm and db(settings, "select count(*) from escalations") == [(1,)]


def test_restart_in_the_middle_keeps_the_escalation(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    ask_person(start(settings, clock), "alice", "my mesh wifi router and the hub: band steering confuses it, what now?")
    clock.advance(31)
    restarted = start(settings, clock)  # the first process is gone; only the files remain
    notices = asyncio.run(restarted.tick())
    assert [(n.escalation_id, [s.community_id for s in n.superusers]) for n in notices] == [(1, ["u-devon"])]
    assert "You've claimed escalation #1" in console(restarted, "u-mara", "/claim 1")


def test_points_ranks_badges_and_leaderboard(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    ask_person(bot, "alice", "Can the Lumo hub run on a solar power bank during camping trips?")
    clock.advance(3)
    claim = console(bot, "u-mara", "/claim 1")
    answer = console(bot, "u-mara", "/answer 1 Any 5 V 2 A USB power bank works.")
    assert '[announcement] 🏅 Mara Quinn earned the "First Answer" badge.' in answer
    assert '"Fast Responder" badge' in answer
    accepted = console(bot, "u-mara", "/accept 1")
    assert "now part of the knowledge base, credited to Mara Quinn" in accepted
    assert "[announcement] 🏅 Mara Quinn is now a Helper! (17 points)" in accepted
    # deflection credit: a bot answer built on Devon's content solved a question
    console(bot, "bob", "Charged twice for my subscription: billing invoice refund")
    console(bot, "bob", "/solved")
    board = console(bot, "carol", "/leaderboard 7")
    assert "1. Mara Quinn: 17 points (Helper) · First Answer, Fast Responder" in board
    assert "2. Devon Okafor: 3 points (Newcomer)" in board
    assert db(settings, "select superuser, reason, points from points order by id") == [
        ("u-mara", "claimed", 2),
        ("u-mara", "answered", 5),
        ("u-mara", "accepted", 10),
        ("u-devon", "deflection", 3),
    ]
    assert "You've claimed escalation #1" in claim


def test_member_answer_goes_to_review_then_joins_knowledge(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    asked = asyncio.run(
        bot.handle(
            __import__("peerbot.bots.conversation", fromlist=["Question"]).Question(
                text="Can the Lumo hub run on a solar power bank during camping trips?", asker="alice", thread="t-1"
            )
        )
    )
    assert asked is not None and asked.escalation_id == 1
    assert (
        asyncio.run(bot.human_answer("console", "t-1", "zoe", "I run mine from a 10000 mAh bank all weekend.")) is None
    )
    queue = console(bot, "u-priya", "/review")
    assert "R1 for escalation #1 by zoe: I run mine from a 10000 mAh bank" in queue
    approved = console(bot, "u-priya", "/approve 1")
    assert "Approved review #1" in approved
    assert "[to the asker] A community expert, zoe, answered your question (escalation #1)" in approved
    assert "10000 mAh bank" in console(bot, "carol", "solar power bank for the Lumo hub when camping?")


def test_away_and_cap_skip_a_superuser(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    assert "no escalation pings for you" in console(bot, "u-mara", "/away")
    wifi = ask_person(bot, "alice", "my mesh wifi router and the hub: band steering confuses it, what now?")
    assert "recorded for superusers: u-devon, u-priya]" in wifi  # Mara is away, nobody else fits: the rest
    console(bot, "u-mara", "/back")
    assert "recorded for superusers: u-mara]" in ask_person(
        bot, "bob", "the hub cannot find my hidden wifi network SSID"
    )


def test_unclaimed_escalation_expires_and_asker_is_told(world: tuple[Settings, Clock]) -> None:
    settings, clock = world
    bot = start(settings, clock)
    console(bot, "alice", "best sourdough pizza recipe with a cold ferment?")
    clock.advance(24 * 60 + 1)
    expired = console(bot, "alice")
    assert "[to the asker] Sorry, nobody from the community could answer escalation #1 in time." in expired
    assert db(settings, "select status from escalations") == [("expired",)]
