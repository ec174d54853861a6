"""Plain-text tables (Markdown pipes) of a benchmark result, and the issue's targets checked against it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from benchmarks.quality import BASELINES, COVERAGE_LEVELS, PEERBOT, PROTOTYPE
from benchmarks.speed import PEERBOT_BUILD

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
PIPELINES = (("peerbot", "peerbot"), ("naive", "naive (ST fp32 + FlatIP)"), ("prototype", "prototype"))


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
                    fmt(b.get("prototype_index_s"), 1),
                    fmt(b["files_mb"], 0),
                    fmt(b.get("prototype_index_mb"), 0),
                    fmt(inc.get("s_per_add"), 3),
                ]
            )
        parts.append("Index build without embedding (publish: write, checksum, read back) and incremental adds:")
        parts.append(
            table(
                [
                    "size",
                    "publish s",
                    "publish entries/s",
                    "prototype IVF-SQ8 s",
                    "index files MB",
                    "prototype index MB",
                    "incremental s/add",
                ],
                build_rows,
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


def _size(speed: dict[str, Any], size: int) -> dict[str, Any] | None:
    return next((r for r in speed.get("sizes", []) if r["size"] == size), None)


def _check(value: float | None, ok: bool | None) -> str:
    return "not measured" if value is None or ok is None else ("met" if ok else "MISSED")


def targets(quality: dict[str, Any] | None, speed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each target of issue 7 with peerbot's measured number and the prototype's, met or missed."""
    out: list[dict[str, Any]] = []

    def add(
        target: str,
        ours: float | None,
        ok: bool | None,
        proto: float | None = None,
        proto_ok: bool | None = None,
        note: str = "",
    ) -> None:
        out.append(
            {
                "target": target,
                "peerbot": ours,
                "peerbot_status": "n/a" if ok is None and note.startswith("n/a") else _check(ours, ok),
                "prototype": proto,
                "prototype_status": _check(proto, proto_ok),
                "note": note,
            }
        )

    systems = {s["system"]: s for s in (quality or {}).get("systems", [])}
    ours, proto = systems.get(PEERBOT), systems.get(PROTOTYPE)
    baselines = [systems[b] for b in BASELINES if b in systems]
    for label, key in (("MRR@10", "mrr10"), ("Recall@10", "recall10")):
        if ours and baselines:
            best = max(baselines, key=lambda s: s[key])
            add(
                f"{label} above the best single baseline on dev",
                ours[key],
                ours[key] > best[key],
                proto[key] if proto else None,
                proto[key] > best[key] if proto else None,
                f"best baseline: {best['system']} {best[key]:.3f}",
            )
        else:
            add(f"{label} above the best single baseline on dev", None, None)
    for label, key, bound in (
        ("answered precision >= 0.85 at the configured threshold", "answered_precision", 0.85),
        ("coverage of answerable >= 0.5 at the configured threshold", "answerable_coverage", 0.5),
        ("unanswerable escalated >= 0.8 at the configured threshold", "unanswerable_escalated", 0.8),
    ):
        v, p = (ours or {}).get(key), (proto or {}).get(key)
        add(label, v, v is not None and v >= bound, p, p is not None and p >= bound)
    if ours and proto:
        drop = max(ours["mrr10"] - proto["mrr10"], ours["recall10"] - proto["recall10"])
        add(
            "faster build keeps quality within 1 point of fp32 (MRR@10, R@10)",
            None,
            None,
            round(drop, 3),
            drop <= 0.01,
            "n/a for peerbot (its build is the fp32 one); prototype: largest drop of MRR@10, R@10 vs fp32",
        )
    speed = speed or {}
    for size, bound in ((100_000, 30.0), (1_000_000, 50.0)):
        row = _size(speed, size)
        ours_p99 = row["peerbot"]["latency"]["best_of_passes"]["p99_ms"] if row else None
        proto_p99 = row["prototype"]["latency"]["best_of_passes"]["p99_ms"] if row and "prototype" in row else None
        raw = [row[k]["latency"]["raw"]["p99_ms"] for k in ("peerbot", "prototype") if k in row] if row else []
        add(
            f"p99 question-to-decision < {bound:.0f} ms at {size:,} entries",
            ours_p99,
            ours_p99 is not None and ours_p99 < bound,
            proto_p99,
            proto_p99 is not None and proto_p99 < bound,
            "best of passes; 1st pass p99: " + " / ".join(f"{v:.0f}" for v in raw) + " ms" if raw else "",
        )
    build = speed.get("build", {}).get("pipelines", {})
    ours_x = build.get(PEERBOT_BUILD, {}).get("vs_naive")
    proto_x = next((p["vs_naive"] for n, p in build.items() if n.startswith("prototype")), None)
    add(
        "build throughput >= 2x the naive pipeline",
        ours_x,
        ours_x is not None and ours_x >= 2,
        proto_x,
        proto_x is not None and proto_x >= 2,
    )
    row = _size(speed, 1_000_000)
    mem = row["peerbot"]["memory"]["served"]["peak_rss_mb"] if row else None
    proto_mem = row["prototype"]["memory"]["served"]["peak_rss_mb"] if row and "prototype" in row else None
    add(
        "serving peak RSS < 1 GB (1024 MB) at 1,000,000 entries",
        mem,
        mem is not None and mem < 1024,
        proto_mem,
        proto_mem is not None and proto_mem < 1024,
    )
    return out


def targets_table(rows: list[dict[str, Any]]) -> str:
    return table(
        ["target", "peerbot", "status", "prototype", "status", "note"],
        [
            [r["target"], r["peerbot"], r["peerbot_status"], r["prototype"], r["prototype_status"], r["note"]]
            for r in rows
        ],
    )
