"""The bot end to end on a real index and SQLite file (hashing embedder)."""

import asyncio
import sqlite3
from pathlib import Path

from peerbot.bots import messages
from peerbot.bots.conversation import Outcome, Question
from tests.conftest import TestBot


def rows(testbot: TestBot, sql: str) -> list[tuple[object, ...]]:
    db = Path(testbot.settings.state_url.removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_confident_answer_with_credit_and_link(testbot: TestBot) -> None:
    reply = testbot.ask("How do I factory reset a bulb? One stopped responding to the app")
    assert reply.outcome is Outcome.ANSWER
    assert "Power-cycle the bulb five times" in reply.text
    assert "Sam Member (12 kudos)" in reply.text
    assert "https://community.example/t/reset-bulb" in reply.text
    assert rows(testbot, "select outcome, entry_id from questions") == [("answer", "forum:reset-bulb")]


def test_off_topic_question_is_escalated_and_recorded(testbot: TestBot) -> None:
    reply = testbot.ask("What's the best recipe for sourdough pizza crust?")
    assert reply.outcome is Outcome.ESCALATE
    assert "Mara Quinn, Devon Okafor" in reply.text
    assert reply.notify == ["u-mara", "u-devon"]
    status, asker, question, superusers = rows(testbot, "select status, asker, question, superusers from escalations")[
        0
    ]
    assert (status, asker, question) == ("open", "alice", "What's the best recipe for sourdough pizza crust?")
    assert "u-mara" in str(superusers)


def test_empty_question_gets_a_clear_reply_not_silence(testbot: TestBot) -> None:
    for text in ("", "   \n\t "):
        reply = testbot.ask(text)
        assert reply.outcome is Outcome.INVALID
        assert "didn't catch a question" in reply.text
    assert rows(testbot, "select count(*) from questions") == [(0,)]


def test_huge_question_is_answered_from_its_start_and_kept_whole(testbot: TestBot) -> None:
    text = "How do I factory reset a bulb? " + "It just will not respond at all. " * 3200  # ~100 KB
    assert len(text) > 100_000
    reply = testbot.ask(text)
    assert reply.outcome is not Outcome.ERROR and reply.truncated
    assert "first 2,000 characters" in reply.text
    assert rows(testbot, "select length(text) from questions") == [(len(text.strip()),)]
    if reply.outcome is Outcome.ESCALATE:  # the people who follow up see all of it
        assert rows(testbot, "select length(question) from escalations") == [(len(text.strip()),)]


def test_mass_mentions_from_content_are_not_echoed(testbot: TestBot) -> None:
    reply = testbot.ask("Is the cloud down tonight for scheduled maintenance?")
    assert reply.outcome is Outcome.ANSWER
    assert "maintenance runs 2-3am UTC" in reply.text
    for ping in ("@everyone", "<!channel>", "<@&"):
        assert ping not in reply.text


def test_private_content_not_answered_in_public(testbot: TestBot) -> None:
    question = "How does the adaptive sunrise schedule work in the firmware 5 beta?"
    public = testbot.ask(question)
    assert "Adaptive Sunrise ramps" not in public.text
    in_channel = testbot.ask(question, channel="beta-testers", public=False)
    assert "Adaptive Sunrise ramps" in in_channel.text


def test_commands(testbot: TestBot) -> None:
    assert "/human" in testbot.ask("/help").text
    testbot.ask("How do I factory reset a bulb?")
    stats = testbot.ask("/stats").text
    assert "Questions: 1 (answered 1" in stats and "5 trusted entries" in stats
    human = testbot.ask("/human")
    assert human.outcome is Outcome.ESCALATE and "passed your question" in human.text
    assert rows(testbot, "select reason from escalations") == [("the asker asked for a person",)]
    assert "don't know the command" in testbot.ask("/frobnicate").text
    assert "no earlier question" in testbot.ask("/human", asker="bob").text


def test_feedback_and_human_answer_are_recorded(testbot: TestBot) -> None:
    answered = testbot.ask("How do I factory reset a bulb?")
    assert answered.question_id is not None
    assert "glad" in asyncio.run(testbot.bot.feedback(answered.question_id, "alice", "solved")).text.lower()
    assert rows(testbot, "select verdict, user from feedback") == [("solved", "alice")]

    escalated = testbot.ask("sourdough pizza crust recipe?", thread="console:42", platform="console")
    assert escalated.escalation_id is not None
    # a non-superuser's reply is not a human answer
    assert asyncio.run(testbot.bot.human_answer("console", "console:42", "bob", "try flour")) is None
    eid = asyncio.run(testbot.bot.human_answer("console", "console:42", "u-mara", "Use a 48h cold ferment."))
    assert eid == escalated.escalation_id
    assert rows(testbot, "select status, answered_by, answer from escalations") == [
        ("answered", "u-mara", "Use a 48h cold ferment.")
    ]


def test_redelivered_event_answered_once(testbot: TestBot) -> None:
    question = Question(text="How do I factory reset a bulb?", asker="alice", event_id="Ev1")
    first = asyncio.run(testbot.bot.handle(question))
    again = asyncio.run(testbot.bot.handle(question))
    assert first is not None and first.outcome is Outcome.ANSWER
    assert again is None


def test_failure_while_answering_gets_an_apology(testbot: TestBot) -> None:
    class Broken:
        kb = testbot.bot.retriever.kb

        def retrieve(self, *args: object, **kwargs: object) -> list[object]:
            raise RuntimeError("disk on fire")

    testbot.bot.retriever = Broken()  # type: ignore[assignment]
    reply = testbot.ask("How do I factory reset a bulb?")
    assert reply.outcome is Outcome.ERROR and "Sorry, something went wrong" in reply.text


def test_live_reindex_swaps_in_new_content(testbot: TestBot, tmp_path: Path) -> None:
    from tests.factories import SMALL_COMMUNITY, reply, thread, write_jsonl

    new = thread(
        "matter",
        "Pairing with Matter fails",
        "code rejected",
        [reply("Use the 11-digit code on the hub.", accepted=True)],
    )
    write_jsonl(tmp_path / "community.jsonl", [*SMALL_COMMUNITY, new])
    result = asyncio.run(testbot.bot.reindex())
    assert "Reindexed: 6 trusted entries from 7 threads" in result.text
    assert "11-digit code" in testbot.ask("Matter pairing fails, the code is rejected").text


def test_feedback_from_someone_else_is_refused_unless_an_admin(testbot: TestBot) -> None:
    answered = testbot.ask("How do I factory reset a bulb?")
    assert answered.question_id is not None
    refused = asyncio.run(testbot.bot.feedback(answered.question_id, "bob", "human"))
    assert (refused.outcome, refused.text) == (Outcome.REFUSED, messages.NOT_YOUR_QUESTION)
    assert rows(testbot, "select count(*) from feedback") == [(0,)]
    assert rows(testbot, "select count(*) from escalations") == [(0,)]
    admitted = asyncio.run(testbot.bot.feedback(answered.question_id, "bob", "unhelpful", admin=True))
    assert admitted.text == messages.THANKS_UNHELPFUL
    assert rows(testbot, "select verdict, user from feedback") == [("unhelpful", "bob")]


def test_escalation_from_a_private_channel_stays_private(testbot: TestBot) -> None:
    asked = testbot.ask(
        "what wine goes with a mushroom risotto?", channel="beta-testers", public=False, thread="beta:1"
    )
    assert asked.question_id is not None
    assert rows(testbot, "select public from escalations") == [(0,)]
    again = asyncio.run(testbot.bot.feedback(asked.question_id, "alice", "human"))
    assert "already been asked" in again.text  # the open one is reused, not duplicated
    assert rows(testbot, "select count(*), max(public) from escalations") == [(1, 0)]
