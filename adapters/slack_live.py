"""Slack threads as live knowledge: a reaction, an edit or a deletion in a thread the bot serves makes the adapter
read the thread again (`conversations.replies`) and hand it to the bot's LiveKnowledge (bots/live.py).

What counts (the same rules as the exports, indexer/trust.py): the asker's "solved" reaction on a reply makes it
the accepted answer; kudos are the people who reacted with a kudos emoji (each person once, the reply's author and
bots not counted). Only people's messages are replies: bots' and the bot's own never become answers.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from peerbot.adapters.slack_lookup import SlackLookup, TtlCache, slack_error
from peerbot.adapters.slack_parse import from_person, plain_text
from peerbot.bots import messages as messages_text
from peerbot.bots.config import LiveSettings
from peerbot.bots.live import LiveKnowledge, provenance
from peerbot.indexer.sources.html_text import split_title
from peerbot.indexer.sources.jsonl import ReplyRecord, ThreadRecord

log = logging.getLogger(__name__)

Message = Mapping[str, Any]
PLATFORM = "slack"
PAGE = 200  # messages per conversations.replies page
GONE = ("thread_not_found", "message_not_found", "channel_not_found")
PERSON_TTL_S = 3600.0
MARK = "solved-by-asker:"  # a tag: the asker pressed "This solved it" on this reply (its ts)


def thread_key(channel: str, root_ts: str) -> str:
    return f"{PLATFORM}:{channel}:{root_ts}"


def when(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def emoji_name(name: str) -> str:
    """`+1::skin-tone-2` -> `+1`."""
    return name.split("::", 1)[0]


def reactors(message: Message, emoji: Collection[str]) -> set[str]:
    """Everyone who reacted to the message with one of these emoji (each person once)."""
    return {
        str(user)
        for reaction in message.get("reactions") or []
        if emoji_name(str(reaction.get("name", ""))) in emoji
        for user in reaction.get("users") or []
    }


def changed_thread(event: Message) -> tuple[str, str] | None:
    """A `message_changed` / `message_deleted` event: the channel and thread root it touches, if any."""
    if event.get("subtype") not in ("message_changed", "message_deleted"):
        return None
    inner = event.get("message") or event.get("previous_message") or {}
    root = inner.get("thread_ts") or (event.get("previous_message") or {}).get("thread_ts")
    root = root or inner.get("ts") or event.get("deleted_ts")
    return (str(event["channel"]), str(root)) if root and event.get("channel") else None


def slack_record(
    channel: str,
    messages: Sequence[Message],
    *,
    settings: LiveSettings,
    names: Mapping[str, str],
    bots: Collection[str],
    public: bool,
    url: str | None,
    marked_at: datetime | None,
    previous: Mapping[str, Any] | None = None,
    marked: Collection[str] = (),
) -> ThreadRecord | None:
    """The thread as peerbot's thread record, or None when its first message is not a person's question.
    `marked_at`: when the asker marked it (live); None in a backfill, where the reply's time stands in.
    `marked`: replies (ts) the asker marked with "This solved it", besides those marked before (kept in the tags)."""
    if not messages or not from_person(messages[0]):
        return None
    root = messages[0]
    asker, root_ts = str(root["user"]), str(root["ts"])
    text = plain_text(str(root.get("text") or ""))
    if not text:
        return None
    before = {r["id"]: r for r in (previous or {}).get("replies") or [] if r.get("accepted")}
    buttons = {*marked, *(t.removeprefix(MARK) for t in (previous or {}).get("tags") or [] if t.startswith(MARK))}
    replies = []
    for message in messages[1:]:
        if not from_person(message) or message.get("user") in bots:
            continue
        author, ts = str(message["user"]), str(message["ts"])
        reply_id = f"{PLATFORM}:{channel}:{ts}"
        accepted = author != asker and (asker in reactors(message, settings.solved_emoji) or ts in buttons)
        kudos = reactors(message, settings.kudos_emoji) - set(bots) - {author}
        origin = None
        if accepted and before.get(reply_id, {}).get("provenance"):
            origin = str(before[reply_id]["provenance"])  # marked before: keep who marked it and when
        elif accepted or kudos:
            marker = names.get(asker, asker) if accepted else None
            origin = provenance("Slack", f"#{channel}", ts, marker, (accepted and marked_at) or when(ts))
        replies.append(
            ReplyRecord(
                id=reply_id,
                author=names.get(author, author),
                author_id=author,
                text=plain_text(str(message.get("text") or "")),
                date=when(ts).isoformat(),
                score=len(kudos),
                accepted=accepted,
                provenance=origin,
            )
        )
    title, body = split_title(text)  # as the export importer splits it: a backfill serves what an import does
    return ThreadRecord(
        id=thread_key(channel, root_ts),
        title=title,
        body=body,
        author=names.get(asker, asker),
        author_id=asker,
        date=when(root_ts).isoformat(),
        url=url,
        channel=channel,
        visibility="public" if public else "private",
        tags=["live", PLATFORM, *sorted(MARK + ts for ts in buttons if any(m.get("ts") == ts for m in messages))],
        replies=replies,
    )


class SlackLive:
    """Reads threads the bot serves when the community reacts, edits or deletes, and tells the bot."""

    def __init__(
        self, client: AsyncWebClient, settings: LiveSettings, lookup: SlackLookup, help_channels: Collection[str]
    ) -> None:
        self.client = client
        self.settings = settings
        self.lookup = lookup
        self.help_channels = frozenset(help_channels)
        self._people: TtlCache[str, tuple[str, bool]] = TtlCache(PERSON_TTL_S)

    async def on_reaction(self, live: LiveKnowledge, event: Message, bot_user: str | None) -> None:
        """A solved or kudos reaction added or removed on a message: read its thread again."""
        item = event.get("item") or {}
        name = emoji_name(str(event.get("reaction", "")))
        if item.get("type") != "message" or name not in (*self.settings.solved_emoji, *self.settings.kudos_emoji):
            return
        await self.refresh(live, str(item["channel"]), str(item["ts"]), bot_user)

    async def on_change(self, live: LiveKnowledge, event: Message, bot_user: str | None) -> None:
        """An edit or a deletion in a thread peerbot learned: read it again (or retract it when it is gone)."""
        where = changed_thread(event)
        if where is None or not await live.known(thread_key(*where)):
            return
        await self.refresh(live, *where, bot_user)

    async def refresh(self, live: LiveKnowledge, channel: str, ts: str, bot_user: str | None) -> None:
        messages = await self.thread(channel, ts)
        if not messages:
            await live.retract(thread_key(channel, ts))
            return
        root_ts = str(messages[0].get("thread_ts") or messages[0]["ts"])
        served = channel in self.help_channels or any(
            m.get("user") == bot_user or m.get("bot_id") for m in messages[1:]
        )
        if not served:
            return
        previous = await live.record(thread_key(channel, root_ts))
        record = await self.record(channel, messages, bot_user, previous=previous, marked_at=datetime.now(UTC))
        if record is None:
            await live.retract(thread_key(channel, root_ts))
            return
        await live.learn(record, PLATFORM, channel)

    async def record(
        self,
        channel: str,
        messages: Sequence[Message],
        bot_user: str | None,
        *,
        previous: Mapping[str, Any] | None = None,
        marked_at: datetime | None = None,
        marked: Collection[str] = (),
    ) -> ThreadRecord | None:
        """The thread as a record, with names, bots and visibility asked of Slack."""
        root_ts = str(messages[0].get("thread_ts") or messages[0]["ts"])
        people = {str(m["user"]) for m in messages if m.get("user")}
        people |= {u for m in messages for r in m.get("reactions") or [] for u in r.get("users") or []}
        known = {p: await self.person(p) for p in people}
        bots = {p for p, (_, is_bot) in known.items() if is_bot} | ({bot_user} if bot_user else set())
        return slack_record(
            channel,
            messages,
            settings=self.settings,
            names={p: n for p, (n, _) in known.items()},
            bots=bots,
            public=await self.lookup.is_public(channel),
            url=await self.lookup.permalink(channel, root_ts),
            marked_at=marked_at,
            previous=previous,
            marked=marked,
        )

    async def solved_this(self, live: LiveKnowledge, channel: str, ts: str, user: str, bot_user: str | None) -> str:
        """The asker's "This solved it" on a reply (a message shortcut): what to tell them."""
        messages = await self.thread(channel, ts)
        root = messages[0] if messages else {}
        if root.get("user") != user:
            return messages_text.LIVE_ONLY_ASKER
        chosen = next((m for m in messages[1:] if m.get("ts") == ts), None)
        if chosen is None or chosen.get("user") == user or not from_person(chosen):
            return messages_text.LIVE_NOT_A_REPLY
        key = thread_key(channel, str(root["ts"]))
        record = await self.record(
            channel, messages, bot_user, previous=await live.record(key), marked_at=datetime.now(UTC), marked=[ts]
        )
        learned = await live.learn(record, PLATFORM, channel) if record is not None else None
        who = (await self.person(str(chosen["user"])))[0]
        if learned is None or learned.entry is None:
            return messages_text.LIVE_UNUSABLE
        return (messages_text.LIVE_LEARNED if learned.status == "live" else messages_text.LIVE_HELD).format(who=who)

    async def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Every message of the thread `ts` is in (its root first); [] when Slack says it is gone."""
        try:
            messages = await self._replies(channel, ts)
            if messages and messages[0].get("thread_ts") not in (None, messages[0].get("ts")):
                messages = await self._replies(channel, str(messages[0]["thread_ts"]))  # ts was a reply's
        except SlackApiError as exc:
            if slack_error(exc) in GONE:
                return []
            raise
        return messages

    async def _replies(self, channel: str, ts: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = await self.client.conversations_replies(channel=channel, ts=ts, limit=PAGE, cursor=cursor)
            messages += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return messages

    async def person(self, user: str) -> tuple[str, bool]:
        """Display name and whether it is a bot (users.info, remembered an hour)."""
        found = self._people.get(user)
        if found is not None:
            return found
        try:
            info = (await self.client.users_info(user=user)).get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed", extra={"user": user, "error": slack_error(exc)})
            return user, False
        profile = info.get("profile") or {}
        name = str(profile.get("display_name") or profile.get("real_name") or info.get("name") or user)
        found = (name, bool(info.get("is_bot")) or user == "USLACKBOT")
        self._people.put(user, found)
        return found
