"""BEIR-style community threads (corpus.jsonl), as in SemEval CQA / qatarliving-train.

A line: {"_id", "title", "text", "metadata": {"author", "author_id", "date", "category",
"answers": [{"id", "author", "author_id", "date", "text", "label": "Good"|"PotentiallyUseful"|"Bad"|null}]}}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import Post, SourceProblem, Thread


def corpus_path(path: Path) -> Path:
    """A dataset directory or the corpus file itself."""
    path = Path(path)
    return path / "corpus.jsonl" if path.is_dir() else path


class BeirThreadSource:
    def __init__(self, path: Path, name: str = "beir") -> None:
        self.path = corpus_path(path)
        self.name = name
        self.problems: list[SourceProblem] = []

    def threads(self) -> Iterator[Thread]:
        self.problems = []
        try:
            handle = self.path.open(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SourceError(f"source {self.name!r}: cannot open {self.path} ({exc.strerror or exc})") from exc
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield to_thread(json.loads(line))
                except json.JSONDecodeError as exc:
                    self.problems.append(SourceProblem(str(self.path), f"line {number}", f"not valid JSON ({exc.msg})"))
                except (KeyError, TypeError, AttributeError) as exc:
                    self.problems.append(
                        SourceProblem(str(self.path), f"line {number}", f"missing or wrong field {exc}")
                    )


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
