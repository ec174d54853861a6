"""Plain-text tables (Markdown pipes) of a benchmark result, and the issue's targets checked against it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from benchmarks.quality import COVERAGE_LEVELS, PEERBOT
from benchmarks.speed import NAIVE_BUILD, PEERBOT_BUILD

QUALITY_COLUMNS = (
    ("MRR@10", "mrr10"),
    ("R@10", "recall10"),
    ("nDCG@10", "ndcg10"),
    ("P@1", "p1"),
    ("answered precision", "answered_precision"),
    ("coverage of answerable", "answerable_coverage"),
    ("unanswerable escalated", "unanswerable_escalated"),
    ("unanswerable answered", "unanswerable_answered"),
    ("AUROC", "auroc"),
)
SPEED_COLUMNS = (
    "size",
    "pipeline",
    "p50 ms",
    "p99 ms",
    "p99 ms 1st pass",
    "batch q/s",
    "peak RSS MB",
    "load s",
    "cold start s",
    "questions x passes",
    "load avg",
)
MEMORY_COLUMNS = ("size", "pipeline", "imports", "+ model", "+ entries & vectors", "+ BM25", "serving peak")
STAGE_COLUMNS = (
    "size",
    "pipeline",
    "embed",
    "bm25 scores",
    "bm25 top-30",
    "dense top-30",
    "features+calibrator+decide",
)
PIPELINES = (("peerbot", "peerbot"), ("naive", "naive (ST fp32 + FlatIP)"))


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(map(str, headers)), *[[fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def quality_tables(quality: dict[str, Any]) -> str:
    systems = quality["systems"]
    main = table(
        ["system", *(h for h, _ in QUALITY_COLUMNS), "gate"],
        [[s["system"], *(s[k] for _, k in QUALITY_COLUMNS), s["gate"]] for s in systems],
    )
    curve = table(
        ["system", *(f"P@cov {c:.1f}" for c in COVERAGE_LEVELS), "max coverage at P>=0.85"],
        [
            [
                s["system"],
                *(s["precision_at_coverage"][f"{c:.1f}"] for c in COVERAGE_LEVELS),
                s["coverage_at_precision_0.85"],
            ]
            for s in systems
        ],
    )
    sizes = quality["sizes"]
    head = (
        f"Answer quality on {quality['dataset']} split {quality['split']}: {sizes['queries']} queries "
        f"({sizes['answerable']} answerable, {sizes['unanswerable']} unanswerable), "
        f"{sizes['entries']} entries indexed; "
        f"learned parts fit on {sizes['train_queries']} train queries"
    )
    return (
        f"{head}\n\n{main}\n\nPrecision of answered queries at each share of answerable queries answered "
        f"(the gate's curve; '-' = never reached):\n\n{curve}"
    )


def speed_rows(sizes: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for row in sizes:
        for key, label in PIPELINES:
            if key in row:
                r = row[key]
                rows.append(
                    [
                        row["size"],
                        label,
                        r["latency"]["best_of_passes"]["p50_ms"],
                        r["latency"]["best_of_passes"]["p99_ms"],
                        r["latency"]["raw"]["p99_ms"],
                        r["batch_qps"],
                        r["memory"]["served"]["peak_rss_mb"],
                        r["load_s"],
                        r.get("cold_start_s"),
                        f"{r['latency']['raw']['samples']} x {r['latency']['passes']}",
                        "{start:.1f} -> {end:.1f}".format(**r["load_average"]) if "load_average" in r else "-",
                    ]
                )
    return rows


def speed_tables(speed: dict[str, Any]) -> str:
    sizes = speed.get("sizes", [])
    parts = []
    if sizes:
        parts.append(
            "Question to decision, in process (synthetic entries and random unit vectors; real questions). p50 and "
            "p99 take each question's fastest pass; '1st pass' is the p99 as first measured:"
        )
        parts.append(
            table(SPEED_COLUMNS, [[fmt(c, 1) if isinstance(c, float) else c for c in r] for r in speed_rows(sizes)])
        )
        stage_rows = []
        for row in sizes:
            for key, label in PIPELINES:
                if key in row and "stages_p50_ms" in row[key]:
                    stage_rows.append([row["size"], label, *(fmt(v, 1) for v in row[key]["stages_p50_ms"].values())])
        memory_rows = []
        for row in sizes:
            for key, label in PIPELINES:
                m = row.get(key, {}).get("memory", {})
                if "entries_and_vectors" in m:
                    steps = [
                        m["start"]["rss_mb"],
                        m["model"]["rss_mb"],
                        m["entries_and_vectors"]["rss_mb"],
                        m["loaded"]["rss_mb"],
                    ]
                    deltas = [steps[0], *(b - a for a, b in pairwise(steps))]
                    memory_rows.append(
                        [row["size"], label, *(fmt(v, 0) for v in deltas), fmt(m["served"]["peak_rss_mb"], 0)]
                    )
        parts.append(
            "Serving memory, RSS MB added by each load step (the load average shows how busy the machine was):"
        )
        parts.append(table(MEMORY_COLUMNS, memory_rows))
        parts.append("Median ms per step (each step timed alone, then the whole answer; rest = whole - steps):")
        parts.append(table(STAGE_COLUMNS, stage_rows))
        build_rows = []
        for row in sizes:
            b = row["build"]
            inc = row.get("peerbot", {}).get("incremental", {})
            build_rows.append(
                [
                    row["size"],
                    fmt(b["publish_s"], 1),
                    fmt(b["publish_entries_per_s"], 0),
                    _layout(b.get("search")),
                    fmt(b["files_mb"], 0),
                    fmt(inc["s_per_add"] * 1000, 2) if inc else "-",
                ]
            )
        parts.append(
            "Index build without embedding (publish: write, checksum, read back) and adding one captured answer "
            "(embed + KnowledgeBase.with_added, served at once):"
        )
        parts.append(
            table(
                [
                    "size",
                    "publish s",
                    "publish entries/s",
                    "dense index",
                    "index files MB",
                    "add one captured answer ms",
                ],
                build_rows,
            )
        )
    recall = speed.get("recall")
    if recall:
        parts.append(
            f"IVF + 8-bit recall@{recall['k']} of the flat index's top {recall['k']}, real embeddings of real texts "
            f"({', '.join(recall['data'])}), real questions; nprobe {recall['default_nprobe']} is the default:"
        )
        parts.append(
            table(
                ["entries", "questions", "lists", "nprobe", "recall"],
                [[r["entries"], r["queries"], r["lists"], r["nprobe"], fmt(r["recall"], 4)] for r in recall["rows"]],
            )
        )
    build = speed.get("build")
    if build:
        parts.append(
            f"Build from real threads ({build['entries']} entries, model {build.get('model', '?')}; "
            "full builds take turns, each keeps its faster round):"
        )
        parts.append(
            table(
                ["pipeline", "seconds", "entries/s", "x naive"],
                [
                    [n, fmt(p["seconds"], 1), fmt(p["entries_per_s"], 1), fmt(p["vs_naive"], 2)]
                    for n, p in build["pipelines"].items()
                ],
            )
        )
    return "\n\n".join(parts)


def _layout(search: dict[str, Any] | None) -> str:
    if not search:
        return "-"
    if search.get("kind") == "flat":
        return "flat"
    return f"IVF {search.get('lists')} lists, nprobe {search.get('nprobe')}, 8-bit"


def _size(speed: dict[str, Any], size: int) -> dict[str, Any] | None:
    return next((r for r in speed.get("sizes", []) if r["size"] == size), None)


def _check(value: float | None, ok: bool | None) -> str:
    return "not measured" if value is None or ok is None else ("met" if ok else "MISSED")


def _p99(row: dict[str, Any] | None, pipeline: str) -> float | None:
    return row[pipeline]["latency"]["best_of_passes"]["p99_ms"] if row and pipeline in row else None


def targets(quality: dict[str, Any] | None, speed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each target of issue 15 with peerbot's measured number beside the naive pipeline's, met or missed."""
    out: list[dict[str, Any]] = []

    def add(target: str, ours: float | None, ok: bool | None, naive: float | None = None, note: str = "") -> None:
        out.append({"target": target, "peerbot": ours, "naive": naive, "status": _check(ours, ok), "note": note})

    speed = speed or {}
    for size, bound, share in ((100_000, 25.0, 0.6), (1_000_000, 40.0, 0.25)):
        row = _size(speed, size)
        ours, naive = _p99(row, "peerbot"), _p99(row, "naive")
        ok = ours is not None and naive is not None and ours < bound and ours < share * naive
        ratio = f"{ours / naive:.2f}x naive" if ours and naive else ""
        add(f"p99 question-to-decision < {bound:.0f} ms and < {share}x naive, {size:,} entries", ours, ok, naive, ratio)
    row = _size(speed, 1_000_000)
    mem = row["peerbot"]["memory"]["served"]["peak_rss_mb"] if row else None
    naive_mem = row["naive"]["memory"]["served"]["peak_rss_mb"] if row and "naive" in row else None
    add("serving peak RSS < 800 MB at 1M entries (model included)", mem, mem is not None and mem < 800, naive_mem)
    cold = row["peerbot"].get("cold_start_s") if row else None
    add("cold start of a 1M-entry index to the first answer < 10 s", cold, cold is not None and cold < 10)
    inc = row["peerbot"].get("incremental", {}).get("s_per_add") if row else None
    add(
        "adding one captured answer at 1M entries < 50 ms, served at once",
        round(inc * 1000, 2) if inc is not None else None,
        inc is not None and inc < 0.05,
        note="ms; embed + KnowledgeBase.with_added, then found by the next search",
    )
    build = speed.get("build", {}).get("pipelines", {})
    ours_x = build.get(PEERBOT_BUILD, {}).get("vs_naive")
    add(
        "full build throughput >= 2.5x naive (real threads, real model)",
        ours_x,
        ours_x is not None and ours_x >= 2.5,
        build.get(NAIVE_BUILD, {}).get("entries_per_s"),
        "x naive; naive column: naive entries/s",
    )
    qps = row["peerbot"].get("batch_qps") if row else None
    add(
        "batch: 64 questions at 1M >= 60 q/s (HybridRetriever.retrieve_many)",
        qps,
        qps is not None and qps >= 60,
        row["naive"].get("batch_qps") if row and "naive" in row else None,
    )
    recall = speed.get("recall")
    default = next((r for r in recall["rows"] if r["nprobe"] == recall["default_nprobe"]), None) if recall else None
    add(
        "IVF recall@30 >= 0.98 of flat on real embeddings (default nprobe)",
        default["recall"] if default else None,
        default["recall"] >= 0.98 if default else None,
        note=f"{default['entries']:,} real texts, {default['lists']} lists" if default else "",
    )
    systems = {s["system"]: s for s in (quality or {}).get("systems", [])}
    ours_q = systems.get(PEERBOT)
    for label, key, bound in (("MRR@10", "mrr10", 0.740), ("answered precision", "answered_precision", 0.909)):
        v = ours_q.get(key) if ours_q else None
        add(f"{label} on dev not below today's {bound}", v, v is not None and v >= bound - 0.0005)
    add("10M entries (synthetic), one machine", None, None, note="not measured: see README Performance")
    return out


def targets_table(rows: list[dict[str, Any]]) -> str:
    return table(
        ["target", "peerbot", "naive", "status", "note"],
        [[r["target"], r["peerbot"], r["naive"], r["status"], r["note"]] for r in rows],
    )
