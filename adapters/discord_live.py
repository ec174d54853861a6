"""Discord threads as live knowledge: a reaction, an edit, a deletion or a forum tag in a thread the bot serves
makes the adapter read the thread again and hand it to the bot's LiveKnowledge (bots/live.py).

A thread is solved when the asker reacts to a reply with a "solved" emoji (that reply is the accepted answer), or
when the forum post gets the configured tag ("Solved") or a "[Solved]" title (the reply the asker reacted to, else
the one with the most kudos, else the last reply by someone else is the answer). Kudos are the people who reacted
with a kudos emoji, each once, never the reply's author or a bot. Bots' and webhooks' messages are never answers.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

from peerbot.adapters.discord_parse import is_public
from peerbot.bots import messages as texts
from peerbot.bots.config import LiveSettings
from peerbot.bots.live import LiveKnowledge, provenance
from peerbot.indexer.sources.jsonl import ReplyRecord, ThreadRecord

log = logging.getLogger(__name__)

PLATFORM = "discord"
MARK = "solved-by-asker:"  # a tag: the asker chose "This solved it" on this reply (its id)
NOT_SERVED = ThreadRecord(id="-", title="-")  # a thread the bot does not serve: left alone


def thread_key(thread_id: int | str) -> str:
    return f"{PLATFORM}:{thread_id}"


@dataclass(frozen=True)
class Said:
    """A message as live capture needs it, away from discord.py's objects."""

    id: str
    author_id: str
    author: str
    bot: bool
    text: str
    at: datetime
    reactions: dict[str, frozenset[str]] = field(default_factory=dict)  # emoji -> people (bots left out)


def solved_title(name: str, tag: str) -> bool:
    return name.strip().lower().startswith(f"[{tag.lower()}]")


def discord_record(
    thread_id: str,
    title: str,
    root: Said,
    replies: Sequence[Said],
    *,
    settings: LiveSettings,
    channel: str,
    public: bool,
    url: str | None,
    marked: str | None,
    marked_at: datetime | None,
    buttons: Collection[str] = (),
) -> ThreadRecord | None:
    """The thread as peerbot's thread record; `marked`: how the post was marked solved (tag or title), if it was;
    `buttons`: replies (ids) the asker marked with "This solved it" (kept in the record's tags)."""
    if root.bot:
        return None
    asker = root.author_id
    people = [r for r in replies if not r.bot and r.text.strip()]

    def kudos(reply: Said) -> int:
        return len(
            frozenset().union(*(reply.reactions.get(e, frozenset()) for e in settings.kudos_emoji)) - {reply.author_id}
        )

    def marked_by_asker(reply: Said) -> bool:
        by_reaction = any(asker in reply.reactions.get(e, ()) for e in settings.solved_emoji)
        return reply.author_id != asker and (by_reaction or reply.id in buttons)

    chosen = {r.id for r in people if marked_by_asker(r)}
    if marked and not chosen:
        others = [r for r in people if r.author_id != asker]
        if others:
            best = max(others, key=lambda r: (kudos(r), r.at))
            chosen = {best.id}
    records = []
    for reply in people:
        accepted = reply.id in chosen
        score = kudos(reply)
        origin = None
        if accepted:
            how = f"{root.author} ({marked})" if marked and not marked_by_asker(reply) else root.author
            origin = provenance("Discord", f"#{channel}", reply.id, how, marked_at or reply.at)
        elif score:
            origin = provenance("Discord", f"#{channel}", reply.id, None, reply.at)
        records.append(
            ReplyRecord(
                id=f"{PLATFORM}:{reply.id}",
                author=reply.author,
                author_id=reply.author_id,
                text=reply.text,
                date=reply.at.isoformat(),
                score=score,
                accepted=accepted,
                provenance=origin,
            )
        )
    body = root.text.strip()
    first_line = body.splitlines()[0] if body else ""
    if solved_title(title, settings.solved_tag):  # "[Solved] How do I ..." is asked as "How do I ..."
        title = title.strip()[len(settings.solved_tag) + 2 :].strip()
    if not (title or first_line):
        return None
    return ThreadRecord(
        id=thread_key(thread_id),
        title=(title or first_line)[:200],
        body=body,
        author=root.author,
        author_id=asker,
        date=root.at.isoformat(),
        url=url,
        channel=channel,
        visibility="public" if public else "private",
        tags=["live", PLATFORM, *sorted(MARK + r.id for r in people if r.id in buttons)],
        replies=records,
    )


class DiscordLive:
    """Reads threads the bot serves when the community reacts, edits, deletes or tags, and tells the bot."""

    def __init__(self, client: discord.Client, settings: LiveSettings, help_channels: Collection[int]) -> None:
        self.client = client
        self.settings = settings
        self.help_channels = frozenset(help_channels)
        self.watched = frozenset((*settings.solved_emoji, *settings.kudos_emoji))

    async def on_reaction(self, live: LiveKnowledge, payload: discord.RawReactionActionEvent) -> None:
        if payload.emoji.name not in self.watched:
            return
        await self.refresh(live, payload.channel_id)

    async def on_change(self, live: LiveKnowledge, channel_id: int, message_id: int) -> None:
        """An edit or deletion: in a thread learned before (or of the message a learned thread started from)."""
        for thread_id in (channel_id, message_id):
            if await live.known(thread_key(thread_id)):
                await self.refresh(live, thread_id)
                return

    async def on_thread_update(self, live: LiveKnowledge, payload: discord.RawThreadUpdateEvent) -> None:
        await self.refresh(live, payload.thread_id)

    async def refresh(self, live: LiveKnowledge, thread_id: int) -> None:
        try:
            thread = await self.client.fetch_channel(thread_id)
        except discord.NotFound:
            await live.retract(thread_key(thread_id))
            return
        if not isinstance(thread, discord.Thread):
            return
        parent = thread.parent or await self.client.fetch_channel(thread.parent_id)
        previous = await live.record(thread_key(thread.id)) or {}
        marks = [t.removeprefix(MARK) for t in previous.get("tags") or [] if t.startswith(MARK)]
        record = await self.read(thread, parent, public=is_public(thread), marked_at=datetime.now(UTC), buttons=marks)
        if record is None:
            await live.retract(thread_key(thread.id))
        elif record is not NOT_SERVED:
            await live.learn(record, PLATFORM, record.channel or str(thread.id))

    async def read(
        self,
        thread: discord.Thread,
        parent: Any,
        *,
        public: bool,
        marked_at: datetime | None,
        served: bool = False,
        buttons: Collection[str] = (),
    ) -> ThreadRecord | None:
        """The thread as a record; None when its question is gone (or not a person's); NOT_SERVED when the bot
        does not serve it (not in a help channel, never answered in). `marked_at` None: a backfill (the reply's
        time stands in)."""
        said = [await self._said(m) async for m in thread.history(limit=None, oldest_first=True)]
        root = next((s for s in said if s.id == str(thread.id)), None)
        if root is None:  # a thread started from a channel message: the question lives in the parent
            try:
                root = await self._said(await parent.fetch_message(thread.id))
            except (discord.NotFound, AttributeError):
                return None
        me = str(self.client.user.id) if self.client.user else ""
        if not (served or thread.parent_id in self.help_channels or any(s.author_id == me for s in said)):
            return NOT_SERVED
        tag = self.settings.solved_tag.lower()
        names = {t.id: t.name.lower() for t in getattr(parent, "available_tags", [])}
        marked = None
        if any(names.get(t) == tag for t in thread._applied_tags):  # ids: works without the gateway's cache too
            marked = f"the {self.settings.solved_tag} tag"
        elif solved_title(thread.name, self.settings.solved_tag):
            marked = f"a [{self.settings.solved_tag}] title"
        private = thread.is_private()
        return discord_record(
            str(thread.id),
            thread.name if isinstance(parent, discord.ForumChannel) else "",
            root,
            [s for s in said if s.id != root.id],
            settings=self.settings,
            channel=str(thread.id) if private else str(thread.parent_id),
            public=public and not private,
            url=thread.jump_url,
            marked=marked,
            marked_at=marked_at,
            buttons=buttons,
        )

    async def solved_this(self, live: LiveKnowledge, message: discord.Message, user: str) -> str:
        """The asker's "This solved it" on a member's reply (a message context menu): what to tell them."""
        try:
            thread = await self.client.fetch_channel(message.channel.id)
        except discord.NotFound:
            thread = None
        if not isinstance(thread, discord.Thread):
            return texts.LIVE_NOT_A_REPLY
        parent = thread.parent or await self.client.fetch_channel(thread.parent_id)
        root = await self._root(thread, parent)
        if root is None or root.author_id != user:
            return texts.LIVE_ONLY_ASKER
        if message.id == thread.id or str(message.author.id) == user or message.author.bot or message.webhook_id:
            return texts.LIVE_NOT_A_REPLY
        previous = await live.record(thread_key(thread.id)) or {}
        marks = {t.removeprefix(MARK) for t in previous.get("tags") or [] if t.startswith(MARK)} | {str(message.id)}
        record = await self.read(
            thread, parent, public=is_public(thread), marked_at=datetime.now(UTC), served=True, buttons=marks
        )
        learned = await live.learn(record, PLATFORM, record.channel or str(thread.id)) if record else None
        if learned is None or learned.entry is None or record is NOT_SERVED:
            return texts.LIVE_UNUSABLE
        who = message.author.display_name
        return (texts.LIVE_LEARNED if learned.status == "live" else texts.LIVE_HELD).format(who=who)

    async def _root(self, thread: discord.Thread, parent: Any) -> Said | None:
        """The thread's question: its first message (a forum post), else the channel message it started from."""
        for where in (thread, parent):
            try:
                return await self._said(await where.fetch_message(thread.id))
            except (discord.NotFound, AttributeError):
                continue
        return None

    async def _said(self, message: discord.Message) -> Said:
        reactions: dict[str, frozenset[str]] = {}
        for reaction in message.reactions:
            name = reaction.emoji if isinstance(reaction.emoji, str) else reaction.emoji.name
            if name and name in self.watched:
                people = [u async for u in reaction.users(limit=None)]
                reactions[name] = frozenset(str(u.id) for u in people if not u.bot)
        bot = message.author.bot or message.webhook_id is not None
        return Said(
            id=str(message.id),
            author_id=str(message.author.id),
            author=message.author.display_name,
            bot=bot,
            text=message.content,
            at=message.created_at,
            reactions=reactions,
        )
