"""The console adapter: questions line by line from a terminal or a pipe, replies as text."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bots.bot import Bot
from bots.conversation import Outcome, Question, Reply

PROMPT = "you> "


def to_question(line: str, asker: str) -> Question | None:
    """A line of input as a question; blank lines are not questions."""
    text = line.rstrip("\n")
    if not text.strip():
        return None
    return Question(text=text, asker=asker, platform="console", channel="console", public=True)


def render(reply: Reply) -> str:
    text = reply.text
    if reply.outcome is Outcome.ESCALATE and reply.notify:
        text += f"\n[escalation #{reply.escalation_id} recorded for superusers: {', '.join(reply.notify)}]"
    return f"peerbot> {text}\n"


class ConsoleAdapter:
    name = "console"

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, asker: str | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.asker = asker or getpass.getuser()
        self.interactive = self.stdin.isatty()

    async def run(self, bot: Bot) -> None:
        if self.interactive:
            self.stdout.write("Ask a question (/help for commands, Ctrl-D to quit).\n")
        while True:
            if self.interactive:
                self.stdout.write(PROMPT)
                self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            question = to_question(line, self.asker)
            if question is None:
                continue
            reply = await bot.handle(question)
            if reply is not None:
                self.stdout.write(render(reply))
                self.stdout.flush()
