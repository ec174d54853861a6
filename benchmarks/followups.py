"""`python -m benchmarks.followups`: follow-ups in the thread (issue 17) measured on the demo community.

Builds the demo's index with the real model in a temporary folder (the repository's config.toml), then plays the 20
scripted threads of tests/fixtures/followups.json: the question, whose first answer is a trusted answer from the
wrong thread, then the asker's "didn't work" (with a detail, or nothing more) in the same thread. Each thread has its
own asker. Prints a table: how many got the right answer second, how many were escalated with the thread's context
in the superusers' note (the question, the details, the answer shown), how many got a wrong second answer; `--json`
prints every thread's outcome instead.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.conversation import demo_bot
from peerbot.bots.bot import Bot
from peerbot.bots.conversation import Outcome, Question, Reply

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "followups.json"
RIGHT, ESCALATED, WRONG, OTHER, FIRST_NOT_WRONG = (
    "right answer second",
    "escalated with the thread's context",
    "wrong answer second",
    "other (suggestions, escalated without context)",
    "first answer not wrong (set out of date)",
)
ORDER = (RIGHT, ESCALATED, WRONG, OTHER, FIRST_NOT_WRONG)


@dataclass(frozen=True)
class Played:
    question: str
    followup: str
    right: str
    first: str | None  # the thread of the first answer (None: no answer)
    second: str | None  # the thread of the second answer
    second_outcome: str
    verdict: str
    note: str | None  # the escalation's question as the superusers' note shows it


def threads() -> list[dict[str, str]]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return list(data["threads"])


def _ask(bot: Bot, text: str, n: int) -> Reply:
    question = Question(text=text, asker=f"bench-{n}", platform="console", channel="bench", thread=f"bench-{n}")
    reply = asyncio.run(bot.handle(question))
    assert reply is not None
    return reply


def _thread_of(reply: Reply) -> str | None:
    return reply.matches[0].entry.thread_id if reply.outcome is Outcome.ANSWER and reply.matches else None


def with_context(note: str, case: dict[str, str], first_title: str) -> bool:
    """The note carries the thread: the question, the asker's detail when there was one, the answer shown."""
    detail = case["followup"] if len(case["followup"].split()) > 3 else None
    return note.startswith(case["question"]) and f'"{first_title}"' in note and (detail is None or detail in note)


def play(bot: Bot, n: int, case: dict[str, str]) -> Played:
    first = _ask(bot, case["question"], n)
    first_thread = _thread_of(first)
    if first_thread is None or first_thread == case["right"]:
        return Played(case["question"], case["followup"], case["right"], first_thread, None, "", FIRST_NOT_WRONG, None)
    second = _ask(bot, case["followup"], n)
    second_thread = _thread_of(second)
    note = second.escalation.question if second.escalation is not None else None
    if second_thread == case["right"]:
        verdict = RIGHT
    elif second_thread is not None:
        verdict = WRONG
    elif note is not None and with_context(note, case, first.matches[0].entry.title):
        verdict = ESCALATED
    else:
        verdict = OTHER
    return Played(
        case["question"], case["followup"], case["right"], first_thread, second_thread, second.outcome, verdict, note
    )


def measure(bot: Bot) -> list[Played]:
    return [play(bot, n, case) for n, case in enumerate(threads())]


def table(played: list[Played]) -> str:
    counts = Counter(p.verdict for p in played)
    lines = ["| 20 threads, first answer wrong, the asker says so | threads |", "| --- | --- |"]
    lines += [f"| {verdict} | {counts.get(verdict, 0)} |" for verdict in ORDER]
    lines += ["", "| # | follow-up | right | second | verdict |", "| --- | --- | --- | --- | --- |"]
    for n, p in enumerate(played, start=1):
        second = p.second or p.second_outcome
        lines.append(f"| {n} | {p.followup} | {p.right} | {second} | {p.verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    with tempfile.TemporaryDirectory() as folder:
        bot = demo_bot(Path(folder))
        try:
            played = measure(bot)
        finally:
            bot.close()
    if "--json" in args:
        print(json.dumps([asdict(p) for p in played], indent=2, ensure_ascii=False))
    else:
        print(table(played))
    return 0


if __name__ == "__main__":
    sys.exit(main())
