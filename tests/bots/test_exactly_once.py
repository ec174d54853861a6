"""Exactly once across a replica killed between two effects of handling an event.

A victim replica (a real `python -c` process) handles the events with `PEERBOT_FAULT` naming the point where it
SIGKILLs itself (bots/faults.py); it logs the point first, so the test knows it was alive there. Then a survivor
replica takes the dead one's event over, either because the platform redelivers it or through its timers (it
never gets that event), and handles the rest.
Counted afterwards, per event: questions recorded, escalations opened, replies posted, superuser notes (pings).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from peerbot.bots import app as wiring
from peerbot.bots.state import EscalationRow, HandledEvent, QuestionRow, StateStore
from tests import pg
from tests.bots.test_replicas import ANSWER, ESCALATE, START, SUPERUSERS, community, set_clock, wait_for
from tests.conftest import REPO, make_settings

# In the order they happen for an escalated question. The last is the one window an outbox cannot close: the
# post happened, "sent" was not recorded, so the reply is sent again (at least once, never lost).
EXACTLY_ONCE = ["question-recorded", "escalation-opened", "reply-recorded"]
AT_LEAST_ONCE = ["reply-posted"]

EVENTS = [
    {"id": f"Ev{n}", "text": ESCALATE if n % 2 == 0 else ANSWER, "asker": f"asker-{n}", "thread": f"th-{n}"}
    for n in range(4)
]

REPLICA = """
import asyncio, json, sys
from datetime import datetime
from pathlib import Path
from peerbot.bots import app as wiring
from peerbot.bots.config import parse_settings
from peerbot.bots.conversation import Question
from peerbot.faults import fault_point

spec = json.loads(Path(sys.argv[1]).read_text())
root = Path(spec["root"])
settings = parse_settings(spec["settings"], root)
out = open(spec["out"], "a", buffering=1)

def emit(**record):
    out.write(json.dumps(record) + "\\n")
    out.flush()

class Platform:  # stands in for the chat platform: what was posted where
    async def deliver(self, notices):
        for n in notices:
            if n.kind == "asker":
                emit(kind="reply", thread=n.thread)
            elif n.kind == "ping":
                emit(kind="note", escalation=n.escalation_id, to=[s.community_id for s in n.superusers])

async def main():
    clock = lambda: datetime.fromisoformat((root / "clock.txt").read_text().strip())
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb, clock=clock)
    bot.add_notifier(Platform())
    for e in spec["events"]:
        question = Question(text=e["text"], asker=e["asker"], thread=e["thread"], event_id=e["id"])
        reply = await bot.handle(question)
        if reply is not None:  # what an adapter does: post the reply, the escalation note, then say it was sent
            emit(kind="reply", thread=e["thread"])
            if reply.escalated:
                emit(kind="note", escalation=reply.escalation_id, to=list(reply.notify))
            fault_point("reply-posted")
            if hasattr(bot, "sent"):
                await bot.sent(question)
    emit(kind="events-done")
    while not (root / "stop").exists():
        await bot.tick()
        emit(kind="tick")
        await asyncio.sleep(0.05)

asyncio.run(main())
"""


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def run_replica(
    root: Path, data: dict[str, Any], name: str, env: dict[str, str], events: list[dict[str, str]]
) -> subprocess.Popen[bytes]:
    spec = root / f"{name}.json"
    spec.write_text(
        json.dumps({"root": str(root), "settings": data, "events": events, "out": str(root / f"{name}.out")})
    )
    return subprocess.Popen([sys.executable, "-c", REPLICA, str(spec)], cwd=root, env=env)


def unfinished_events(url: str) -> int:
    store = StateStore(url)
    with store._session() as s:  # the test reads the tables directly
        rows = list(s.scalars(select(HandledEvent.status)))
    store.close()
    return len(EVENTS) - sum(status == "done" for status in rows)


def taken_events(url: str) -> set[str]:
    store = StateStore(url)
    with store._session() as s:  # the test reads the tables directly
        taken = set(s.scalars(select(HandledEvent.event_id)))
    store.close()
    return taken


@pytest.mark.parametrize("takeover", ["redelivery", "timer"])
@pytest.mark.parametrize("point", EXACTLY_ONCE + AT_LEAST_ONCE)
@pytest.mark.parametrize("backend", pg.BACKENDS)
def test_a_replica_killed_between_two_effects_leaves_each_effect_done_once(
    tmp_path: Path, backend: str, point: str, takeover: str
) -> None:
    """takeover "redelivery": the platform delivers every event again to the survivor (after the dead replica's
    lease ran out); "timer": the survivor never gets the dead replica's events, its timers take them over."""
    root = tmp_path
    url = pg.database_url(backend, tmp_path)
    data: dict[str, Any] = {
        "index": {"path": "index", "model": "hashing-256"},
        "sources": [{"name": "forum", "type": "jsonl", "path": "community.jsonl"}],
        "state": {"url": url, "event_lease_seconds": 1},
        "superusers": SUPERUSERS,
        "escalation": {"ladder_minutes": [30, 60], "expire_hours": 24, "max_open_per_superuser": 1000},
        "answer": {"suggest_threshold": 0.6},
        "conversation": {"merge": False},  # each asker of the same question gets an escalation of their own here
    }
    settings = make_settings(root, community(), **{k: v for k, v in data.items() if k not in ("index", "sources")})
    wiring.reindex(settings, wiring.open_embedder(settings))
    set_clock(root, START)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DATABASE_URL", None)
    fault_log = root / "fault.log"

    fault_env = {**env, "PEERBOT_FAULT": point, "PEERBOT_FAULT_LOG": str(fault_log)}
    victim = run_replica(root, data, "victim", fault_env, EVENTS)
    assert victim.wait(timeout=120) == -signal.SIGKILL
    assert fault_log.read_text().split() == [point]  # it was alive, at that point, when it died

    taken = taken_events(url) if takeover == "timer" else set()
    survivor = run_replica(root, data, "survivor", env, [e for e in EVENTS if e["id"] not in taken])
    try:
        wait_for(
            "the survivor to handle its events",
            lambda: any(r["kind"] == "events-done" for r in records(root / "survivor.out")),
        )
        wait_for("every event to be finished", lambda: unfinished_events(url) == 0)
        ticks = sum(r["kind"] == "tick" for r in records(root / "survivor.out"))
        wait_for(
            "two more timer ticks",
            lambda: sum(r["kind"] == "tick" for r in records(root / "survivor.out")) >= ticks + 2,
        )
    finally:
        (root / "stop").touch()
        assert survivor.wait(timeout=60) == 0

    posted = records(root / "victim.out") + records(root / "survivor.out")
    replies = Counter(r["thread"] for r in posted if r["kind"] == "reply")
    notes = Counter(r["escalation"] for r in posted if r["kind"] == "note")
    store = StateStore(url)
    with store._session() as s:  # the test reads the tables directly
        asked = Counter(s.scalars(select(QuestionRow.asker)))
        escalated = Counter(s.scalars(select(EscalationRow.question_id)))
    store.close()
    escalating = sum(e["text"] == ESCALATE for e in EVENTS)

    assert asked == Counter({e["asker"]: 1 for e in EVENTS}), "every question recorded exactly once"
    assert len(escalated) == escalating and max(escalated.values()) == 1, "zero duplicate escalations"
    assert set(replies) == {e["thread"] for e in EVENTS}, "every question answered"
    assert len(notes) == escalating, "superusers told of every escalation"
    if point in EXACTLY_ONCE:
        assert max(replies.values()) == 1, f"answered twice: {replies}"
        assert max(notes.values()) == 1, f"superusers pinged twice: {notes}"
    else:  # killed after the post, before "sent" was recorded: sent again, once more at most
        assert max(replies.values()) <= 2 and max(notes.values()) <= 2
