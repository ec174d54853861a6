"""Stack Exchange data dump: a site's folder with Posts.xml and Users.xml (the unpacked site .7z).

Posts.xml rows are questions (PostTypeId 1) and answers (PostTypeId 2, ParentId = the question). The
question's AcceptedAnswerId marks the accepted answer; Score (up votes minus down votes) is kudos.
Dumps are big: rows are streamed with iterparse into a temporary SQLite file, then read back question by
question with their answers, so memory stays small whatever the dump's size.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import Post, SourceProblem, Thread
from peerbot.indexer.sources.html_text import html_to_markdown

QUESTION, ANSWER = "1", "2"
BATCH = 5000


class StackExchangeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None  # https://superuser.com: threads link to {base_url}/questions/{Id}
    tags: list[str] = []  # only questions with at least one of these tags; empty: every question


def dump_folder(path: Path) -> Path:
    """The dump folder, or the folder of a Posts.xml given directly."""
    path = Path(path)
    return path.parent if path.is_file() else path


def parse_tags(raw: str) -> tuple[str, ...]:
    """ "<a><b>" (older dumps) or "|a|b|" (2024 and later) as ("a", "b")."""
    if raw.startswith("<"):
        return tuple(t for t in raw.strip("<>").split("><") if t)
    return tuple(t for t in raw.split("|") if t)


class StackExchangeSource:
    """Questions and answers from a Stack Exchange dump; a bad row is reported and skipped."""

    def __init__(self, path: Path, name: str = "stackexchange", options: StackExchangeOptions | None = None) -> None:
        self.path = dump_folder(path)
        self.name = name
        self.options = options or StackExchangeOptions()
        self.problems: list[SourceProblem] = []

    @property
    def posts_file(self) -> Path:
        return self.path / "Posts.xml"

    def threads(self) -> Iterator[Thread]:
        self.problems = []
        if not self.posts_file.is_file():
            raise SourceError(f"source {self.name!r}: cannot open {self.posts_file} (no such file)")
        with tempfile.TemporaryDirectory(prefix="peerbot-stackexchange-") as tmp:
            db = sqlite3.connect(Path(tmp) / "dump.db")
            try:
                self._load(db)
                yield from self._read(db)
            finally:
                db.close()

    # -- loading --------------------------------------------------------------------------------------------

    def rows(self, file: Path) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, attributes) for each <row>, streamed; XML that breaks off is reported where it breaks."""
        try:
            events = ET.iterparse(file, events=("start", "end"))
            _, root = next(events)
            number = 0
            for event, element in events:
                if event == "end" and element.tag == "row":
                    number += 1
                    yield number, dict(element.attrib)
                    root.clear()  # keep memory flat: drop the rows already read
        except ET.ParseError as exc:
            line, _ = exc.position
            self.problems.append(SourceProblem(str(file), f"line {line}", f"{exc}; the rest of the file is skipped"))
        except OSError as exc:
            raise SourceError(f"source {self.name!r}: cannot open {file} ({exc.strerror or exc})") from exc

    def _load(self, db: sqlite3.Connection) -> None:
        db.execute("create table posts (id integer primary key, kind text, parent integer, owner text, data text)")
        db.execute("create table users (id text primary key, name text)")
        batch: list[tuple[Any, ...]] = []
        for number, row in self.rows(self.posts_file):
            record = self._post_row(number, row)
            if record is not None:
                batch.append(record)
            if len(batch) >= BATCH:
                db.executemany("insert or replace into posts values (?, ?, ?, ?, ?)", batch)
                batch = []
        db.executemany("insert or replace into posts values (?, ?, ?, ?, ?)", batch)
        db.execute("create index by_parent on posts (parent, id)")
        users = self.path / "Users.xml"
        if users.is_file():
            db.executemany(
                "insert or replace into users values (?, ?)",
                ((r["Id"], r["DisplayName"]) for _, r in self.rows(users) if r.get("Id") and r.get("DisplayName")),
            )
        db.commit()

    def _post_row(self, number: int, row: dict[str, str]) -> tuple[Any, ...] | None:
        kind = row.get("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            return None  # tag wikis, moderator nominations...
        needed = ["Id", "Body"] + (["Title"] if kind == QUESTION else ["ParentId"])
        missing = [f for f in needed if not row.get(f)]
        bad = [f for f in ("Id", "ParentId", "Score") if row.get(f) and not row[f].lstrip("-").isdigit()]
        if missing or bad:
            where = f"row {number}" + (f" (Id {row['Id']})" if row.get("Id") else "")
            reason = "; ".join([*(f"{f}: missing" for f in missing), *(f"{f}: not a number" for f in bad)])
            self.problems.append(SourceProblem(str(self.posts_file), where, reason))
            return None
        wanted = set(self.options.tags)
        if kind == QUESTION and wanted and not wanted & set(parse_tags(row.get("Tags", ""))):
            return None
        parent = int(row["ParentId"]) if kind == ANSWER else None
        return int(row["Id"]), kind, parent, row.get("OwnerUserId"), json.dumps(row)

    # -- reading --------------------------------------------------------------------------------------------

    def _read(self, db: sqlite3.Connection) -> Iterator[Thread]:
        query = "select p.data, u.name from posts p left join users u on u.id = p.owner"
        for data, name in db.execute(f"{query} where p.kind = ? order by p.id", (QUESTION,)):
            answers = db.execute(
                f"{query} where p.parent = ? and p.kind = ? order by p.id", (json.loads(data)["Id"], ANSWER)
            )
            yield self.to_thread((json.loads(data), name), [(json.loads(d), n) for d, n in answers])

    def to_thread(
        self, question: tuple[dict[str, str], str | None], answers: list[tuple[dict[str, str], str | None]]
    ) -> Thread:
        row, name = question
        base = self.options.base_url.rstrip("/") if self.options.base_url else None
        accepted = row.get("AcceptedAnswerId")
        return Thread(
            id=row["Id"],
            title=row["Title"],
            body=html_to_markdown(row["Body"], base),
            author=author_name(row, name),
            author_id=row.get("OwnerUserId") or author_name(row, name),
            date=row.get("CreationDate"),
            url=f"{base}/questions/{row['Id']}" if base else None,
            tags=parse_tags(row.get("Tags", "")),
            replies=tuple(
                Post(
                    id=a["Id"],
                    author=author_name(a, n),
                    author_id=a.get("OwnerUserId") or author_name(a, n),
                    text=html_to_markdown(a["Body"], base),
                    date=a.get("CreationDate"),
                    score=int(a.get("Score") or 0),
                    accepted=a["Id"] == accepted,
                )
                for a, n in answers
            ),
        )


def author_name(row: dict[str, str], name: str | None) -> str:
    """Users.xml's DisplayName; else the row's OwnerDisplayName (deleted accounts); else the user id."""
    if name:
        return name
    if row.get("OwnerDisplayName"):
        return row["OwnerDisplayName"]
    return f"user {row['OwnerUserId']}" if row.get("OwnerUserId") else "anonymous"
