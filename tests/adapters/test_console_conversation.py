"""The conversation (issue 17) on the console: its real input and output streams, a real bot."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots.runtime import serve
from tests.bots.test_scope import PIZZA, scoped_bot
from tests.conftest import TestBot

MARS = "Can I pay for Lumo Plus with bitcoin on mars?"


def chat(testbot: TestBot, lines: str, asker: str = "alice") -> str:
    out = io.StringIO()
    asyncio.run(serve(testbot.bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
    return out.getvalue()


def test_out_of_scope_pings_nobody_until_human_is_asked_for(tmp_path: Path) -> None:
    transcript = chat(scoped_bot(tmp_path), f"{PIZZA}\n/human\n")
    polite, escalated = [line for line in transcript.split("peerbot> ")[1:]]
    assert "outside what this community covers" in polite and "[escalation" not in polite
    assert "I've passed your question to" in escalated
    assert "[escalation #1 recorded for superusers: u-mara, u-devon]" in escalated


def test_asking_the_same_thing_again_reuses_the_escalation(testbot: TestBot) -> None:
    transcript = chat(testbot, f"{MARS}\n{MARS.lower()}\n")
    first, again = transcript.split("peerbot> ")[1:]
    assert "[escalation #1 recorded" in first
    assert "You asked this already: it is escalation #1" in again and "recorded for superusers" not in again


def test_another_asker_joins_and_the_answer_reaches_both(testbot: TestBot) -> None:
    chat(testbot, f"{MARS}\n", asker="alice")
    joined = chat(testbot, f"{MARS}\n", asker="bob")
    assert "2 people asked this" in joined
    answered = chat(testbot, "/answer 1 Only card payments, sorry.\n", asker="u-mara")
    assert answered.count("[to the asker] A community expert, Mara Quinn, answered your question (escalation #1)") == 2
