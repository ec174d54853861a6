"""peerbot's own thread format: one JSON object per line (see README, "JSONL thread format")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, NoOptions, describe


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
    provenance: str | None = None


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


class JsonlThreadSource(FileSource[NoOptions]):
    """Reads threads from a .jsonl file; a bad line is reported with its number and skipped."""

    default_name = "jsonl"
    help = "peerbot's JSONL thread format"

    def files(self) -> list[Path]:
        return [self.path]  # any name (captured.jsonl, community.jsonl...); opening it says what is wrong

    def read_file(self, file: Path) -> Iterator[Thread]:
        for number, data in self.json_lines(file):
            try:
                yield to_thread(ThreadRecord.model_validate(data))
            except ValidationError as exc:
                self.report(file, f"line {number}", describe(exc))


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
            provenance=r.provenance,
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
