"""Discord: JSON files written by DiscordChatExporter (one file per channel, thread or forum post).

A thread or forum-post export is one thread: its first message is the question. In a text channel, reply
chains (`reference.messageId`) are threads: the message they start from is the question. A check-mark
reaction (from the asker, when the export lists who reacted) or a "solved" tag on the thread marks the
accepted reply; other reactions are kudos. Bot messages, system messages and direct messages are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, describe
from peerbot.indexer.sources.html_text import split_title, tidy_text

THREAD_KINDS = {"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"}
DIRECT_KINDS = {"DirectTextChat", "DirectGroupTextChat"}
STARTER_TYPES = {"ThreadStarterMessage", "21"}  # 21: the API's number, as exporters that do not know it write it
KEPT_TYPES = {"Default", "Reply", *STARTER_TYPES}
_USER = re.compile(r"<@!?(\d+)>")
_EMOJI = re.compile(r"<a?:(\w+):\d+>")


class DiscordExportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accepted_reactions: list[str] = ["✅", "☑️", "✔️", "white_check_mark", "ballot_box_with_check", "heavy_check_mark"]
    negative_reactions: list[str] = ["👎", "thumbsdown", "-1"]  # each one takes a kudo away
    solved_tags: list[str] = ["solved", "resolved"]  # a thread tagged or titled "[Solved] ..." is solved
    private_channels: list[str] = []  # channel, forum or category ids or names whose threads are private
    guild_url: str = "https://discord.com/channels"  # threads link to {guild_url}/{guild}/{channel}/{message}


class DiscordAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    nickname: str | None = None
    isBot: bool = False


class DiscordMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    type: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)] = "Default"
    timestamp: str | None = None
    content: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = ""
    author: DiscordAuthor
    reactions: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    reference: dict[str, Any] | None = None

    @property
    def replies_to(self) -> str | None:
        ref = self.reference or {}
        return str(ref["messageId"]) if ref.get("messageId") else None


class DiscordChannel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    type: str = "GuildTextChat"
    categoryId: str | None = None
    category: str | None = None
    name: str = ""
    tags: list[str | dict[str, Any]] = []  # forum tags, when the exporter writes them


class DiscordExport(BaseModel):
    model_config = ConfigDict(extra="ignore")
    guild: dict[str, Any] = {}
    channel: DiscordChannel
    messages: list[dict[str, Any]]


def emoji_names(reaction: dict[str, Any]) -> set[str]:
    emoji = reaction.get("emoji") or {}
    return {str(emoji[k]) for k in ("name", "code") if emoji.get(k)}


class DiscordExportSource(FileSource[DiscordExportOptions]):
    """Threads from DiscordChatExporter JSON; a bad file or message is reported and skipped."""

    default_name = "discord"
    options_model = DiscordExportOptions
    suffixes = (".json",)
    help = "DiscordChatExporter JSON (a file or a folder of them)"

    def read_file(self, file: Path) -> Iterator[Thread]:
        data = self.read_json(file)
        if data is None:
            return
        try:
            export = DiscordExport.model_validate(data)
        except ValidationError as exc:
            self.report(file, "file", f"not a DiscordChatExporter JSON: {describe(exc)}")
            return
        if export.channel.type in DIRECT_KINDS:
            return  # direct messages are never indexed
        messages = self._messages(file, export)
        if export.channel.type not in THREAD_KINDS:
            self._originals.update((m.id, m) for m in messages)
            yield from self.reply_chains(export, messages)
        elif messages and is_bare_starter(messages[0]):
            self._waiting.append((file, export, messages))  # its question is in the parent channel's export
        else:
            thread = self.thread_export(export, messages)
            if thread is not None:
                yield thread

    def threads(self) -> Iterator[Thread]:
        """Every file's threads; then the threads started from a channel message, once every channel is read."""
        self._originals: dict[str, DiscordMessage] = {}
        self._waiting: list[tuple[Path, DiscordExport, list[DiscordMessage]]] = []
        yield from super().threads()
        for file, export, messages in self._waiting:
            thread = self.thread_export(export, messages, self._question_of(file, messages[0]))
            if thread is not None:
                yield thread

    def _messages(self, file: Path, export: DiscordExport) -> list[DiscordMessage]:
        out = []
        for number, raw in enumerate(export.messages, start=1):
            try:
                message = DiscordMessage.model_validate(raw)
            except ValidationError as exc:
                where = f"message {raw.get('id', number)}" if isinstance(raw, dict) else f"message {number}"
                self.report(file, where, describe(exc))
                continue
            if message.type.isdigit() and message.type not in STARTER_TYPES:
                self.report(file, f"message {message.id}", f"message type {message.type} is not one peerbot reads")
            elif message.type in KEPT_TYPES and not message.author.isBot:
                out.append(message)
        return out

    def _question_of(self, file: Path, starter: DiscordMessage) -> DiscordMessage:
        """The channel message a thread was started from (its starter message is an empty pointer to it)."""
        original = self._originals.get(starter.replies_to or "")
        if original is None:
            self.report(
                file,
                f"message {starter.id}",
                f"the thread starts from message {starter.replies_to or '(none)'}, which is not in the export "
                "(export its channel too); the thread's name stands for the question",
            )
            return starter
        return original

    # -- threads --------------------------------------------------------------------------------------------

    def thread_export(
        self, export: DiscordExport, messages: list[DiscordMessage], question: DiscordMessage | None = None
    ) -> Thread | None:
        """A thread or forum post: the first message is the question (or, for a thread started from a channel
        message, `question`: that message), the rest are replies."""
        if not messages:
            return None
        channel = export.channel
        title, solved = self._solved_title(channel)
        question = question or messages[0]
        return self._thread(
            export,
            question,
            messages[1:],
            thread_id=channel.id,
            title=title,
            body=self.text(question),
            place=channel.categoryId or channel.id,  # a question asked in a thread reaches the bot as its parent's
            solved=solved,
            link=f"/{channel.id}",
        )

    def reply_chains(self, export: DiscordExport, messages: list[DiscordMessage]) -> Iterator[Thread]:
        """In a text channel: every message that replies (directly or down a chain) to a root joins its thread."""
        by_id = {m.id: m for m in messages}
        roots: dict[str, list[DiscordMessage]] = {}
        for message in messages:
            root_id = self._root(message, by_id)
            if root_id != message.id:
                roots.setdefault(root_id, []).append(message)
        channel = export.channel
        order = {m.id: i for i, m in enumerate(messages)}
        for root_id in sorted(roots, key=order.__getitem__):
            root = by_id[root_id]
            title, body = split_title(self.text(root))
            thread = self._thread(
                export,
                root,
                roots[root_id],
                thread_id=root.id,
                title=title,
                body=body,
                place=channel.id,
                solved=False,
                link=f"/{channel.id}/{root.id}",
            )
            if thread is not None:
                yield thread

    @staticmethod
    def _root(message: DiscordMessage, by_id: dict[str, DiscordMessage]) -> str:
        seen = {message.id}
        current = message
        while (parent := current.replies_to) is not None and parent in by_id and parent not in seen:
            current = by_id[parent]
            seen.add(parent)
        return current.id

    def _thread(
        self,
        export: DiscordExport,
        question: DiscordMessage,
        replies: list[DiscordMessage],
        *,
        thread_id: str,
        title: str,
        body: str,
        place: str,
        solved: bool,
        link: str,
    ) -> Thread | None:
        if not (title or body):
            return None
        channel = export.channel
        names = {channel.id, channel.name, channel.categoryId, channel.category} - {None, ""}
        private = channel.type == "GuildPrivateThread" or bool(names & set(self.options.private_channels))
        asker = question.author.id
        posts = [self.to_post(m, asker) for m in replies]
        if solved and not any(p.accepted for p in posts):
            posts = mark_solved(posts, asker)
        guild = str(export.guild.get("id") or "@me")
        return Thread(
            id=thread_id,
            title=title,
            body=body,
            author=question.author.nickname or question.author.name,
            author_id=asker,
            date=question.timestamp,
            url=f"{self.options.guild_url.rstrip('/')}/{guild}{link}",
            channel=place,
            visibility="private" if private else "public",
            replies=tuple(posts),
            tags=tuple(tag_names(channel)),
        )

    def _solved_title(self, channel: DiscordChannel) -> tuple[str, bool]:
        """The thread's name without a "[Solved]" / "✅" marker, and whether it (or a forum tag) says solved."""
        words = [w.lower() for w in self.options.solved_tags]
        solved = any(t.lower() in words for t in tag_names(channel))
        title = channel.name.strip()
        for marker in [*(f"[{w}]" for w in words), *(f"({w})" for w in words), *(f"{w}:" for w in words), "✅"]:
            if title.lower().startswith(marker):
                title, solved = title[len(marker) :].strip(" -:"), True
        return title, solved

    # -- posts ----------------------------------------------------------------------------------------------

    def to_post(self, message: DiscordMessage, asker: str) -> Post:
        accepted, score = False, 0
        author = message.author.id
        for reaction in message.reactions:
            names = emoji_names(reaction)
            users = {str(u.get("id")) for u in reaction.get("users") or () if isinstance(u, dict)}
            count = int(reaction.get("count") or len(users))
            if author in users:
                count -= 1  # reacting to your own answer is not kudos
            if names & set(self.options.accepted_reactions) and asker != author and (not users or asker in users):
                accepted = True
                count -= 1 if asker in users else 0
            if names & set(self.options.negative_reactions):
                score -= max(count, 0)
            else:
                score += max(count, 0)
        return Post(
            id=message.id,
            author=message.author.nickname or message.author.name,
            author_id=author,
            text=self.text(message),
            date=message.timestamp,
            score=score,
            accepted=accepted,
        )

    @staticmethod
    def text(message: DiscordMessage) -> str:
        """Discord Markdown as it is; raw <@id> mentions (exports with --markdown false) by name."""
        names = {str(m.get("id")): str(m.get("nickname") or m.get("name") or "member") for m in message.mentions}
        content = _USER.sub(lambda m: "@" + names.get(m.group(1), "member"), message.content)
        return tidy_text(_EMOJI.sub(r":\1:", content))


def is_bare_starter(message: DiscordMessage) -> bool:
    """A thread's starter message that only points at the channel message the thread was started from."""
    return message.type in STARTER_TYPES and not message.content.strip()


def tag_names(channel: DiscordChannel) -> list[str]:
    return [t if isinstance(t, str) else str(t.get("name", "")) for t in channel.tags]


def mark_solved(posts: list[Post], asker: str) -> list[Post]:
    """A solved thread with no check mark: the most-liked reply by someone else (the latest, on a tie) is accepted."""
    candidates = [i for i, p in enumerate(posts) if p.author_id != asker and p.text.strip()]
    if not candidates:
        return posts
    best = max(candidates, key=lambda i: (posts[i].score, i))
    return [*posts[:best], replace(posts[best], accepted=True), *posts[best + 1 :]]
