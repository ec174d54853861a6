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

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource
from peerbot.indexer.sources.html_text import html_to_markdown

QUESTION, ANSWER = "1", "2"
BATCH = 5000


class StackExchangeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None  # https://superuser.com: threads link to {base_url}/questions/{Id}
    tags: list[str] = []  # only questions with at least one of these tags; empty: every question


def parse_tags(raw: str) -> tuple[str, ...]:
    """ "<a><b>" (older dumps) or "|a|b|" (2024 and later) as ("a", "b")."""
    if raw.startswith("<"):
        return tuple(t for t in raw.strip("<>").split("><") if t)
    return tuple(t for t in raw.split("|") if t)


class StackExchangeSource(FileSource[StackExchangeOptions]):
    """Questions and answers from a Stack Exchange dump; a bad row is reported and skipped."""

    default_name = "stackexchange"
    options_model = StackExchangeOptions
    help = "a Stack Exchange data dump folder (Posts.xml, Users.xml)"

    def files(self) -> list[Path]:
        """The dump's Posts.xml (the path is the dump folder, or Posts.xml itself); Users.xml is read beside it."""
        posts = self.path if self.path.is_file() else self.path / "Posts.xml"
        if not posts.is_file():
            raise self.cannot_open(posts, "no such file")
        return [posts]

    def read_file(self, file: Path) -> Iterator[Thread]:
        with tempfile.TemporaryDirectory(prefix="peerbot-stackexchange-") as tmp:
            db = sqlite3.connect(Path(tmp) / "dump.db")
            try:
                self._load(db, file)
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
            self.report(file, f"line {line}", f"{exc}; the rest of the file is skipped")
        except OSError as exc:
            raise self.cannot_open(file, exc.strerror or str(exc)) from exc

    def _load(self, db: sqlite3.Connection, posts: Path) -> None:
        db.execute("create table posts (id integer primary key, kind text, parent integer, owner text, data text)")
        db.execute("create table users (id text primary key, name text)")
        batch: list[tuple[Any, ...]] = []
        for number, row in self.rows(posts):
            record = self._post_row(posts, number, row)
            if record is not None:
                batch.append(record)
            if len(batch) >= BATCH:
                db.executemany("insert or replace into posts values (?, ?, ?, ?, ?)", batch)
                batch = []
        db.executemany("insert or replace into posts values (?, ?, ?, ?, ?)", batch)
        db.execute("create index by_parent on posts (parent, id)")
        users = posts.with_name("Users.xml")
        if users.is_file():
            db.executemany(
                "insert or replace into users values (?, ?)",
                ((r["Id"], r["DisplayName"]) for _, r in self.rows(users) if r.get("Id") and r.get("DisplayName")),
            )
        db.commit()

    def _post_row(self, posts: Path, number: int, row: dict[str, str]) -> tuple[Any, ...] | None:
        kind = row.get("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            return None  # tag wikis, moderator nominations...
        needed = ["Id", "Body"] + (["Title"] if kind == QUESTION else ["ParentId"])
        missing = [f for f in needed if not row.get(f)]
        bad = [f for f in ("Id", "ParentId", "Score") if row.get(f) and not row[f].lstrip("-").isdigit()]
        if missing or bad:
            where = f"row {number}" + (f" (Id {row['Id']})" if row.get("Id") else "")
            reason = "; ".join([*(f"{f}: missing" for f in missing), *(f"{f}: not a number" for f in bad)])
            self.report(posts, where, reason)
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
