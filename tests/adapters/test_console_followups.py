"""Follow-ups on the console (issue 17): a session is one conversation. The real console adapter on its input and
output streams, a real bot (index, SQLite file)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import messages
from peerbot.bots.runtime import serve
from tests.bots.test_followups import OFFLINE, POWER_CUT, followup_bot, replica
from tests.conftest import TestBot


def chat(testbot: TestBot, lines: str, asker: str = "alice") -> list[str]:
    out = io.StringIO()
    asyncio.run(serve(testbot.bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
    return out.getvalue().split("peerbot> ")[1:]


def test_didnt_work_then_thanks(tmp_path: Path) -> None:
    bot = followup_bot(tmp_path)
    first, second, thanks = chat(bot, f"{OFFLINE}\n{POWER_CUT}\nthanks, that fixed it\n")
    assert "closer to the router" in first
    assert second.startswith("Sorry that didn't help. Here's the next best answer I have.")
    assert "Hold the hub button" in second
    assert thanks.strip() == messages.THANKS_SOLVED
    state = sqlite3.connect(tmp_path / "state.db")
    assert state.execute("select verdict from feedback order by id").fetchall() == [("unhelpful",), ("solved",)]


def test_nothing_better_escalates_with_the_thread_and_a_new_question_starts_a_new_one(tmp_path: Path) -> None:
    bot = followup_bot(tmp_path)
    _, escalated, new = chat(bot, f"{OFFLINE}\nstill broken\nHow do I factory reset a bulb\n")
    assert escalated.startswith("Sorry that didn't help. I couldn't find a trusted community answer")
    assert "[escalation #1 recorded for superusers: u-mara" in escalated
    assert "Power-cycle the bulb" in new  # not a follow-up: a new question, answered as one
    state = sqlite3.connect(tmp_path / "state.db")
    [(note,)] = state.execute("select question from escalations").fetchall()
    assert note == f'{OFFLINE}\nAlready shown to the asker, not solved: "Hub goes offline"'
    [again] = chat(bot, "didn't work\n")  # the console's conversation is now the bulb question
    assert "(escalation #2)" in again
    [(note,)] = state.execute("select question from escalations where id = 2").fetchall()
    assert note.startswith("How do I factory reset a bulb\n")


def test_a_restarted_console_continues_the_session(tmp_path: Path) -> None:
    bot = followup_bot(tmp_path)
    chat(bot, f"{OFFLINE}\n")
    bot.bot.close()
    [second] = chat(replica(bot.settings), f"{POWER_CUT}\n")
    assert "Hold the hub button" in second
