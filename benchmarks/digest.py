"""How long the weekly digest takes to make at scale: a state store with N questions (default 100,000) over 90
days (benchmarks/control_room.py's traffic: a fifth of them escalated), the digest built as the timer round
builds it (the /roi numbers, then the week's unanswered topics clustered). Not a test: `python -m
benchmarks.digest [--model all-MiniLM-L6-v2]` (default: the fast hashing embedder, so the clustering alone)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.control_room import filled_store
from peerbot.bots import app as wiring
from peerbot.bots.digest import build_digest
from peerbot.bots.schema import utcnow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--model", default="hashing-256", help="the embedder for the topics")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="peerbot-digest-bench-"))
    settings, embedder, _, store = filled_store(root, args.questions)
    topics = wiring.load_embedder(args.model) if args.model != "hashing-256" else embedder
    for label, with_topics in (("numbers only", None), (f"with topics ({args.model})", topics)):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            text = build_digest(store, settings, utcnow(), with_topics)
            times.append(time.perf_counter() - started)
        print(f"{args.questions:,} questions, {label}: best {min(times):.2f} s, worst {max(times):.2f} s")
    print(text)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
