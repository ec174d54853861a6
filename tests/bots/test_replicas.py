"""Three replicas on one state store and one published index, as `peerbot run` processes would be.

Each replica is a real `python -c` process building a Bot with the hashing embedder. All three receive the same
events (same event ids, each in its own order, paced like live traffic) and then run the escalation timers
against a shared fake clock (a file the test moves forward). One replica is SIGKILLed while it handles events.
Checked on SQLite and on a real PostgreSQL: every event is handled by exactly one replica, each ladder ping is
sent by exactly one replica, and the survivors carry every escalation, including those the dead one opened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from peerbot.bots import app as wiring
from peerbot.bots.state import EscalationRow, HandledEvent, QuestionRow, StateStore
from tests import pg
from tests.conftest import REPO, make_settings
from tests.factories import reply, thread

REPLICAS = 3
KILLED = 1  # the replica that is SIGKILLed
ESCALATE = "hub wifi router mesh keeps confusing"  # routed to u-mara, then u-devon, then u-priya
ANSWER = "How do I factory reset a bulb? it stopped responding"
START = datetime(2026, 11, 23, 9, 0, 0)
SUPERUSERS = [
    {"name": "Mara Quinn", "community_id": "u-mara"},
    {"name": "Devon Okafor", "community_id": "u-devon"},
    {"name": "Priya Raman", "community_id": "u-priya"},
]


def community() -> list[dict[str, object]]:
    """Mara answers wifi questions, Devon billing ones, Priya nothing yet; one bulb answer anyone trusts."""
    wifi = ["Hub drops off wifi every night", "Hub cannot find my wifi network", "Wifi mesh router confuses the hub"]
    billing = ["Refund for a cracked dimmer", "Charged twice for my subscription", "Change the card on my plan"]
    threads = [
        thread(f"w{i}", title, "router wifi hub mesh band", [reply(f"Wifi fix {i}.", "Mara Quinn", author_id="u-mara")])
        for i, title in enumerate(wifi)
    ]
    threads += [
        thread(f"b{i}", title, "billing refund invoice", [reply(f"Billing {i}.", "Devon Okafor", author_id="u-devon")])
        for i, title in enumerate(billing)
    ]
    threads.append(
        thread(
            "reset", "How do I factory reset a bulb", "bulb stopped responding", [reply("Power-cycle it.", score=12)]
        )
    )
    return threads


REPLICA = """
import asyncio, json, random, sys, time
from datetime import datetime
from pathlib import Path
from peerbot.bots import app as wiring
from peerbot.bots.config import parse_settings
from peerbot.bots.conversation import Question

spec = json.loads(Path(sys.argv[1]).read_text())
root = Path(spec["root"])
settings = parse_settings(spec["settings"], root)
clock_file = root / "clock.txt"
out = open(spec["out"], "a", buffering=1)

def clock():
    return datetime.fromisoformat(clock_file.read_text().strip())

def emit(**record):
    out.write(json.dumps(record) + "\\n")
    out.flush()

class Recorder:
    async def deliver(self, notices):
        for n in notices:
            emit(kind=n.kind, escalation=n.escalation_id, to=[s.community_id for s in n.superusers])

async def main():
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb, clock=clock)
    bot.add_notifier(Recorder())
    events = [json.loads(line) for line in Path(spec["events"]).read_text().splitlines()]
    random.Random(spec["seed"]).shuffle(events)
    if spec["stall"]:  # die holding an event: taken (first_time) but not yet recorded
        def stalled(**fields):
            emit(kind="stalled")
            time.sleep(3600)
        bot.store.record_question = stalled
    emit(kind="ready")
    while not (root / "go").exists():
        await asyncio.sleep(0.01)
    for e in events:
        question = Question(text=e["text"], asker=e["asker"], thread=e["thread"], event_id=e["id"])
        reply = await bot.handle(question)
        emit(kind="event", id=e["id"], handled=reply is not None, outcome=reply.outcome.value if reply else None)
        if reply is not None:
            await bot.sent(question)  # what an adapter does once it posted the reply
        await asyncio.sleep(spec["pause"])
    emit(kind="events-done")
    while not (root / "stop").exists():
        await bot.tick()
        await asyncio.sleep(0.02)

asyncio.run(main())
"""


@dataclass
class Replica:
    index: int
    process: subprocess.Popen[bytes]
    out: Path

    def records(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.endswith("}")]

    def count(self, kind: str) -> int:
        return sum(r["kind"] == kind for r in self.records())


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def set_clock(root: Path, now: datetime) -> None:
    tmp = root / "clock.tmp"
    tmp.write_text(now.isoformat())
    os.replace(tmp, root / "clock.txt")


@pytest.fixture(params=pg.BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, Any], str]:
    url = pg.database_url(str(request.param), tmp_path)
    data: dict[str, Any] = {
        "index": {"path": "index", "model": "hashing-256"},
        "sources": [{"name": "forum", "type": "jsonl", "path": "community.jsonl"}],
        "state": {"url": url, "event_lease_seconds": 2},  # a dead replica's event is re-taken 2 s later
        "superusers": SUPERUSERS,
        "escalation": {"ladder_minutes": [30, 60], "expire_hours": 24, "max_open_per_superuser": 1000},
        "answer": {"suggest_threshold": 0.6},
        # each ESCALATE event must open its own escalation: no joining, no throttle, no out-of-scope replies
        "conversation": {"merge": False, "max_escalations_per_hour": 1000},
        "scope": {"enabled": False},
    }
    settings = make_settings(tmp_path, community(), **{k: v for k, v in data.items() if k not in ("index", "sources")})
    wiring.reindex(settings, wiring.open_embedder(settings))  # the indexer publishes; replicas load that version
    return tmp_path, data, url


@pytest.fixture
def launch(world: tuple[Path, dict[str, Any], str]) -> Iterator[Callable[[bool], list[Replica]]]:
    """Starts the replicas on the world; with stall=True the victim hangs right after taking its next event."""
    root, data, _ = world
    set_clock(root, START)
    events = [
        {"id": f"Ev{n:02d}", "text": ESCALATE if n % 3 else ANSWER, "asker": f"asker-{n}", "thread": f"th-{n}"}
        for n in range(24)
    ]
    (root / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DATABASE_URL", None)
    started: list[Replica] = []

    def start(stall: bool = False) -> list[Replica]:
        for i in range(REPLICAS):
            spec = root / f"replica-{i}.json"
            out = root / f"replica-{i}.out"
            settings = {"root": str(root), "settings": data, "events": str(root / "events.jsonl"), "out": str(out)}
            spec.write_text(json.dumps(settings | {"seed": i, "pause": 0.03, "stall": stall and i == KILLED}))
            process = subprocess.Popen([sys.executable, "-c", REPLICA, str(spec)], cwd=root, env=env)
            started.append(Replica(i, process, out))
        wait_for("replicas to start", lambda: all(r.count("ready") for r in started))
        (root / "go").touch()
        return started

    yield start
    (root / "stop").touch()
    for replica in started:
        if replica.process.poll() is None:
            try:
                replica.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait()


def handled_events(url: str) -> tuple[Counter[str], set[str]]:
    """Questions recorded per asker, and the event ids taken."""
    store = StateStore(url)
    with store._session() as s:  # the test reads the tables directly
        asked = Counter(s.scalars(select(QuestionRow.asker)))
        seen = set(s.scalars(select(HandledEvent.event_id)))
    store.close()
    return asked, seen


def test_three_replicas_handle_each_event_and_ping_once_despite_a_kill(
    world: tuple[Path, dict[str, Any], str], launch: Callable[[bool], list[Replica]]
) -> None:
    root, _, url = world
    replicas = launch(False)
    victim = replicas[KILLED]
    wait_for("the victim to be mid-way", lambda: victim.count("event") >= 8)
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait()
    survivors = [r for r in replicas if r is not victim]
    wait_for("survivors to finish the events", lambda: all(r.count("events-done") for r in survivors))

    asked, seen = handled_events(url)
    store = StateStore(url)
    with store._session() as s:  # the test reads the tables directly
        escalation_ids = list(s.scalars(select(EscalationRow.id)))
    events = [json.loads(line) for line in (root / "events.jsonl").read_text().splitlines()]
    assert seen == {e["id"] for e in events}
    assert max(asked.values()) == 1  # no event handled twice
    handled = Counter(r["id"] for rep in replicas for r in rep.records() if r["kind"] == "event" and r["handled"])
    assert max(handled.values()) == 1
    # An event is lost only if the victim died between taking it (first_time) and recording it:
    lost = [e["id"] for e in events if asked[e["asker"]] == 0]
    victim_done = {r["id"] for r in victim.records() if r["kind"] == "event"}
    assert len(lost) <= 1 and not set(lost) & victim_done, f"lost {lost}"
    assert len(escalation_ids) == sum(1 for e in events if e["text"] == ESCALATE and e["id"] not in lost)

    def levels() -> list[int]:
        with store._session() as s:  # the test reads the tables directly
            return list(s.scalars(select(EscalationRow.level)))

    set_clock(root, START + timedelta(minutes=31))
    wait_for("the first ladder step everywhere", lambda: set(levels()) == {1})
    set_clock(root, START + timedelta(minutes=31 + 61))
    wait_for("the second ladder step everywhere", lambda: set(levels()) == {2})
    time.sleep(0.3)  # a few more ticks on every survivor: nothing fires again
    (root / "stop").touch()
    for replica in survivors:
        assert replica.process.wait(timeout=30) == 0

    pings = Counter(
        (r["escalation"], who) for rep in replicas for r in rep.records() if r["kind"] == "ping" for who in r["to"]
    )
    expected = {(e, who) for e in escalation_ids for who in ("u-devon", "u-priya")}
    assert set(pings) == expected
    assert max(pings.values()) == 1
    store.close()


def test_an_event_taken_by_a_replica_that_dies_is_handled_by_another(
    world: tuple[Path, dict[str, Any], str], launch: Callable[[bool], list[Replica]]
) -> None:
    root, _, url = world
    replicas = launch(True)
    victim = replicas[KILLED]
    wait_for("the victim to take an event", lambda: victim.count("stalled") == 1)
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait()
    wait_for("survivors to finish", lambda: all(r.count("events-done") for r in replicas if r is not victim))
    events = [json.loads(line) for line in (root / "events.jsonl").read_text().splitlines()]

    def unanswered() -> list[str]:
        asked, _ = handled_events(url)
        return [e["id"] for e in events if asked[e["asker"]] == 0]

    wait_for("the dead replica's event to be answered by a survivor (its lease runs out)", lambda: not unanswered())
    asked, _ = handled_events(url)
    assert set(asked.values()) == {1}  # every question recorded exactly once
    survivors = [r for r in replicas if r is not victim]
    wait_for("the recovered answer to be delivered", lambda: sum(r.count("asker") for r in survivors) >= 1)
