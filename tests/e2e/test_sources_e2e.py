"""Each export source through the real path: config -> reindex -> knowledge base -> a real Bot answering from it,
with the trusted answer and its author's credit (hashing embedder, real FAISS index, real SQLite file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.conversation import Outcome, Question, Reply
from tests.conftest import make_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@dataclass(frozen=True)
class Case:
    type: str
    path: str
    question: str
    answer: str  # a piece of the trusted answer's text
    credit: str  # how the answer is credited
    url: str | None = None
    threads: int = 0
    options: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.type


CASES = [
    Case(
        "discourse",
        "discourse",
        "Hub firmware update stuck at 80%, is it safe to unplug it?",
        "lumo-cli hub update --force --channel stable",
        "— Mara Quinn (accepted answer, 7 kudos)",
        "https://forum.lumo.example/t/hub-firmware-update-stuck-at-80/101",
        3,
        {"base_url": "https://forum.lumo.example", "private_categories": [12]},
    ),
    Case(
        "slack_export",
        "slack_export",
        "Bulbs flicker when dimmed below 20%, any fix? They're E27 colour bulbs on a Lumo wall dimmer, hub on 4.1",
        "Turn on *Low-end trim* in the dimmer settings",
        "— Mara Quinn (accepted answer)",
        "https://lumo.slack.com/archives/C0HELP001/p1709546400000100",
        3,
        {"workspace_url": "https://lumo.slack.com"},
    ),
    Case(
        "discord_export",
        "discord_export",
        "Can the motion sensor be mounted outdoors where it gets rain?",
        "It's rated IP54: fine under a porch roof",
        "— Lena (accepted answer)",
        "https://discord.com/channels/1000000000000000001/1100000000000000001/1200000000000000002",
        3,
    ),
    Case(
        "stackexchange",
        "stackexchange",
        "How do I pair a third-party Zigbee bulb with the Lumo hub?",
        "lumo-cli hub permit-join --seconds 120",
        "— Mara Quinn (accepted answer, 15 kudos)",
        "https://lumo.stackexchange.com/questions/1",
        3,
        {"base_url": "https://lumo.stackexchange.com"},
    ),
    Case(
        "faq",
        "faq",
        "How long is the Lumo warranty?",
        "Every Lumo bulb and hub has a 2-year warranty",
        "— Devon Okafor (accepted answer)",
        "https://lumo.example/help/warranty",
        5,
        {"url": "https://lumo.example/faq"},
    ),
]


def bot_for(tmp_path: Path, case: Case) -> Bot:
    source = {"name": "community", "type": case.type, "path": str(FIXTURES / case.path), "options": case.options}
    settings = make_settings(tmp_path, sources=[source])
    embedder = wiring.open_embedder(settings)
    report = wiring.reindex(settings, embedder)
    assert report.problems == () and report.threads == case.threads
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb)


async def ask(bot: Bot, text: str, **where: object) -> Reply:
    reply = await bot.handle(Question(text=text, asker="e2e", **where))  # type: ignore[arg-type]
    assert reply is not None
    return reply


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_answers_from_the_export_with_the_trusted_answer_and_credit(tmp_path: Path, case: Case) -> None:
    bot = bot_for(tmp_path, case)
    reply = await ask(bot, case.question)
    assert reply.outcome is Outcome.ANSWER, reply.text
    assert case.answer in reply.text
    assert case.credit in reply.text
    assert case.url is None or case.url in reply.text


async def test_private_slack_channel_answers_stay_in_that_channel(tmp_path: Path) -> None:
    bot = bot_for(tmp_path, CASES[1])
    question = "How long does Adaptive Sunrise ramp in the 5.0 beta?"
    elsewhere = await ask(bot, question, channel="C0HELP001")
    assert "It ramps over 30 minutes" not in elsewhere.text
    inside = await ask(bot, question, channel="C07BETA01", public=False, private_channels=frozenset({"C07BETA01"}))
    assert inside.outcome is Outcome.ANSWER and "It ramps over 30 minutes" in inside.text
    assert "— Devon Okafor (accepted answer)" in inside.text
