"""peerbot's own thread format: one JSON object per line (see README, "JSONL thread format")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import Post, SourceProblem, Thread


class ReplyRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    author: str
    author_id: str = ""
    text: str
    date: str | None = None
    score: int = 0
    accepted: bool = False
    label: str | None = None


class ThreadRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1)
    title: str
    body: str = ""
    author: str = ""
    author_id: str = ""
    date: str | None = None
    url: str | None = None
    channel: str | None = None
    visibility: Literal["public", "private"] = "public"
    tags: list[str] = []
    replies: list[ReplyRecord] = []


def describe(error: ValidationError) -> str:
    """The first few validation errors as 'field: problem'."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(x) for x in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg'].lower()}")
    return "; ".join(parts)


class JsonlThreadSource:
    """Reads threads from a .jsonl file; a bad line is reported with its number and skipped."""

    def __init__(self, path: Path, name: str = "jsonl") -> None:
        self.path = Path(path)
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
                    record = ThreadRecord.model_validate(json.loads(line))
                except json.JSONDecodeError as exc:
                    self._report(number, f"not valid JSON ({exc.msg} at column {exc.colno})")
                    continue
                except ValidationError as exc:
                    self._report(number, describe(exc))
                    continue
                yield to_thread(record)

    def _report(self, line: int, reason: str) -> None:
        self.problems.append(SourceProblem(str(self.path), f"line {line}", reason))


def to_thread(record: ThreadRecord) -> Thread:
    replies = tuple(
        Post(
            id=r.id,
            author=r.author,
            author_id=r.author_id or r.author,
            text=r.text,
            date=r.date,
            score=r.score,
            accepted=r.accepted,
            label=r.label.lower() if r.label else None,
        )
        for r in record.replies
    )
    return Thread(
        id=record.id,
        title=record.title,
        body=record.body,
        author=record.author,
        author_id=record.author_id or record.author,
        date=record.date,
        url=record.url,
        channel=record.channel,
        visibility=record.visibility,
        replies=replies,
        tags=tuple(record.tags),
    )
