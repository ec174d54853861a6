"""'Write an FAQ entry': append a curated answer to the configured `faq` source (CSV or Markdown)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from peerbot.bots.config import Settings
from peerbot.indexer.sources.faq import CSV_SUFFIXES, MARKDOWN_SUFFIXES

NEW_FILE = "dashboard.csv"  # written inside a faq source that is a folder


def faq_target(settings: Settings) -> tuple[str, Path] | None:
    """The first `type = "faq"` source's name and the file new entries go to; None when there is none."""
    for spec in settings.sources:
        if spec.type != "faq" or spec.path is None:
            continue
        path = settings.resolve(spec.path)
        if path.suffix.lower() in CSV_SUFFIXES | MARKDOWN_SUFFIXES:
            return spec.name, path
        return spec.name, path / NEW_FILE
    return None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, io.SEEK_END)
        if handle.tell() == 0:
            return True
        handle.seek(-1, io.SEEK_END)
        return handle.read(1) == b"\n"


def _csv_columns(path: Path) -> tuple[list[str], str]:
    """The header as written (a spreadsheet's byte-order mark removed) and the file's line ending."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    header = next(csv.reader([first]), [])
    return header, "\r\n" if first.endswith("\r\n") else "\n"


def append_entry(path: Path, question: str, answer: str, author: str) -> None:
    """Add one item; a new CSV file gets a header. An existing CSV keeps its own columns, matched without
    regard to case or spaces (a spreadsheet's "Question", "Answer"); columns it lacks stay unwritten."""
    question, answer, author = question.strip(), answer.strip(), author.strip()
    if not question or not answer:
        raise ValueError("an FAQ entry needs a question and an answer")
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists() or path.stat().st_size == 0
    prefix = "" if fresh or _ends_with_newline(path) else "\n"
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{prefix}\n## {' '.join(question.split())}\n\n{answer}\n")
        return
    header, newline = (["question", "answer", "author"], "\n") if fresh else _csv_columns(path)
    columns = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
    if "question" not in columns or "answer" not in columns:
        found = ", ".join(h for h in header if h.strip()) or "none"
        raise ValueError(f"{path.name} has no question and answer columns (found: {found})")
    row = [""] * len(header)
    for name, value in (("question", question), ("answer", answer), ("author", author)):
        if name in columns:
            row[columns[name]] = value
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(prefix.replace("\n", newline))
        writer = csv.writer(handle, lineterminator=newline)
        if fresh:
            writer.writerow(header)
        writer.writerow(row)
