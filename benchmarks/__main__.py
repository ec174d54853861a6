"""`python -m benchmarks [--quick]`: quality and speed tables, JSON in benchmarks/results/."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.speed import REPO, build_throughput, run_sizes

DEFAULT_DATA = REPO.parent / "shared" / "data" / "qatarliving-train"
RESULTS = Path(__file__).resolve().parent / "results"
FULL_SIZES = (1_000, 100_000, 1_000_000)
RECALL_TEXTS, RECALL_TEXTS_QUICK = 3_000, 1_000  # real texts embedded for the recall check (cached)
QUICK_SIZES = (10_000,)
FALLBACK_QUERIES = [
    "how do I renew my residence permit",
    "where can I buy a second hand car",
    "best place to eat fish in town",
    "my internet connection keeps dropping at night",
    "what documents do I need for a driving licence",
]


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer queries (about 3 minutes)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="BEIR-style dataset with train and dev splits")
    parser.add_argument("--config", type=Path, default=REPO / "config.toml", help="thresholds and calibrator")
    parser.add_argument("--model", help="embedding model (default: the config's [index].model); hashing-N for tests")
    parser.add_argument("--sizes", help="comma-separated index sizes (default 1000,100000,1000000; quick 10000)")
    parser.add_argument("--latency-queries", type=int, help="questions timed per size (default: all, 100 at 1M)")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-recall", action="store_true", help="leave out the IVF recall on real embeddings")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes (run-<time>.json, latest.json)")
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the tables of a saved run and stop")
    return parser.parse_args(argv)


def _queries(data: Path) -> list[str]:
    path = data / "queries.jsonl"
    if not path.exists():
        return FALLBACK_QUERIES
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def recall_report(embedder: Any, data: Path, quick: bool, log: Any) -> dict[str, Any]:
    """IVF recall@30 against FlatIP on real embeddings: the dataset's texts (and the other development set's,
    when it is beside it) through the real model, asked the real questions; one row per nprobe."""
    from dataclasses import asdict

    from benchmarks.recall import K, recall_curve
    from peerbot.knowledge.ann import IndexLayout

    dirs = [d for d in (data, data.parent / "stackexchange-meta-dev") if (d / "corpus.jsonl").exists()]
    started = time.perf_counter()
    limit = RECALL_TEXTS_QUICK if quick else RECALL_TEXTS
    rows = recall_curve(embedder, dirs, sorted({8, 16, 32, IndexLayout().nprobe, 128}), limit=limit)
    log(f"recall: {rows[-1].entries} real embeddings, {time.perf_counter() - started:.0f} s")
    return {
        "k": K,
        "default_nprobe": IndexLayout().nprobe,
        "data": [str(d) for d in dirs],
        "rows": [asdict(r) for r in rows],
    }


def show(result: dict[str, Any]) -> None:
    if "quality" in result:
        print(report.quality_tables(result["quality"]) + "\n")
    if "speed" in result:
        print(report.speed_tables(result["speed"]) + "\n")
    print("Targets (issue 15):\n\n" + report.targets_table(result["targets"]))
    print("\n" + "\n".join(result["notes"]))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        show({**saved, "targets": report.targets(saved.get("quality"), saved.get("speed"))})
        return 0
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from peerbot.bots.app import load_calibrator, thresholds
    from peerbot.bots.config import load_settings
    from peerbot.knowledge.calibrator import DEFAULT_PATH
    from peerbot.knowledge.embedder import load_embedder

    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    settings = load_settings(args.config)
    model = args.model or settings.index.model
    gate = thresholds(settings)
    calibrator_path = settings.resolve(settings.answer.calibrator) if settings.answer.calibrator else DEFAULT_PATH
    embedder = load_embedder(model)
    has_data = (args.data / "corpus.jsonl").exists()
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "model": embedder.name,
        "quick": args.quick,
        "notes": [
            "Timings are wall-clock on a shared machine (other jobs run alongside): treat them as noisy.",
            "Speed sizes use synthetic entries (words drawn from the corpus's word frequencies) and random unit "
            "vectors; queries are the dataset's real questions through the real embedder.",
        ],
    }
    if not args.skip_quality and has_data:
        from benchmarks.quality import run_quality

        result["quality"] = run_quality(args.data, embedder, gate, load_calibrator(settings), log)
    if not args.skip_speed:
        speed: dict[str, Any] = {}
        if has_data:
            speed["build"] = build_throughput(
                args.data / "corpus.jsonl",
                embedder,
                limit=200 if args.quick else None,
                rounds=1 if args.quick else 2,
                log=log,
            )
        sizes = (
            [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
        )
        fixed = args.latency_queries or (40 if args.quick else None)
        speed["sizes"] = run_sizes(
            sizes,
            model=model,
            dimension=embedder.dimension,
            queries=_queries(args.data),
            calibrator=calibrator_path,
            thresholds={"answer": gate.answer, "suggest": gate.suggest, "max_suggestions": gate.max_suggestions},
            vocabulary_corpus=args.data / "corpus.jsonl" if has_data else None,
            latency_queries=lambda size: fixed or (100 if size >= 1_000_000 else 148),
            batch=32 if args.quick else 64,
            passes=1 if args.quick else 2,
            log=log,
        )
        if not args.skip_recall and has_data:
            speed["recall"] = recall_report(embedder, args.data, args.quick, log)
        result["speed"] = speed
    result["targets"] = report.targets(result.get("quality"), result.get("speed"))
    result["seconds"] = round(time.perf_counter() - started, 1)
    show(result)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_clean(result), indent=1)
    (args.out / f"run-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(text, encoding="utf-8")
    (args.out / "latest.json").write_text(text, encoding="utf-8")
    log(f"done; JSON in {args.out}/latest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
