"""Out of scope is not an escalation: the bot on a real index and SQLite file (hashing embedder), scope learnt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome
from peerbot.bots.scope import community_topics, learn_scope, load_scope
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.embedder import load_embedder
from tests.conftest import TestBot, make_settings
from tests.factories import SMALL_COMMUNITY, reply, thread, write_jsonl

UNANSWERED = thread(  # on topic, but nobody trusted answered it: the index leaves it out, the scope keeps it
    "strip-colours",
    "Lightstrip colours wrong after the firmware update",
    "Since the update my lightstrip shows green when I pick red in the app.",
    [reply("same here", score=0)],
)
COMMUNITY = [*SMALL_COMMUNITY, UNANSWERED]
PIZZA = "What's the best recipe for sourdough pizza crust?"
ON_TOPIC = "My lightstrip shows the wrong colours since the firmware update"


def scoped_bot(root: Path, **scope: object) -> TestBot:
    settings = make_settings(root, COMMUNITY, scope={"enabled": True, **scope})
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return TestBot(wiring.make_bot(settings, embedder, kb), settings)


@pytest.fixture
def scoped(tmp_path: Path) -> TestBot:
    return scoped_bot(tmp_path)


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.state_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def test_off_topic_question_gets_a_polite_reply_and_pings_nobody(scoped: TestBot) -> None:
    reply = scoped.ask(PIZZA)
    assert reply.outcome is Outcome.OUT_OF_SCOPE
    assert reply.notify == [] and reply.escalation is None and not reply.escalated
    assert "outside what this community covers (help)" in reply.text  # its topics: the public threads' channel
    assert '"Ask a human anyway"' in reply.text and "/human" in reply.text
    assert rows(scoped.settings, "select count(*) from escalations") == [(0,)]
    assert rows(scoped.settings, "select outcome, text from questions") == [("out_of_scope", PIZZA)]


def test_ask_a_human_anyway_escalates_the_out_of_scope_question(scoped: TestBot) -> None:
    scoped.ask(PIZZA)
    reply = scoped.ask("/human")
    assert reply.outcome is Outcome.ESCALATE and reply.notify == ["u-mara", "u-devon"]
    assert rows(scoped.settings, "select asker, question from escalations") == [("alice", PIZZA)]


def test_on_topic_question_nobody_answered_is_still_escalated(scoped: TestBot) -> None:
    """Scope is measured against every thread, trusted or not: the unanswered thread keeps this one in scope."""
    assert not any(e.thread_id == "strip-colours" for e in scoped.bot.retriever.kb.entries)
    reply = scoped.ask(ON_TOPIC)
    assert reply.outcome is Outcome.ESCALATE and reply.escalated


def test_answers_are_untouched_by_the_scope(scoped: TestBot) -> None:
    assert scoped.ask("How do I factory reset a bulb").outcome is Outcome.ANSWER


def test_threshold_is_learnt_at_index_time_and_config_overrides_it(tmp_path: Path) -> None:
    bot = scoped_bot(tmp_path / "learnt")
    scope = load_scope(wiring.scope_path(bot.settings))
    assert scope is not None and scope.thread_count == len(COMMUNITY)  # untrusted threads too
    assert bot.bot.answerer.scope is not None and bot.bot.answerer.scope.threshold == scope.learnt_threshold
    lenient = scoped_bot(tmp_path / "lenient", threshold=-1.0)  # config.toml's [scope] threshold wins
    assert lenient.ask(PIZZA).outcome is Outcome.ESCALATE


def test_scope_off_escalates_as_before(tmp_path: Path) -> None:
    bot = scoped_bot(tmp_path, enabled=False)
    assert bot.ask(PIZZA).outcome is Outcome.ESCALATE
    assert not wiring.scope_path(bot.settings).exists()


def test_forgotten_askers_threads_leave_the_scope(tmp_path: Path) -> None:
    """`peerbot forget` reindexes: the scope is learnt again without the forgotten author's threads."""
    threads = list(JsonlThreadSource(write_jsonl(tmp_path / "c.jsonl", COMMUNITY), name="forum").threads())
    embedder = load_embedder("hashing-256")
    assert learn_scope(threads, embedder).thread_count == len(COMMUNITY)
    forgetting = TrustPolicy(forgotten=frozenset({"asker"}))  # every factory thread's asker
    assert learn_scope(threads, embedder, forgetting).thread_count == 0


def test_topics_name_public_tags_only() -> None:
    from peerbot.indexer.sources.base import Thread

    threads = [
        Thread("1", "a", "b", tags=("motion-sensor", "hub")),
        Thread("2", "a", "b", tags=("hub",)),
        Thread("3", "a", "b", tags=("secret-beta",), visibility="private"),
    ]
    assert community_topics(threads) == ("hub", "motion sensor")
