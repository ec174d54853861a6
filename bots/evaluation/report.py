"""`peerbot eval` as the user sees it: options to objects, the tables, warnings, JSON, per-query file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from peerbot.bots.config import Settings
from peerbot.bots.evaluation.dataset import index_corpus, load_dataset
from peerbot.bots.evaluation.run import EvalReport, evaluate, evaluate_candidates
from peerbot.knowledge.calibrator import Calibrator

COLUMNS = {
    "mrr10": "MRR@10",
    "recall10": "R@10",
    "p1": "P@1",
    "answered_precision": "answered prec.",
    "answerable_coverage": "coverage",
    "unanswerable_escalated": "unans. escalated",
    "auroc": "AUROC",
    "best_coverage_at_precision_0.85": "best cov. @ prec 0.85",
}
ProgressBar = Callable[[str], AbstractContextManager[Progress]]


def eval_command(
    settings: Settings,
    directory: Path,
    split: str,
    protocol: str,
    threshold: float | None,
    calibrator_path: Path | None,
    per_query: Path | None,
    workdir: Path | None,
    self_calibration: bool,
    as_json: bool,
    out: Console,
    err: Console,
    progress_bar: ProgressBar,
) -> None:
    from peerbot.bots import app as wiring

    data = load_dataset(directory, split)
    embedder = wiring.open_embedder(settings)
    calibrator = Calibrator.load(calibrator_path) if calibrator_path else wiring.load_calibrator(settings)
    thresholds = wiring.thresholds(settings)
    if threshold is not None:
        thresholds = dataclasses.replace(thresholds, answer=threshold, suggest=min(thresholds.suggest, threshold))
    with progress_bar("indexing + asking") as bar:
        task = bar.add_task("eval", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        kb = index_corpus(data, embedder, workdir, progress) if workdir else None
        if protocol == "candidates":
            report = evaluate_candidates(data, embedder, calibrator, kb=kb, progress=progress)
        else:
            report = evaluate(
                data, embedder, calibrator, thresholds, kb=kb, progress=progress, self_calibration=self_calibration
            )
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False, highlight=False)
    if per_query is not None:
        report.write_per_query(per_query)
        err.print(f"per-query results written to {per_query}", markup=False, highlight=False)
    if as_json:
        out.print(report.to_json(), markup=False, highlight=False, soft_wrap=True)
        return
    if not out.is_terminal:
        out.width = 220
    for table in tables(report):
        out.print(table)


def tables(report: EvalReport) -> Iterator[Table]:
    sizes = report.sizes
    title = (
        f"{report.dataset} / {report.split}: {sizes['queries']} queries ({sizes['answerable']} answerable, "
        f"{sizes['unanswerable']} should escalate), {sizes['entries']} trusted entries; 95% bootstrap intervals"
    )
    if report.systems:
        table = Table(title=title)
        table.add_column("system")
        table.add_column("gate")
        for label in COLUMNS.values():
            table.add_column(label, justify="right")
        for s in report.systems:
            table.add_row(s.system, s.gate, *(s.scores[n].text() if n in s.scores else "-" for n in COLUMNS))
        yield table
    if report.candidates:
        table = Table(title=f"{title}; candidates protocol (SemEval-2016 subtask B, official MAP)")
        for column in ("system", "MAP", "queries counted"):
            table.add_column(column)
        for c in report.candidates:
            table.add_row(c.system, c.map.text(), str(c.counted))
        yield table
    if report.differences:
        table = Table(title="paired differences (same queries), 95% bootstrap intervals")
        table.add_column("difference")
        table.add_column("value [interval]", justify="right")
        table.add_column("excludes 0")
        for name, interval in report.differences.items():
            table.add_row(name, interval.text(), "yes" if interval.excludes_zero() else "no")
        yield table
