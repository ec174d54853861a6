"""Speed: question-to-decision latency, batch throughput, peak RSS per index size, build throughput.

Each size is built once (synthetic entries, random unit vectors, the core's layout: IVF + 8-bit codes from
`IndexLayout.ivf_from` on) and then served by two fresh processes (peerbot, the naive pipeline), so each peak
RSS is that pipeline's alone. Queries are real
questions through the real embedder.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peerbot.indexer.build import build_index, collect_entries
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import flat_index
from peerbot.knowledge.embedder import Embedder

REPO = Path(__file__).resolve().parents[1]
WORKER_TIMEOUT = 1200
NAIVE_BUILD = "naive (ST fp32 + IndexFlatIP, in memory)"
PEERBOT_BUILD = "peerbot build_index, full (fp32, publish)"
PEERBOT_REBUILD = "peerbot build_index again after 1 new thread (reuses stored vectors)"
Log = Callable[[str], None]


def run_worker(spec: dict[str, Any], timeout: float = WORKER_TIMEOUT) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="peerbot-bench-worker-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", str(spec_path), str(out_path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"benchmark worker {spec['mode']} failed:\n{done.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
        return result


def run_sizes(
    sizes: Sequence[int],
    *,
    model: str,
    dimension: int,
    queries: list[str],
    calibrator: Path,
    thresholds: dict[str, Any],
    vocabulary_corpus: Path | None,
    latency_queries: Callable[[int], int],
    batch: int = 64,
    passes: int = 2,
    incremental: int = 3,
    log: Log = print,
) -> list[dict[str, Any]]:
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="peerbot-bench-index-") as tmp:
            common = {
                "dir": tmp,
                "model": model,
                "queries": queries,
                "latency_queries": latency_queries(size),
                "batch": batch,
                "passes": passes,
                "calibrator": str(calibrator),
                "thresholds": thresholds,
            }
            started = time.perf_counter()
            row: dict[str, Any] = {"size": size}
            row["build"] = run_worker(
                {
                    **common,
                    "mode": "build",
                    "size": size,
                    "dimension": dimension,
                    "vocabulary_corpus": str(vocabulary_corpus) if vocabulary_corpus else None,
                }
            )
            log(f"speed {size:>9,}: built in {time.perf_counter() - started:.0f} s")
            for mode in ("serve", "naive"):
                spec = {**common, "mode": mode, "incremental": incremental}
                row["peerbot" if mode == "serve" else mode] = result = run_worker(spec)
                best = result["latency"]["best_of_passes"]
                log(
                    f"speed {size:>9,}: {mode:<9} p50 {best['p50_ms']:.1f} ms, p99 {best['p99_ms']:.1f} ms, "
                    f"peak {result['memory']['served']['peak_rss_mb']:.0f} MB"
                )
            row["seconds"] = round(time.perf_counter() - started, 1)
        results.append(row)
    return results


def build_throughput(
    corpus: Path,
    embedder: Embedder,
    limit: int | None = None,
    rounds: int = 2,
    log: Log = print,
) -> dict[str, Any]:
    """Entries/s of a full build from real threads: peerbot's build_index and the naive pipeline.

    The pipelines take turns for `rounds` rounds; each keeps its least disturbed (fastest) round.
    """
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="peerbot-bench-build-") as tmp:
        source_path = Path(tmp) / "corpus.jsonl"
        with corpus.open(encoding="utf-8") as src, source_path.open("w", encoding="utf-8") as dst:
            for number, line in enumerate(src):
                if limit is not None and number >= limit:
                    break
                dst.write(line)
        source = BeirThreadSource(source_path, name="bench")
        entries = collect_entries([source], TrustPolicy()).entries
        texts = [e.question_text for e in entries]
        embedder.embed(texts[:8])
        for round_ in range(max(rounds, 1)):
            started = time.perf_counter()
            flat_index(embedder.embed(texts))
            runs.setdefault(NAIVE_BUILD, []).append(time.perf_counter() - started)

            report = build_index([source], TrustPolicy(), embedder, Path(tmp) / f"peerbot-{round_}")
            runs.setdefault(PEERBOT_BUILD, []).append(report.seconds)

            log(f"build: round {round_ + 1} of {rounds} done")
        _append_new_thread(source_path, entries[0].thread_id)
        report = build_index([source], TrustPolicy(), embedder, Path(tmp) / f"peerbot-{max(rounds, 1) - 1}")
        runs[PEERBOT_REBUILD] = [report.seconds]
    naive_s = min(runs[NAIVE_BUILD])
    pipelines = {
        name: {
            "seconds": round(min(seconds), 2),
            "entries_per_s": round(len(entries) / min(seconds), 1),
            "vs_naive": round(naive_s / min(seconds), 2),
            "rounds_s": [round(x, 2) for x in seconds],
        }
        for name, seconds in runs.items()
    }
    rates = ", ".join(f"{name.split()[0]} {p['entries_per_s']}/s" for name, p in pipelines.items())
    log(f"build: {rates}")
    return {"entries": len(entries), "model": embedder.name, "threads_file": str(corpus), "pipelines": pipelines}


def _append_new_thread(corpus: Path, like: str) -> None:
    """One more thread (a copy of `like` under a new id and title), as a community adds between reindexes."""
    with corpus.open(encoding="utf-8") as handle:
        record = next(r for r in map(json.loads, handle) if str(r["_id"]) == like)
    record = {**record, "_id": f"{like}-new", "title": f"{record.get('title', '')} (follow-up)"}
    with corpus.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
