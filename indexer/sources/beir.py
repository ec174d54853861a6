"""BEIR-style community threads (corpus.jsonl), as in SemEval CQA / qatarliving-train.

A line: {"_id", "title", "text", "metadata": {"author", "author_id", "date", "category",
"answers": [{"id", "author", "author_id", "date", "text", "label": "Good"|"PotentiallyUseful"|"Bad"|null}]}}
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, NoOptions


class BeirThreadSource(FileSource[NoOptions]):
    """Threads from a BEIR-style corpus.jsonl (or the dataset folder holding it); a bad line is reported."""

    default_name = "beir"
    help = "a BEIR-style corpus.jsonl (or its folder)"

    def files(self) -> list[Path]:
        return [self.path / "corpus.jsonl" if self.path.is_dir() else self.path]

    def read_file(self, file: Path) -> Iterator[Thread]:
        for number, record in self.json_lines(file):
            try:
                yield to_thread(record)
            except (KeyError, TypeError, AttributeError) as exc:
                self.report(file, f"line {number}", f"missing or wrong field {exc}")


def to_thread(record: dict[str, Any]) -> Thread:
    meta = record.get("metadata") or {}
    replies = tuple(
        Post(
            id=str(a["id"]),
            author=str(a.get("author") or ""),
            author_id=str(a.get("author_id") or a.get("author") or ""),
            text=str(a["text"]),
            date=a.get("date"),
            label=str(a["label"]).lower() if a.get("label") else None,
        )
        for a in meta.get("answers", [])
    )
    return Thread(
        id=str(record["_id"]),
        title=str(record.get("title") or ""),
        body=str(record.get("text") or ""),
        author=str(meta.get("author") or ""),
        author_id=str(meta.get("author_id") or ""),
        date=meta.get("date"),
        channel=meta.get("category"),
        replies=replies,
    )
