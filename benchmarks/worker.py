"""One measurement in a fresh process, so its peak RSS is its own: `python -m benchmarks.worker SPEC OUT`.

SPEC is a JSON object with "mode": build (synthetic entries -> a published index version), serve (peerbot:
read_current + KnowledgeBase + HybridRetriever + decide) or naive (sentence-transformers fp32 + IndexFlatIP,
top cosine as the gate). OUT receives the JSON result.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def load_average() -> float:
    """The machine's 1-minute load average: above the core count, other jobs were competing for the CPU."""
    return round(os.getloadavg()[0], 2)


def memory_mb() -> dict[str, float]:
    """Current and peak resident set size of this process (Linux /proc)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(value.split()[0]) / 1024, 1)
    return out


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "mean_ms": round(float(ms.mean()), 2),
        "samples": len(ms),
    }


def timed(run: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    out = []
    for text in queries:
        started = time.perf_counter()
        run(text)
        out.append(time.perf_counter() - started)
    return out


def latencies(run: Callable[[str], object], queries: Sequence[str], passes: int) -> dict[str, Any]:
    """Each question asked `passes` times, a pass apart: the first pass as measured, and each question's
    fastest pass (filters the spikes other jobs on a shared machine cause, keeps slow questions slow)."""
    runs = [timed(run, queries) for _ in range(max(passes, 1))]
    return {"raw": percentiles(runs[0]), "best_of_passes": percentiles(np.min(runs, axis=0).tolist()), "passes": passes}


def latency_queries(spec: dict[str, Any]) -> list[str]:
    queries: list[str] = spec["queries"]
    n = int(spec["latency_queries"])
    return [queries[i % len(queries)] for i in range(n)]


def build(spec: dict[str, Any]) -> dict[str, Any]:
    from benchmarks import synthetic
    from peerbot.indexer.publish import publish

    directory = Path(spec["dir"])
    size, seed = int(spec["size"]), int(spec.get("seed", 0))
    corpus = spec.get("vocabulary_corpus")
    vocabulary = (
        synthetic.Vocabulary.from_beir(Path(corpus)) if corpus else synthetic.Vocabulary.from_texts(spec["queries"])
    )
    started = time.perf_counter()
    entries = synthetic.entries(vocabulary, size, seed)
    vectors = synthetic.unit_vectors(size, int(spec["dimension"]), seed)
    generate = time.perf_counter() - started
    started = time.perf_counter()
    version = publish(directory, entries, vectors, model=spec["model"], extra={"sources": ["synthetic"]})  # core layout
    publish_seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "size": size,
        "version": version,
        "generate_s": round(generate, 2),
        "publish_s": round(publish_seconds, 2),
        "publish_entries_per_s": round(size / publish_seconds, 1),
        "vectors_mb": round(vectors.nbytes / 2**20, 1),
        "files_mb": round(sum(f.stat().st_size for f in (directory / "versions" / version).iterdir()) / 2**20, 1),
    }
    manifest = json.loads((directory / "versions" / version / "manifest.json").read_text(encoding="utf-8"))
    out["search"] = manifest.get("search")
    return out


def _read_entries(directory: Path) -> tuple[list[Any], np.ndarray]:
    """What the naive pipeline keeps: every entry parsed, every vector in float32 (for its own FlatIP)."""
    from peerbot.knowledge.entries import KnowledgeEntry
    from peerbot.knowledge.index_files import ENTRIES, STORED, VERSIONS, current_version, sha256_file

    folder = directory / VERSIONS / str(current_version(directory))
    sha256_file(folder / ENTRIES)  # the checksum the real load does, so load times compare
    with (folder / ENTRIES).open(encoding="utf-8") as handle:
        entries = [KnowledgeEntry.from_dict(json.loads(line)) for line in handle if line.strip()]
    return entries, np.load(folder / STORED).astype(np.float32)


def _batch_qps(run_batch: Callable[[list[str]], object], queries: list[str], size: int) -> float:
    batch = [queries[i % len(queries)] for i in range(size)]
    started = time.perf_counter()
    run_batch(batch)
    return round(size / (time.perf_counter() - started), 1)


def serve(spec: dict[str, Any]) -> dict[str, Any]:
    """peerbot as a bot serves: load the model and the index version, answer, decide; the cold start is the
    time from here to the first decision."""
    from peerbot.bots.evaluation import PUBLIC, K
    from peerbot.bots.policy import Thresholds, decide
    from peerbot.knowledge.base import KnowledgeBase
    from peerbot.knowledge.calibrator import Calibrator
    from peerbot.knowledge.embedder import load_embedder
    from peerbot.knowledge.index_files import read_current
    from peerbot.knowledge.retriever import HybridRetriever

    memory: dict[str, dict[str, float]] = {"start": memory_mb()}
    directory = Path(spec["dir"])
    cold = time.perf_counter()
    embedder = load_embedder(spec["model"])
    model_s = time.perf_counter() - cold
    memory["model"] = memory_mb()
    started = time.perf_counter()
    loaded = read_current(directory, model=embedder.name, dimension=embedder.dimension)
    memory["entries_and_vectors"] = memory_mb()
    kb = KnowledgeBase.from_loaded(loaded)
    del loaded
    load_s = time.perf_counter() - started
    memory["loaded"] = memory_mb()  # + BM25
    calibrator = Calibrator.load(Path(spec["calibrator"]))
    retriever = HybridRetriever(kb, embedder, calibrator)
    thresholds = Thresholds(**spec["thresholds"])

    def answer(text: str) -> object:
        return decide(retriever.retrieve(text, PUBLIC, K), thresholds)

    def answer_batch(texts: list[str]) -> list[object]:
        return [decide(matches, thresholds) for matches in retriever.retrieve_many(texts, PUBLIC, K)]

    queries = spec["queries"]
    answer(queries[0])
    cold_start_s = time.perf_counter() - cold
    timed(answer, queries[1:3])  # warm-up
    latency = latencies(answer, latency_queries(spec), int(spec.get("passes", 1)))
    stages = _stages(kb, embedder, answer, queries[: int(spec.get("stage_queries", 20))])
    qps = _batch_qps(answer_batch, queries, int(spec["batch"]))
    memory["served"] = memory_mb()
    out: dict[str, Any] = {
        "mode": "serve",
        "size": len(kb),
        "search": kb.manifest.get("search"),
        "model_s": round(model_s, 2),
        "load_s": round(load_s, 2),
        "cold_start_s": round(cold_start_s, 2),
        "latency": latency,
        "stages_p50_ms": stages,
        "batch_qps": qps,
        "memory": memory,
    }
    if spec.get("incremental"):
        out["incremental"] = _incremental(kb, embedder, int(spec["incremental"]))
    return out


def _stages(kb: Any, embedder: Any, answer: Callable[[str], object], queries: list[str]) -> dict[str, float]:
    """Median ms of each step HybridRetriever takes, each query's steps timed one at a time and then the whole
    answer right after (the rest: candidate features, calibrator, trust, decide)."""
    from peerbot.knowledge.retriever import top_positive

    seconds: dict[str, list[float]] = {"embed": [], "bm25_scores": [], "bm25_top": [], "dense_search": [], "rest": []}
    for text in queries:
        t0 = time.perf_counter()
        vector = embedder.embed([text])[0]
        t1 = time.perf_counter()
        scores = kb.bm25.scores(text)
        t2 = time.perf_counter()
        top_positive(scores, 30)
        t3 = time.perf_counter()
        kb.dense(vector, 30)
        t4 = time.perf_counter()
        answer(text)
        t5 = time.perf_counter()
        steps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, (t5 - t4) - (t4 - t0))
        for key, value in zip(seconds, steps, strict=True):
            seconds[key].append(value)
    return {key: round(float(np.median(v)) * 1000, 2) for key, v in seconds.items()}


def _incremental(kb: Any, embedder: Any, count: int) -> dict[str, float]:
    """Adding accepted answers one by one, as bots/capture.py does: embed, then KnowledgeBase.with_added (the
    added segment), each served at once: the next search finds it."""
    from dataclasses import replace

    seconds = []
    for i in range(count):
        entry = replace(kb.entries[i], id=f"captured-{i}", thread_id=f"captured-{i}")
        started = time.perf_counter()
        vector = embedder.embed([entry.question_text])
        kb = kb.with_added([entry], vector)
        seconds.append(time.perf_counter() - started)
        found, _ = kb.dense(vector[0], 1)
        assert kb.entries[int(found[0])].id == entry.id, "an added entry was not served at once"
    return {
        "adds": count,
        "s_per_add": round(float(np.median(seconds)), 4),
        "entries_per_s": round(1 / float(np.median(seconds)), 2),
    }


def naive(spec: dict[str, Any]) -> dict[str, Any]:
    """What a user would build first: embed, IndexFlatIP search, answer when the top cosine is high enough."""
    import faiss

    from peerbot.bots.evaluation import DENSE_THRESHOLDS, K
    from peerbot.bots.policy import decide
    from peerbot.knowledge.embedder import load_embedder
    from peerbot.knowledge.entries import Match

    memory: dict[str, dict[str, float]] = {"start": memory_mb()}
    started = time.perf_counter()
    embedder = load_embedder(spec["model"])
    model_s = time.perf_counter() - started
    memory["model"] = memory_mb()
    started = time.perf_counter()
    entries, vectors = _read_entries(Path(spec["dir"]))
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    del vectors
    load_s = time.perf_counter() - started
    memory["loaded"] = memory_mb()

    def answer_batch(texts: list[str]) -> list[object]:
        scores, ids = index.search(embedder.embed(texts), K)
        return [
            decide(
                [Match(entries[p], float(s), float(s)) for p, s in zip(row_ids, row, strict=True) if p >= 0],
                DENSE_THRESHOLDS,
            )
            for row_ids, row in zip(ids.tolist(), scores.tolist(), strict=True)
        ]

    queries = spec["queries"]
    timed(lambda t: answer_batch([t]), queries[:3])
    latency = latencies(lambda t: answer_batch([t]), latency_queries(spec), int(spec.get("passes", 1)))
    qps = _batch_qps(answer_batch, queries, int(spec["batch"]))
    memory["served"] = memory_mb()
    return {
        "mode": "naive",
        "size": len(entries),
        "model_s": round(model_s, 2),
        "load_s": round(load_s, 2),
        "latency": latency,
        "batch_qps": qps,
        "memory": memory,
    }


MODES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "build": build,
    "serve": serve,
    "naive": naive,
}


def main(argv: Sequence[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    before = load_average()
    result = MODES[spec["mode"]](spec)
    result["load_average"] = {"start": before, "end": load_average()}
    Path(argv[1]).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
