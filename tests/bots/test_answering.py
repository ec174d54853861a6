"""The answer pipeline: one retrieval per question, shared by the answer and expert routing; the dashboard's
preview makes the same decision without recording anything."""

from __future__ import annotations

from typing import Any

from peerbot.bots import app as wiring
from peerbot.bots.conversation import Outcome
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.retriever import Retriever
from tests.conftest import TestBot


class CountingRetriever:
    """The real retriever, counting how often it is asked."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.calls = 0

    @property
    def kb(self) -> KnowledgeBase:
        return self.inner.kb  # type: ignore[attr-defined, no-any-return]

    def retrieve(self, text: str, audience: Audience, top_k: int = 5) -> list[Match]:
        self.calls += 1
        return self.inner.retrieve(text, audience, top_k)


def test_an_escalated_question_is_retrieved_once_for_answer_and_routing(testbot: TestBot) -> None:
    counting = CountingRetriever(testbot.bot.retriever)
    testbot.bot.retriever = counting  # type: ignore[assignment]
    reply = testbot.ask("how long should I roast a chicken?")
    assert reply.outcome is Outcome.ESCALATE and reply.escalation is not None
    assert counting.calls == 1


def test_the_preview_decides_as_the_bot_does_and_records_nothing(testbot: TestBot) -> None:
    preview: Any = wiring.answerer(testbot.settings, testbot.bot.retriever)
    for question in ("How do I factory reset a bulb?", "how long should I roast a chicken?"):
        found = preview.assess(question, Audience())
        assert found.outcome is testbot.ask(question).outcome
    assert testbot.ask("/stats").text.startswith("Questions: 2 ")


def test_the_bot_opens_one_state_store_and_closes_it(settings: Any, monkeypatch: Any) -> None:
    from peerbot.bots import state

    opened: list[state.StateStore] = []
    real = state.StateStore

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(wiring, "StateStore", Counted)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)  # `peerbot index` alone opens one store and closes it
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)
    assert len(opened) == 2 and opened[1] is bot.store  # the bot's store also serves its trust policy
    bot.close()
