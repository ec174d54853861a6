"""The console adapter, driven through its real input/output streams."""

import asyncio
import io

from peerbot.adapters.console import ConsoleAdapter, to_question
from peerbot.bots.runtime import serve
from tests.conftest import TestBot


def chat(testbot: TestBot, lines: str) -> str:
    out = io.StringIO()
    asyncio.run(serve(testbot.bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker="alice")))
    return out.getvalue()


def test_piped_questions_get_one_reply_each(testbot: TestBot) -> None:
    transcript = chat(testbot, "How do I factory reset a bulb?\n\n   \nsourdough pizza recipe?\n/stats\n")
    replies = [line for line in transcript.splitlines() if line.startswith("peerbot> ")]
    assert len(replies) == 3
    assert "Power-cycle the bulb" in transcript
    assert "[escalation #1 recorded for superusers: u-mara, u-devon]" in transcript
    assert "Questions: 2 (answered 1, threads suggested 0, escalated 1)" in transcript


def test_blank_lines_are_not_questions() -> None:
    assert to_question("\n", "a") is None
    assert to_question("  hi  \n", "a") is not None
