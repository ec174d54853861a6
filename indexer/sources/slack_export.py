"""Slack: the workspace export (the .zip Slack gives an admin, or its unpacked folder).

channels.json (public) and groups.json (private) list the channels; users.json the people; each channel has a
folder of daily YYYY-MM-DD.json message files. A thread is a parent message and its replies (`thread_ts`):
the parent is the question. A check-mark reaction from the asker marks the accepted reply; other reactions
are kudos. Direct messages (dms.json, mpims.json) are never read.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, describe
from peerbot.indexer.sources.html_text import iso_from_epoch, split_title, tidy_text
from peerbot.knowledge.entries import Visibility

KEPT_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}  # the rest: joins, topics, bots...
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_FENCE = re.compile(r"```(.*?)```", re.DOTALL)


class SlackExportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accepted_reactions: list[str] = ["white_check_mark", "heavy_check_mark"]  # by the asker: accepted
    negative_reactions: list[str] = ["-1", "thumbsdown"]  # each one takes a kudo away
    channels: list[str] = []  # only these channels (names or ids); empty: every public and private channel
    channel_key: Literal["id", "name"] = "id"  # what a thread's channel is: the id (as the Slack adapter sees it)
    workspace_url: str | None = None  # https://acme.slack.com: threads link to their Slack permalink


class SlackMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ts: str
    user: str | None = None
    text: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = ""
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    reactions: list[dict[str, Any]] = []
    user_profile: dict[str, Any] | None = None


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    visibility: Visibility


@dataclass
class ExportTree:
    """The export's files, from a zip or a folder, by their path relative to the export root."""

    path: Path
    zip: zipfile.ZipFile | None = None
    root: str = ""
    names: set[str] = field(default_factory=set)
    days: dict[str, list[str]] = field(default_factory=dict)  # folder -> its YYYY-MM-DD.json files, in order

    @classmethod
    def open(cls, path: Path) -> ExportTree:
        """The folder's or the zip's files; raises OSError or zipfile.BadZipFile for a zip that cannot be read."""
        if path.is_dir():
            return cls(path, None).index(p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file())
        archive = zipfile.ZipFile(path)
        return cls(path, archive).index(n for n in archive.namelist() if n.endswith(".json"))

    def index(self, names: Iterable[str]) -> ExportTree:
        """Find the root (the folder holding channels.json: the export may have been zipped from its parent
        folder) and each channel folder's day files."""
        self.names = set(names)
        tops = [n for n in self.names if PurePosixPath(n).name in ("channels.json", "groups.json")]
        parent = PurePosixPath(min(tops, key=len, default="channels.json")).parent
        self.root = "" if str(parent) == "." else str(parent)
        for name in sorted(self.names):
            rel = PurePosixPath(self.rel(name))
            if len(rel.parts) == 2 and _DAY.match(rel.name) and name.startswith(self.full("")):
                self.days.setdefault(rel.parts[0], []).append(rel.as_posix())
        return self

    def rel(self, name: str) -> str:
        return name[len(self.root) + 1 :] if self.root else name

    def full(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    def where(self, rel: str) -> str:
        """A member as a path for problem reports: export.zip/general/2024-01-02.json."""
        return str(self.path / self.full(rel))

    def has(self, rel: str) -> bool:
        return self.full(rel) in self.names

    def read_json(self, rel: str) -> Any:
        """The member's JSON; raises ValueError (bad JSON) or OSError (unreadable)."""
        if self.zip is not None:
            try:
                raw = self.zip.read(self.full(rel))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise OSError(f"unreadable zip member: {exc}") from exc
        else:
            raw = (self.path / self.full(rel)).read_bytes()
        return json.loads(raw.decode("utf-8", errors="replace"))

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def reaction_users(reaction: dict[str, Any]) -> set[str]:
    return {str(u) for u in reaction.get("users") or ()}


class SlackExportSource(FileSource[SlackExportOptions]):
    """Threads from a Slack workspace export; a bad day file, message or member is reported and skipped."""

    default_name = "slack"
    options_model = SlackExportOptions
    help = "a Slack workspace export (.zip or its unpacked folder)"

    def __init__(self, path: Path, name: str | None = None, options: SlackExportOptions | None = None) -> None:
        super().__init__(path, name, options)
        self.users: dict[str, str] = {}
        self.channel_names: dict[str, str] = {}

    def files(self) -> list[Path]:
        if not self.path.exists():
            raise self.cannot_open(self.path, "no such file or folder")
        return [self.path]  # the export as a whole: the .zip or its unpacked folder

    def read_file(self, export: Path) -> Iterator[Thread]:
        try:
            tree = ExportTree.open(export)
        except (OSError, zipfile.BadZipFile) as exc:
            raise self.cannot_open(export, f"not a readable zip file: {exc}") from None
        try:
            channels = self._channels(tree)
            self.users = self._users(tree)
            self.channel_names = {c.id: c.name for c in channels}
            listed = {c.name for c in channels} | {c.id for c in channels}
            self._report_unlisted(tree, listed)
            wanted = set(self.options.channels)
            for channel in channels:
                if not wanted or channel.name in wanted or channel.id in wanted:
                    yield from self._channel_threads(tree, channel)
        finally:
            tree.close()

    # -- metadata -------------------------------------------------------------------------------------------

    def _channels(self, tree: ExportTree) -> list[Channel]:
        if not tree.has("channels.json") and not tree.has("groups.json"):
            raise self.cannot_open(tree.path, "not a Slack export: no channels.json or groups.json")
        out: list[Channel] = []
        for listing, private in (("channels.json", False), ("groups.json", True)):
            if not tree.has(listing):
                continue
            try:
                records = tree.read_json(listing)
            except (OSError, ValueError) as exc:
                raise self.cannot_open(Path(tree.where(listing)), str(exc)) from None
            for number, record in enumerate(records if isinstance(records, list) else [], start=1):
                if not isinstance(record, dict) or not record.get("id") or not record.get("name"):
                    self.report(tree.where(listing), f"channel {number}", "no id or name")
                    continue
                hidden = private or bool(record.get("is_private"))
                out.append(Channel(str(record["id"]), str(record["name"]), "private" if hidden else "public"))
        return out

    def _users(self, tree: ExportTree) -> dict[str, str]:
        if not tree.has("users.json"):
            return {}
        try:
            records = tree.read_json("users.json")
        except (OSError, ValueError) as exc:
            self.report(tree.where("users.json"), "file", f"{exc}; names shown as user ids")
            return {}
        users = {}
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and record.get("id"):
                users[str(record["id"])] = display_name(record)
        return users

    def _direct(self, tree: ExportTree) -> set[str]:
        """Folders of direct and group messages (dms.json, mpims.json): never read, never reported."""
        folders = set()
        for listing in ("dms.json", "mpims.json"):
            if not tree.has(listing):
                continue
            try:
                records = tree.read_json(listing)
            except (OSError, ValueError):
                continue
            for record in records if isinstance(records, list) else []:
                if isinstance(record, dict):
                    folders |= {str(record[k]) for k in ("id", "name") if record.get(k)}
        return folders

    def _report_unlisted(self, tree: ExportTree, listed: set[str]) -> None:
        """A folder of messages not in channels.json or groups.json: its visibility is unknown, so it is skipped."""
        for folder in sorted(set(tree.days) - listed - self._direct(tree)):
            self.report(tree.where(folder), "folder", "not listed in channels.json or groups.json; skipped")

    # -- messages -------------------------------------------------------------------------------------------

    def _messages(self, tree: ExportTree, channel: Channel) -> list[SlackMessage]:
        messages: list[SlackMessage] = []
        for day in tree.days.get(channel.name) or tree.days.get(channel.id) or []:
            try:
                records = tree.read_json(day)
            except ValueError as exc:
                self.report(tree.where(day), "file", f"not valid JSON ({exc})")
                continue
            except OSError as exc:
                self.report(tree.where(day), "file", str(exc))
                continue
            if not isinstance(records, list):
                self.report(tree.where(day), "file", "not a list of messages")
                continue
            for number, record in enumerate(records, start=1):
                try:
                    messages.append(SlackMessage.model_validate(record))
                except ValidationError as exc:
                    self.report(tree.where(day), f"message {number}", describe(exc))
        return messages

    def _channel_threads(self, tree: ExportTree, channel: Channel) -> Iterator[Thread]:
        by_ts: dict[str, SlackMessage] = {}
        skipped: set[str] = set()
        replies: dict[str, list[SlackMessage]] = defaultdict(list)
        for message in self._messages(tree, channel):
            if message.subtype not in KEPT_SUBTYPES or message.bot_id or not message.user:
                skipped.add(message.ts)  # bots, joins, topic changes: neither questions nor answers
                continue
            by_ts[message.ts] = message
            if message.thread_ts and message.thread_ts != message.ts:
                replies[message.thread_ts].append(message)
        for root_ts in sorted(replies, key=float_ts):
            parent = by_ts.get(root_ts)
            if parent is None and root_ts in skipped:
                continue
            if parent is None:
                self.report(tree.where(channel.name), f"thread {root_ts}", "replies without their parent message")
                continue
            yield self.to_thread(channel, parent, sorted(replies[root_ts], key=lambda m: float_ts(m.ts)))

    def to_thread(self, channel: Channel, parent: SlackMessage, replies: list[SlackMessage]) -> Thread:
        asker = parent.user or ""
        title, body = split_title(self.text(parent.text))
        permalink = None
        if self.options.workspace_url:
            permalink = f"{self.options.workspace_url.rstrip('/')}/archives/{channel.id}/p{parent.ts.replace('.', '')}"
        return Thread(
            id=f"{channel.id}:{parent.ts}",
            title=title,
            body=body,
            author=self.name_of(parent),
            author_id=asker,
            date=iso_from_epoch(parent.ts),
            url=permalink,
            channel=channel.id if self.options.channel_key == "id" else channel.name,
            visibility=channel.visibility,
            replies=tuple(self.to_post(m, asker) for m in replies),
        )

    def to_post(self, message: SlackMessage, asker: str) -> Post:
        accepted, score = False, 0
        author = message.user or ""
        for reaction in message.reactions:
            name, users = str(reaction.get("name", "")), reaction_users(reaction)
            count = int(reaction.get("count") or len(users))
            if author in users:
                count -= 1  # reacting to your own answer is not kudos
            if name in self.options.accepted_reactions and asker in users and asker != author:
                accepted = True
                count -= 1  # the asker's check mark accepts; it is not also a kudo
            if name in self.options.negative_reactions:
                score -= max(count, 0)
            else:
                score += max(count, 0)
        return Post(
            id=message.ts,
            author=self.name_of(message),
            author_id=author,
            text=self.text(message.text),
            date=iso_from_epoch(message.ts),
            score=score,
            accepted=accepted,
        )

    # -- text -----------------------------------------------------------------------------------------------

    def name_of(self, message: SlackMessage) -> str:
        if message.user and message.user in self.users:
            return self.users[message.user]
        if message.user_profile:
            return display_name({"profile": message.user_profile})
        return message.user or ""

    def text(self, mrkdwn: str) -> str:
        """Slack's markup as Markdown: mentions by name, <url|label> as "label (url)", code fenced, &amp; unescaped."""
        return tidy_text(html.unescape(_FENCE.sub(_fence, _LINK.sub(self._link, mrkdwn))))

    def _link(self, match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            user = target[1:]
            return "@" + (label or self.users.get(user) or user)
        if target.startswith("#"):
            return "#" + (label or self.channel_names.get(target[1:]) or target[1:])
        if target.startswith("!subteam^"):
            return "@" + (label or "team").lstrip("@")
        if target in ("!here", "!channel", "!everyone"):
            return "@" + target[1:]
        if target.startswith("!"):  # <!date^1700000000^{date}|Nov 14>: its fallback text
            return label or ""
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target


def _fence(match: re.Match[str]) -> str:
    return "\n```\n" + match.group(1).strip("\n") + "\n```\n"


def float_ts(ts: str) -> float:
    try:
        return float(ts)
    except ValueError:
        return 0.0


def display_name(record: dict[str, Any]) -> str:
    profile = record.get("profile") or {}
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        record.get("real_name"),
        record.get("name"),
        record.get("id"),
    ):
        if value:
            return str(value)
    return ""
