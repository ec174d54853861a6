"""What learning from use costs every timer tick (issue #14's gate): a state store with N questions (default
100,000, about 7,000 verdicts and 6,500 resolved escalations, benchmarks.control_room.fill), then a quiet tick
(fewer new labels than `learning.min_labels` since the last step) timed two ways: reading every label since
the last reset (what each tick did before) and the two counts it does now. Not a test:
`python -m benchmarks.gate_tick`."""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.control_room import filled_store
from peerbot.bots import app as wiring


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and max milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="peerbot-gate-bench-"))
    try:
        settings, _, _, store = filled_store(root, args.questions)
        gate = wiring.learned_gate(settings, store)
        while gate.learn() is not None:  # take every step the loaded labels call for: the next tick is quiet
            pass
        last = store.last_gate_step()
        since = last.created_at if last else None
        labels = len(store.gate_labels())
        print(f"{args.questions:,} questions, {labels:,} labels; SQLite; median / max of {args.repeat} ticks")
        print(f"{'a quiet tick':<44} {'median ms':>10} {'max ms':>8}")
        for name, run in (
            ("read every label (before)", lambda: store.gate_labels()),
            ("count the new ones (now: LearnedGate.learn)", gate.learn),
            ("  of which the two counts", lambda: store.gate_labels_at_most(since)),
        ):
            median, worst = timed(run, args.repeat)
            print(f"{name:<44} {median:10.1f} {worst:8.1f}")
        store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
