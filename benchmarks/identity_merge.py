"""What one person, one identity (issue 18) costs every process start: a state store with N questions (default
100,000, about 20,000 escalations, benchmarks.control_room.fill) and 20 superusers with a Slack and a Discord id
each (40 other accounts), then `merge_accounts` timed when there is nothing to move (every start-up after the
first), with and without migration 0012_identity's indexes on the escalations' claimed_by / answered_by, and
once with 5,000 escalations and 5,000 awards kept under one superuser's Slack id. Not a test:
`python -m benchmarks.identity_merge`."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import text, update

from benchmarks.control_room import filled_store
from benchmarks.gate_tick import timed
from peerbot.bots.config import Superuser
from peerbot.bots.identity import People
from peerbot.bots.schema import EscalationRow

PEOPLE = [
    Superuser(name=f"Person {i}", community_id=f"u-{i}", slack_id=f"U{i:08d}", discord_id=f"{1200000000000000000 + i}")
    for i in range(20)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="peerbot-identity-bench-"))
    try:
        _, _, _, store = filled_store(root, args.questions)
        aliases = People(PEOPLE).aliases()
        escalations = sum(store.escalation_counts().values())
        print(f"{args.questions:,} questions, {escalations:,} escalations, {len(aliases)} other accounts")
        median, worst = timed(lambda: store.merge_accounts(aliases), args.repeat)
        print(f"nothing to move, with 0012's indexes: median {median:.1f} ms, max {worst:.1f} ms")

        slack_id = PEOPLE[0].slack_id or ""
        with store.engine.begin() as connection:
            ids = connection.execute(text("select id from escalations order by id limit 5000")).scalars().all()
            connection.execute(update(EscalationRow).where(EscalationRow.id.in_(ids)).values(answered_by=slack_id))
        for n in range(5000):
            store.add_points(slack_id, 5, "answered", f"bench{n}")
        started = time.perf_counter()
        moved = store.merge_accounts(aliases)
        print(f"first start after the change: {sum(moved.values()):,} rows moved in "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip

        with store.engine.begin() as connection:
            connection.execute(text("drop index ix_escalations_answered_by"))
            connection.execute(text("drop index ix_escalations_claimed_by"))
        median, worst = timed(lambda: store.merge_accounts(aliases), args.repeat)
        print(f"nothing to move, without the indexes: median {median:.1f} ms, max {worst:.1f} ms")
        store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
