"""Curated FAQs written by staff or superusers: a CSV file, a Markdown file, or a folder of them.

CSV: a header row with `question` and `answer` columns, and optionally `author`, `url`, `visibility`, `channel`.
Markdown: each `## Question` heading is an item; the text under it, up to the next `#`/`##` heading, is the
answer. Every item becomes a thread whose single reply is accepted: curated answers are trusted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, describe
from peerbot.indexer.sources.html_text import slugify, tidy_text

CSV_SUFFIXES = {".csv"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
_HEADING = re.compile(r"^(#{1,2})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class FaqOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    author: str = Field("FAQ", min_length=1)  # credited when a row names no author
    url: str | None = None  # where the FAQ is published: Markdown items link to {url}#{heading-anchor}
    visibility: Literal["public", "private"] = "public"  # a CSV row's own `visibility` wins
    channel: str | None = None  # the channel id private items are shown in (a private item without one never is)


class FaqItem(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    author: str | None = None
    url: str | None = None
    visibility: Literal["public", "private"] | None = None
    channel: str | None = None


class FaqSource(FileSource[FaqOptions]):
    """FAQ items from CSV or Markdown; a row or heading without an answer is reported and skipped."""

    default_name = "faq"
    options_model = FaqOptions
    suffixes = tuple(sorted(CSV_SUFFIXES | MARKDOWN_SUFFIXES))
    help = "a curated FAQ: CSV (question,answer,...) or Markdown (## Question), or a folder of them"

    def threads(self) -> Iterator[Thread]:
        self._seen: set[str] = set()  # thread ids are unique across the files of one read
        yield from super().threads()

    def read_file(self, file: Path) -> Iterator[Thread]:
        items = self._csv(file) if file.suffix.lower() in CSV_SUFFIXES else self._markdown(file)
        for item in items:
            yield self.to_thread(item, unique(slugify(item.question), self._seen))

    def _csv(self, file: Path) -> Iterator[FaqItem]:
        text = self.read_text(file, encoding="utf-8-sig")
        if text is None:
            return
        reader = csv.reader(text.splitlines(keepends=True))
        header = [c.strip().lower() for c in next(reader, [])]
        if "question" not in header or "answer" not in header:
            found = ", ".join(c for c in header if c) or "none"
            self.report(file, "line 1", f"needs question and answer columns (found {found})")
            return
        while True:
            where = f"line {reader.line_num + 1}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.report(file, where, f"not valid CSV ({exc})")
                continue
            if not any(cell.strip() for cell in row):
                continue
            cells = {name: value.strip() for name, value in zip(header, row, strict=False) if value.strip()}
            try:
                yield FaqItem.model_validate({**cells, "visibility": cells.get("visibility", "").lower() or None})
            except ValidationError as exc:
                self.report(file, where, describe(exc))

    def _markdown(self, file: Path) -> Iterator[FaqItem]:
        text = self.read_text(file, encoding="utf-8-sig")
        if text is None:
            return
        question: tuple[int, str] | None = None
        lines: list[str] = []
        fenced = False
        for number, line in enumerate([*text.splitlines(), "# end"], start=1):
            if _FENCE.match(line):
                fenced = not fenced
            heading = None if fenced else _HEADING.match(line)
            if heading is None:
                lines.append(line)
                continue
            if question is not None:
                item = self._markdown_item(file, question, lines)
                if item is not None:
                    yield item
            question = (number, heading.group(2)) if heading.group(1) == "##" else None
            lines = []

    def _markdown_item(self, file: Path, question: tuple[int, str], lines: list[str]) -> FaqItem | None:
        number, title = question
        answer = tidy_text("\n".join(lines))
        if not title or not answer:
            what = "no question text" if not title else "no answer under this question"
            self.report(file, f"line {number}", what)
            return None
        url = f"{self.options.url.split('#')[0]}#{slugify(title)}" if self.options.url else None
        return FaqItem(question=title, answer=answer, url=url)

    def to_thread(self, item: FaqItem, thread_id: str) -> Thread:
        author = item.author or self.options.author
        return Thread(
            id=thread_id,
            title=item.question,
            body="",
            author=author,
            author_id=author,
            url=item.url or self.options.url,
            channel=item.channel or self.options.channel,
            visibility=item.visibility or self.options.visibility,
            replies=(Post(id=f"{thread_id}:answer", author=author, author_id=author, text=item.answer, accepted=True),),
        )


def unique(slug: str, seen: set[str]) -> str:
    """The slug, or slug-2, slug-3... when an earlier item already has it."""
    candidate, n = slug, 1
    while candidate in seen:
        n += 1
        candidate = f"{slug}-{n}"
    seen.add(candidate)
    return candidate
