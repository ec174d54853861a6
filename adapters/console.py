"""The console adapter: questions line by line from a terminal or a pipe, replies as text."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from peerbot.bots.bot import Bot
from peerbot.bots.conversation import Outcome, Question, Reply
from peerbot.bots.notices import Notice
from peerbot.knowledge.neutralize import strip_terminal

PROMPT = "you> "


def to_question(line: str, asker: str) -> Question | None:
    """A line of input as a question; blank lines are not questions. Whoever runs the console runs peerbot:
    an admin."""
    text = line.rstrip("\n")
    if not text.strip():
        return None
    return Question(text=text, asker=asker, platform="console", channel="console", public=True, admin=True)


def render(reply: Reply) -> str:
    """The reply as terminal text: nothing in it (a quoted answer, a name) can move the cursor or recolour."""
    text = reply.text
    if reply.outcome is Outcome.ESCALATE and reply.notify:
        text += f"\n[escalation #{reply.escalation_id} recorded for superusers: {', '.join(reply.notify)}]"
    return f"peerbot> {strip_terminal(text)}\n"


def render_notice(notice: Notice) -> str:
    if notice.kind == "ping":
        who = ", ".join(s.name for s in notice.superusers)
        line = f"[ping to {who}] {notice.text}"
    elif notice.kind == "asker":
        line = f"[to the asker] {notice.text}"
    elif notice.kind == "dm":
        line = f"[private message to {', '.join(s.name for s in notice.superusers)}] {notice.text}"
    elif notice.kind == "admin":
        line = f"[to the admins] {notice.text}"
    elif notice.kind in ("club_add", "club_remove"):
        verb = "joins" if notice.kind == "club_add" else "leaves"
        line = f"[club] {notice.text} {verb} the club"
    else:
        line = f"[announcement] {notice.text}"
    return f"{strip_terminal(line)}\n"


class ConsoleAdapter:
    name = "console"

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, asker: str | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.asker = asker or getpass.getuser()
        self.interactive = self.stdin.isatty()

    async def deliver(self, notices: Sequence[Notice]) -> None:
        """Notices (pings, updates to the asker, announcements) are printed: the console is everyone."""
        for notice in notices:
            self.stdout.write(render_notice(notice))
        self.stdout.flush()

    async def serve(self, bot: Bot) -> None:
        """Until the input ends; timers fall due in between, so they are checked after every line too."""
        if self.interactive:
            self.stdout.write("Ask a question (/help for commands, Ctrl-D to quit).\n")
        await bot.tick()  # catch up with timers that fell due while nobody was running
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
            await bot.tick()
