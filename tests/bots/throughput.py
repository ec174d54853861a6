"""Question-handling throughput with 1..N replica processes on one state store (docs/scale.md).

    .venv/bin/python -m tests.bots.throughput [--replicas 1 3] [--questions 300] [--backend sqlite postgresql]

Each replica is a real process building a Bot (hashing embedder, the Lumo demo community, one published index)
and pushes its share of the questions through `Bot.handle` one after another, each with its own event id, so
every question does the dedupe insert, retrieval, the urgency check and the question record (escalations too).
Prints questions per second over the wall time from the first replica's start to the last one's end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from peerbot.bots import app as wiring
from peerbot.bots.config import parse_settings
from peerbot.bots.conversation import Question
from peerbot.indexer.demo import COMMUNITY

REPO = Path(__file__).resolve().parents[2]


def settings_data(url: str) -> dict[str, Any]:
    return {
        "index": {"path": "index", "model": "hashing-256"},
        "sources": [{"name": "demo", "type": "demo"}],
        "state": {"url": url},
        "superusers": [
            {"name": "Mara Quinn", "community_id": "u-mara"},
            {"name": "Devon Okafor", "community_id": "u-devon"},
        ],
    }


def questions(n: int) -> list[str]:
    titles = [json.loads(line)["title"] for line in COMMUNITY.read_text(encoding="utf-8").splitlines() if line.strip()]
    off_topic = ["best sourdough pizza recipe?", "how long to roast a chicken", "is the cloud down tonight?"]
    pool = [*titles, *off_topic]
    return [f"{pool[i % len(pool)]} ({i})" for i in range(n)]


def worker(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    root = Path(spec["root"])
    settings = parse_settings(spec["settings"], root)
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)

    async def run() -> None:
        await bot.handle(Question(text="warm up", asker="warm", event_id=f"warm-{spec['index']}"))
        Path(spec["out"] + ".ready").touch()
        while not (root / "go").exists():
            await asyncio.sleep(0.005)
        start = time.time()
        for n, text in enumerate(spec["questions"]):
            question = Question(text=text, asker=f"a{spec['index']}-{n}", event_id=f"{spec['index']}-{n}")
            if await bot.handle(question) is not None:
                await bot.sent(question)
        Path(spec["out"]).write_text(json.dumps({"start": start, "end": time.time(), "n": len(spec["questions"])}))

    asyncio.run(run())


def measure(replicas: int, total: int, url: str, root: Path) -> float:
    texts = questions(total)
    procs, outs = [], []
    for i in range(replicas):
        spec = root / f"w{replicas}-{i}.json"
        out = root / f"w{replicas}-{i}.out"
        mine = texts[i::replicas]
        spec.write_text(
            json.dumps(
                {"root": str(root), "settings": settings_data(url), "index": i, "out": str(out)} | {"questions": mine}
            )
        )
        procs.append(subprocess.Popen([sys.executable, "-m", "tests.bots.throughput", "--worker", str(spec)], cwd=REPO))
        outs.append(out)
    deadline = time.time() + 120  # imports, index load and a warm-up question; the clock starts at "go"
    while not all(Path(f"{o}.ready").exists() for o in outs):
        if time.time() > deadline:
            raise SystemExit("workers did not start")
        time.sleep(0.05)
    (root / "go").touch()
    for p in procs:
        if p.wait(timeout=600) != 0:
            raise SystemExit(f"a worker failed ({p.returncode})")
    (root / "go").unlink()
    results = [json.loads(o.read_text()) for o in outs]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return sum(r["n"] for r in results) / wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    from tests import pg

    for backend in args.backend:
        for replicas in args.replicas:
            root = Path(tempfile.mkdtemp(prefix="peerbot-tp-"))
            url = f"sqlite:///{root / 'state.db'}" if backend == "sqlite" else pg.server().new_database()
            settings = parse_settings(settings_data(url), root)
            wiring.reindex(settings, wiring.open_embedder(settings))
            rate = measure(replicas, args.questions, url, root)
            print(f"{backend:10s} replicas={replicas} questions={args.questions} -> {rate:.1f} questions/s", flush=True)


if __name__ == "__main__":
    main()
