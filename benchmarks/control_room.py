"""Page times of the dashboard's overview and control room at scale (issue #18): a state store with N questions (default
100,000) over 90 days on the Lumo demo index, every page requested through the real app (FastAPI TestClient,
logged in as a moderator), p50 / p95 / max per page. Not a test: `python -m benchmarks.control_room`."""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings, parse_settings
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.schema import EscalationRow, FeedbackRow, QuestionRow, utcnow
from peerbot.bots.state import StateStore
from peerbot.knowledge.embedder import Embedder

PASSWORD = "benchmark-password"
PAGES = [
    "/",  # the overview (30 days), what a community manager opens first; not part of the control room
    "/?days=0",  # the overview of every question
    "/kb",
    "/kb?q=wifi",
    "/kb?show=hidden",
    "/kb/entry?id={entry}",
    "/inbox",
    "/inbox?view=all",
    "/inbox/{escalation}",
    "/audit",
    "/log",
    "/log?outcome=escalate&channel=help",
    "/log?asker=member42",
    "/log/{question}",
    "/roi",
    "/roi/report.html",
    "/held",
]


def fill(store: StateStore, entries: list[str], n: int, seed: int = 7) -> None:
    """n questions over 90 days: 70% answered (10% of those with feedback), 10% suggested, 20% escalated."""
    rng = random.Random(seed)
    now = utcnow()
    questions, escalations, feedback = [], [], []
    for i in range(1, n + 1):
        at = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
        roll = rng.random()
        outcome = "answer" if roll < 0.7 else "suggest" if roll < 0.8 else "escalate"
        channel = rng.choice(["C1", "C2", "general", "help"])
        platform = rng.choice(["slack", "discord", "console"])
        questions.append(
            {"id": i, "created_at": at, "platform": platform, "channel": channel, "thread": f"t{i}", "public": True,
             "asker": f"member{rng.randrange(5000)}", "text": f"question {i} about {rng.choice(entries)}",
             "outcome": outcome, "confidence": rng.random(), "entry_id": rng.choice(entries), "index_version": "v"}
        )  # fmt: skip
        if outcome == "answer" and rng.random() < 0.1:
            verdict = rng.choice(["solved", "solved", "unhelpful", "human"])
            feedback.append({"question_id": i, "user": "x", "verdict": verdict, "created_at": at})
        if outcome == "escalate":
            status = rng.choice(["open", "claimed", "answered", "resolved", "expired", "resolved"])
            answered = status in ("answered", "resolved")
            escalations.append(
                {"question_id": i, "status": status, "created_at": at, "updated_at": at, "platform": platform,
                 "channel": channel, "thread": f"t{i}", "asker": "x", "question": f"question {i}",
                 "superusers": ["u-mara"], "near_misses": [], "reason": "no trusted answer", "public": True,
                 "urgent": False, "experts": ["u-mara"], "level": 0,
                 "answered_by": "u-mara" if answered else None, "answer": "an answer" if answered else None,
                 "answered_at": at + timedelta(minutes=30) if answered else None,
                 "resolved_at": at + timedelta(hours=2) if status == "resolved" else None}
            )  # fmt: skip
    with store._session() as s:  # bulk load: the benchmark's data, not the bot's path
        s.execute(insert(QuestionRow), questions)
        s.execute(insert(EscalationRow), escalations)
        s.execute(insert(FeedbackRow), feedback)
    for i, entry in enumerate(entries[:40]):
        store.curate(entry, "bench", "hide entry", hidden=i % 2 == 0)
    for platform in ("slack", "discord", "console"):  # the names the adapters record with each question
        members = [("member", f"member{m}", f"Member Number {m}") for m in range(5000)]
        store.remember_names(platform, [("channel", "C1", "help-desk"), ("channel", "C2", "general-chat"), *members])


def filled_store(root: Path, questions: int) -> tuple[Settings, Embedder, list[str], StateStore]:
    """The Lumo demo index (hashing embedder) in `root` and a state store holding `questions` questions."""
    settings = parse_settings(
        {"index": {"path": "index", "model": "hashing-256"}, "state": {"url": "sqlite:///state.db"},
         "superusers": [{"name": "Mara Quinn", "community_id": "u-mara"}]},
        root,
    )  # fmt: skip
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    store = StateStore(settings.state_url)
    entries = [e.id for e in kb.entries]
    fill(store, entries, questions)
    return settings, embedder, entries, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="peerbot-control-bench-"))
    started = time.perf_counter()
    settings, embedder, entries, store = filled_store(root, args.questions)
    print(f"{args.questions:,} questions on {len(entries)} entries, ready in {time.perf_counter() - started:.1f} s")
    accounts = Accounts(store)
    accounts.add("mo", "moderator", PASSWORD)

    from fastapi.testclient import TestClient

    from tests.dashboard.conftest import log_in

    client = TestClient(create_app(DashboardData(settings, embedder, store), TokenAuth(None, accounts=accounts)))
    log_in(client, PASSWORD, name="mo", next="/login")  # not "/": its first request is timed below
    escalation = store.inbox(("open",), 1)[0].id
    print(f"{'page':<36} {'first ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for template in PAGES:
        path = template.format(entry=entries[0], escalation=escalation, question=args.questions // 2)
        t0 = time.perf_counter()
        assert client.get(path).status_code == 200, path
        first = (time.perf_counter() - t0) * 1000  # before any of the page's caches (usage counts, menus, return,
        # the overview's numbers)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{path:<36} {first:8.1f} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
