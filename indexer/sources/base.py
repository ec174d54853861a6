"""The Source seam: anything that yields community threads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from peerbot.knowledge.entries import Visibility


@dataclass(frozen=True)
class Post:
    """A reply in a thread, with the community's signals about it."""

    id: str
    author: str
    author_id: str
    text: str
    date: str | None = None
    score: int = 0
    accepted: bool = False
    label: str | None = None  # "good" / "bad" / ... when the community or a moderator labelled it
    provenance: str | None = None  # learned live: where and who marked it (shown with the trust reasons)


@dataclass(frozen=True)
class Thread:
    """A question and its replies, as a community platform holds them."""

    id: str
    title: str
    body: str
    author: str = ""
    author_id: str = ""
    date: str | None = None
    url: str | None = None
    channel: str | None = None
    visibility: Visibility = "public"
    replies: tuple[Post, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceProblem:
    """A record a source could not read: reported, skipped, the rest still indexed."""

    file: str
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.record}: {self.reason}"


class Source(Protocol):
    """Yields threads; records it cannot read go to `problems` instead of stopping the build."""

    name: str
    problems: list[SourceProblem]

    def threads(self) -> Iterator[Thread]: ...
