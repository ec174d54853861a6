"""One escalation for many askers, throttle and spam (issue 17): the bot on a real index and SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots import messages
from peerbot.bots.conversation import Outcome, Question
from peerbot.bots.notices import Notice
from tests.conftest import TestBot, make_settings

FIRST = "Can I pay for Lumo Plus with bitcoin on mars?"
SAME = "can I pay for lumo plus with bitcoin on Mars"
OTHER = "Does the dimmer work with a three-way switch in the hallway?"


class Recorder:
    def __init__(self) -> None:
        self.notices: list[Notice] = []

    async def deliver(self, notices: Sequence[Notice]) -> None:
        self.notices.extend(notices)


def bot_with(root: Path, **conversation: object) -> tuple[TestBot, Recorder]:
    settings = make_settings(root, conversation=conversation)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    testbot = TestBot(wiring.make_bot(settings, embedder, kb), settings)
    recorder = Recorder()
    testbot.bot.add_notifier(recorder)
    return testbot, recorder


@pytest.fixture
def merging(tmp_path: Path) -> tuple[TestBot, Recorder]:
    return bot_with(tmp_path)


def rows(testbot: TestBot, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(testbot.settings.state_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def test_second_asker_joins_the_open_escalation_and_both_get_the_answer(merging: tuple[TestBot, Recorder]) -> None:
    testbot, recorder = merging
    first = testbot.ask(FIRST, asker="alice", thread="t-alice")
    assert first.escalated and first.notify == ["u-mara", "u-devon"]
    second = testbot.ask(SAME, asker="bob", thread="t-bob")
    assert second.outcome is Outcome.ESCALATE and second.escalation_id == first.escalation_id
    assert second.notify == [] and second.escalation is None  # nobody pinged again
    assert "2 people asked this; I've asked Mara Quinn, Devon Okafor" in second.text
    assert rows(testbot, "select count(*) from escalations") == [(1,)]
    human = testbot.ask("/human", asker="bob")  # bob already waits on it: no second escalation
    assert human.escalation_id == first.escalation_id and rows(testbot, "select count(*) from escalations") == [(1,)]

    testbot.ask(f"/answer {first.escalation_id} Only card payments, sorry.", asker="u-mara")
    answers = [n for n in recorder.notices if n.kind == "asker" and n.answered]
    assert {n.thread for n in answers} == {"t-alice", "t-bob"}  # each in their own thread
    assert all("Only card payments" in n.text for n in answers)
    bob = next(n for n in answers if n.thread == "t-bob")
    assert bob.question_id == second.question_id  # bob's own buttons


def test_a_claimed_escalation_says_who_is_on_it_and_three_askers_make_it_urgent(
    merging: tuple[TestBot, Recorder],
) -> None:
    testbot, _ = merging
    first = testbot.ask(FIRST, asker="alice")
    testbot.ask(f"/claim {first.escalation_id}", asker="u-mara")
    assert "2 people asked this; Mara Quinn is on it" in testbot.ask(SAME, asker="bob").text
    assert rows(testbot, "select urgent from escalations") == [(0,)]
    assert "3 people asked this" in testbot.ask(FIRST, asker="carol").text
    assert rows(testbot, "select urgent from escalations") == [(1,)]


def test_a_different_question_opens_its_own_escalation(merging: tuple[TestBot, Recorder]) -> None:
    testbot, _ = merging
    testbot.ask(FIRST, asker="alice")
    assert testbot.ask(OTHER, asker="bob").escalated
    assert rows(testbot, "select count(*) from escalations") == [(2,)]


def test_the_same_member_asking_again_reuses_the_open_escalation(merging: tuple[TestBot, Recorder]) -> None:
    testbot, _ = merging
    first = testbot.ask(FIRST, asker="alice")
    again = testbot.ask(SAME, asker="alice")
    assert again.escalation_id == first.escalation_id and again.notify == []
    assert "You asked this already" in again.text
    assert rows(testbot, "select count(*) from escalation_askers") == [(0,)]


def test_private_question_never_joins_a_public_escalation(merging: tuple[TestBot, Recorder]) -> None:
    testbot, _ = merging
    testbot.ask(FIRST, asker="alice")
    private = testbot.ask(SAME, asker="bob", public=False, channel="secret")
    assert private.escalated
    assert rows(testbot, "select count(*) from escalations") == [(2,)]


def test_a_superuser_splits_askers_who_asked_something_else(merging: tuple[TestBot, Recorder]) -> None:
    testbot, recorder = merging
    first = testbot.ask(FIRST, asker="alice", thread="t-alice")
    testbot.ask(SAME, asker="bob", thread="t-bob")
    reply = testbot.ask(f"/split {first.escalation_id}", asker="u-devon")
    assert reply.outcome is Outcome.COMMAND and "#2" in reply.text
    assert rows(testbot, "select id, asker from escalations order by id") == [(1, "alice"), (2, "bob")]
    assert rows(testbot, "select count(*) from escalation_askers") == [(0,)]
    told = [n for n in recorder.notices if n.kind == "asker" and n.thread == "t-bob"]
    pinged = [n for n in recorder.notices if n.kind == "ping" and n.escalation_id == 2]
    assert told and "(escalation #2)" in told[0].text and pinged and pinged[0].superusers
    assert "Nobody joined" in testbot.ask("/split 1", asker="u-devon").text
    assert testbot.ask("/split 1", asker="alice").text == messages.NOT_SUPERUSER


def test_escalations_per_member_are_throttled(tmp_path: Path) -> None:
    testbot, _ = bot_with(tmp_path, max_escalations_per_hour=2)
    spam = ["Where do zebras sleep?", "Is a violin hard to tune?", "Is the moon made of cheese?", "Best kayak paddle?"]
    replies = [testbot.ask(text, asker="mallory") for text in spam]
    assert [r.escalated for r in replies] == [True, True, False, False]
    assert replies[2].outcome is Outcome.THROTTLED and "2 questions" in replies[2].text
    assert replies[2].notify == []
    assert rows(testbot, "select count(*) from escalations") == [(2,)]
    assert rows(testbot, "select outcome from questions where id = 3") == [("throttled",)]
    assert testbot.ask("Is the moon made of cheese?", asker="someone-else").escalated  # per member


def test_marked_spammers_are_ignored_and_their_answers_never_count(merging: tuple[TestBot, Recorder]) -> None:
    testbot, _ = merging
    first = testbot.ask(FIRST, asker="alice", thread="t-alice")
    marked = testbot.ask("/spammer mallory", asker="admin", admin=True)
    assert "mallory is marked as a spammer" in marked.text
    ignored = asyncio.run(testbot.bot.handle(Question(text=OTHER, asker="mallory")))
    assert ignored is None
    assert rows(testbot, "select count(*) from questions where asker = 'mallory'") == [(0,)]
    answer = asyncio.run(testbot.bot.human_answer("console", "t-alice", "mallory", "Buy from my site!!!"))
    assert answer is None and rows(testbot, "select count(*) from review_queue") == [(0,)]
    assert first.escalation_id == 1
    assert testbot.ask("/spammer bob", asker="alice").text == messages.NOT_ADMIN
    assert "no longer" in testbot.ask("/unspammer mallory", asker="admin", admin=True).text
    assert asyncio.run(testbot.bot.handle(Question(text=OTHER, asker="mallory"))) is not None
