"""Follow-ups in the thread (issue 17): the thread's conversation in the state store, and what the bot does with the
asker's later messages. A real bot: real index (hashing embedder), real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots import messages
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Question, Reply, Verdict
from peerbot.bots.followups import context_note
from peerbot.bots.state import StateStore
from tests.conftest import TestBot, make_settings
from tests.factories import SMALL_COMMUNITY, reply, thread

# the first answer to "My hub goes offline" is the general thread; the power-cut thread is right once the asker says
# the ring went red after a power cut
OFFLINE = "My hub goes offline"
POWER_CUT = "Didn't work, it happened after a power cut and the ring is solid red."
FOLLOWUP_COMMUNITY = [
    *SMALL_COMMUNITY,
    thread(
        "offline",
        "Hub goes offline",
        "My hub goes offline now and then, what can I do?",
        [reply("Move the hub closer to the router and away from the microwave.", score=9)],
    ),
    thread(
        "offline-red",
        "Hub offline and ring solid red after a power cut",
        "After a power cut the hub stays offline and the ring is solid red.",
        [reply("Hold the hub button for 10 seconds until the ring turns white, then it reconnects.", score=9)],
    ),
]
THREAD = "CHELP:1700000000.000001"


def followup_bot(root: Path, **overrides: object) -> TestBot:
    settings = make_settings(root, FOLLOWUP_COMMUNITY, **overrides)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return TestBot(wiring.make_bot(settings, embedder, kb), settings)


def replica(settings: Settings) -> TestBot:
    """Another bot on the same index and state file (a replica, or the bot after a restart)."""
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return TestBot(wiring.make_bot(settings, embedder, kb), settings)


@pytest.fixture
def bot(tmp_path: Path) -> TestBot:
    return followup_bot(tmp_path)


def say(bot: TestBot, text: str, asker: str = "alice", thread: str | None = THREAD) -> Reply:
    return bot.ask(text, asker=asker, platform="slack", channel="CHELP", thread=thread)


def db(bot: TestBot) -> sqlite3.Connection:
    return sqlite3.connect(bot.settings.state_url.removeprefix("sqlite:///"))


def verdicts(bot: TestBot) -> list[tuple[int, str, str]]:
    return db(bot).execute("select question_id, user, verdict from feedback order by id").fetchall()


def test_didnt_work_with_a_detail_gets_the_next_answer_and_the_label_once(bot: TestBot) -> None:
    first = say(bot, OFFLINE)
    assert first.outcome is Outcome.ANSWER and "closer to the router" in first.text
    second = say(bot, POWER_CUT)
    assert second.outcome is Outcome.ANSWER and "Hold the hub button" in second.text
    assert second.text.startswith("Sorry that didn't help. Here's the next best answer I have.")
    assert second.question_id != first.question_id  # its own buttons, its own label
    assert verdicts(bot) == [(first.question_id, "alice", Verdict.UNHELPFUL.value)]


def test_didnt_work_with_nothing_better_escalates_with_the_thread(bot: TestBot) -> None:
    first = say(bot, OFFLINE)
    say(bot, "it's the Gen 2 hub")  # a detail: searched again, nothing better, the same answer stays
    escalated = say(bot, "still broken")
    assert escalated.outcome is Outcome.ESCALATE and escalated.escalation is not None
    assert escalated.text.startswith("Sorry that didn't help. I couldn't find a trusted community answer")
    note = escalated.escalation.question
    assert note.splitlines()[0] == OFFLINE
    assert "More from the asker: it's the Gen 2 hub" in note
    assert 'Already shown to the asker, not solved: "Hub goes offline"' in note
    [(reason,)] = db(bot).execute("select reason from escalations").fetchall()
    assert reason == "none of the answers shown helped"
    again = say(bot, "didn't work")  # people are asked already: no second escalation
    assert again.text == messages.ALREADY_ESCALATED.format(id=escalated.escalation_id)
    assert db(bot).execute("select count(*) from escalations").fetchone() == (1,)
    assert [v[2] for v in verdicts(bot)] == ["unhelpful"]  # the label on the answer, once
    assert first.question_id is not None


def test_only_the_asker_continues_the_thread(bot: TestBot) -> None:
    say(bot, OFFLINE)
    other = Question("didn't work", "bob", "slack", "CHELP", thread=THREAD)
    assert asyncio.run(bot.bot.is_follow_up(other)) is False
    assert asyncio.run(bot.bot.is_follow_up(Question("didn't work", "alice", "slack", "CHELP", thread=THREAD)))
    bob = say(bot, "How do I factory reset a bulb", asker="bob")  # bob @mentions the bot in alice's thread
    assert bob.outcome is Outcome.ANSWER and "Power-cycle" in bob.text
    assert say(bot, POWER_CUT).text.startswith("Sorry that didn't help")  # alice's thread is still hers


def test_ok_ill_try_is_left_alone(bot: TestBot) -> None:
    say(bot, OFFLINE)
    trying = Question("ok, I'll try that, thanks", "alice", "slack", "CHELP", thread=THREAD)
    assert asyncio.run(bot.bot.is_follow_up(trying)) is False  # the adapters leave it, as before
    assert say(bot, "ok, I'll try that, thanks").text == "OK! If it doesn't work, tell me here what happened."
    assert verdicts(bot) == []  # not solved yet
    assert "Hold the hub button" in say(bot, POWER_CUT).text  # the thread goes on


def test_thanks_is_this_solved_it_on_the_newest_answer(bot: TestBot) -> None:
    say(bot, OFFLINE)
    second = say(bot, POWER_CUT)
    thanks = say(bot, "thanks, that fixed it!")
    assert thanks.text == messages.THANKS_SOLVED
    assert verdicts(bot)[-1] == (second.question_id, "alice", "solved")
    say(bot, "thank you")  # said twice: recorded once
    assert [v[2] for v in verdicts(bot)].count("solved") == 1
    [(status,)] = db(bot).execute("select status from followup_threads").fetchall()
    assert status == "solved"


def test_thanks_while_people_are_asked_stops_the_pings(bot: TestBot) -> None:
    say(bot, OFFLINE)
    escalated = say(bot, "still broken")
    assert escalated.outcome is Outcome.ESCALATE
    say(bot, "sorted it myself, thanks")
    [(status,)] = db(bot).execute("select status from escalations").fetchall()
    assert status == "expired"  # closed: the ladder pings nobody about it


def test_a_detail_while_people_are_asked_goes_to_the_escalation(bot: TestBot) -> None:
    say(bot, OFFLINE)
    escalated = say(bot, "not helpful")
    added = say(bot, "the router is a Fritzbox 7590")
    assert (
        added.text
        == "Thanks, I've added that to your question; whoever answers escalation #1 sees it with the question."
    )
    assert escalated.escalation_id == 1
    [(question,)] = db(bot).execute("select question from escalations").fetchall()
    assert "More from the asker: the router is a Fritzbox 7590" in question


def test_a_human_answer_then_thanks_accepts_it(bot: TestBot) -> None:
    say(bot, OFFLINE)
    escalated = say(bot, "still broken")
    assert escalated.escalation_id is not None
    answered = bot.ask(f"/answer {escalated.escalation_id} Replace the power adapter.", asker="u-mara")
    assert "is recorded" in answered.text
    say(bot, "that worked, thank you")
    [(status,)] = db(bot).execute("select status from escalations").fetchall()
    assert status == "resolved"


def test_another_replica_continues_the_thread(bot: TestBot) -> None:
    say(bot, OFFLINE)
    other = replica(bot.settings)
    assert "Hold the hub button" in say(other, POWER_CUT).text
    assert "Hold the hub button" not in say(bot, "no, still nothing").text  # the first bot knows it was shown


def test_without_threads_only_didnt_work_and_thanks_continue(tmp_path: Path) -> None:
    bot = followup_bot(tmp_path)
    console = {"platform": "console", "channel": "console"}
    bot.ask(OFFLINE, **console)
    assert "Hold the hub button" in bot.ask(POWER_CUT, **console).text
    new = bot.ask("How do I factory reset a bulb", **console)  # anything else: a new question
    assert "Power-cycle" in new.text and not new.text.startswith("Thanks, that helps")
    escalated = bot.ask("didn't work", **console)
    assert escalated.escalation is not None
    assert escalated.escalation.question.splitlines()[0] == "How do I factory reset a bulb"
    # a new question that only mentions what did not help is a new question, not "didn't work"
    crash = bot.ask("On my Pixel the Lumo app shuts down on the rooms tab, reinstalling didn't help.", **console)
    assert "A person has already been asked" not in crash.text
    assert crash.question_id is not None and crash.question_id != escalated.question_id


def test_followups_off_leaves_the_thread_alone(tmp_path: Path) -> None:
    bot = followup_bot(tmp_path, conversation={"followups": False})
    say(bot, OFFLINE)
    assert asyncio.run(bot.bot.is_follow_up(Question("didn't work", "alice", "slack", "CHELP", thread=THREAD))) is False
    assert db(bot).execute("select count(*) from followup_threads").fetchone() == (0,)


def test_the_note_names_no_private_entry() -> None:
    store_thread = type(
        "T",
        (),
        {
            "question": "Where is the beta sunrise?",
            "details": ("on 5.0",),
            "shown": (
                {"id": "a", "title": "Secret beta", "public": False},
                {"id": "b", "title": "Sunrise", "public": True},
            ),
        },
    )
    note = context_note(store_thread)  # type: ignore[arg-type]
    assert "Secret beta" not in note
    assert '"Sunrise"; 1 answer(s) from private channels' in note


def test_the_thread_is_forgotten_and_pruned_with_the_asker(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path}/state.db")
    fields = {"platform": "slack", "channel": "C", "thread": "C:1", "public": True, "question": "q?", "shown": []}
    assert store.start_followup_thread(replace=False, key="C:1", asker="Alice", question_id=1, **fields)
    assert not store.start_followup_thread(replace=False, key="C:1", asker="bob", question_id=2, **fields)
    found = store.followup_thread("slack", "C:1")
    assert found is not None and found.asker == "Alice"
    again = store.continue_followup_thread(found.id, detail="Android")
    again = store.continue_followup_thread(found.id, detail="Android")  # its event handled again
    assert again is not None and again.details == ("Android",)
    store.forget_author("alice")
    assert store.followup_thread("slack", "C:1") is None
    store.start_followup_thread(replace=False, key="C:2", asker="carol", question_id=3, **fields)
    store.prune(events_before=store.clock(), text_before=store.clock() + timedelta(seconds=1))
    assert store.followup_thread("slack", "C:2") is None
    store.close()
