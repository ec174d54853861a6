"""A fake Discord that keeps its messages: channel history (`before` / `after` / `limit` as Discord pages it),
single messages, who reacted with an emoji, and the gateway events for reactions, edits, deletions and forum
tags. Messages members say (MESSAGE_CREATE) and the bot sends land in the history too."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import FORUM, GUILD, JSON, FakeDiscord, _json

SOLVED_TAG = "1200000000000000300"


def archived_at(thread: JSON) -> datetime:
    return datetime.fromisoformat(thread["thread_metadata"]["archive_timestamp"])


class HistoryDiscord(FakeDiscord):
    def __post_init__(self) -> None:
        for guild in self.guilds:
            for channel in guild["channels"]:
                if channel["id"] == FORUM:
                    channel["available_tags"] = [
                        {"id": SOLVED_TAG, "name": "Solved", "moderated": False, "emoji_id": None, "emoji_name": None}
                    ]
        super().__post_init__()
        self.history: dict[str, list[JSON]] = {}
        self.reactors: dict[tuple[str, str], list[JSON]] = {}  # (message, emoji) -> users, in order

    # -- what members do ----------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        if event == "MESSAGE_CREATE":
            self.history.setdefault(data["channel_id"], []).append(data)
        await super().dispatch(event, data)

    def _message(self, channel_id: str, body: JSON, *, via: str, mid: str | None = None, token: str = "") -> JSON:
        data = super()._message(channel_id, body, via=via, mid=mid, token=token)
        if via == "channel":
            self.history.setdefault(channel_id, []).append(data)
        return data

    def find(self, channel_id: str, mid: str) -> JSON:
        return next(m for m in self.history.get(channel_id, []) if m["id"] == mid)

    async def react(self, channel_id: str, mid: str, who: JSON, emoji: str) -> None:
        message = self.find(channel_id, mid)
        users = self.reactors.setdefault((mid, emoji), [])
        if who not in users:
            users.append(who)
        reactions = [r for r in message["reactions"] if r["emoji"]["name"] != emoji]
        reactions.append(
            {
                "emoji": {"id": None, "name": emoji},
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": False,
                "me_burst": False,
                "burst_colors": [],
            }
        )
        message["reactions"] = reactions
        event = {
            "user_id": who["id"],
            "channel_id": channel_id,
            "message_id": mid,
            "guild_id": GUILD,
            "emoji": {"id": None, "name": emoji},
            "type": 0,
            "burst": False,
            "member": p.member(who),
        }
        await self.dispatch("MESSAGE_REACTION_ADD", event)

    async def edit(self, channel_id: str, mid: str, content: str) -> None:
        message = self.find(channel_id, mid)
        message["content"] = content
        message["edited_timestamp"] = p.TIMESTAMP
        await self.dispatch("MESSAGE_UPDATE", dict(message))

    async def delete(self, channel_id: str, mid: str) -> None:
        self.history[channel_id].remove(self.find(channel_id, mid))
        await self.dispatch("MESSAGE_DELETE", {"id": mid, "channel_id": channel_id, "guild_id": GUILD})

    async def tag_solved(self, thread_id: str) -> None:
        thread = self.channels[thread_id]
        thread["applied_tags"] = [SOLVED_TAG]
        await self.dispatch("THREAD_UPDATE", dict(thread))

    def seed_post(
        self, title: str, asker: JSON, question: str, replies: list[tuple[JSON, str]], *, archived_at: str | None
    ) -> tuple[str, list[str]]:
        """A forum post already in the history (archived at `archived_at`, else active): (post id, reply ids)."""
        post = p.thread(p.snowflake(), GUILD, FORUM, title, asker["id"])
        if archived_at:
            post["thread_metadata"] = {**post["thread_metadata"], "archived": True, "archive_timestamp": archived_at}
        self.channels[post["id"]] = post
        said = [p.message(post["id"], asker, question, mid=post["id"], guild_id=GUILD)]
        said += [p.message(post["id"], who, text, guild_id=GUILD) for who, text in replies]
        self.history[post["id"]] = said
        return post["id"], [m["id"] for m in said[1:]]

    def mark(self, channel_id: str, mid: str, who: JSON, emoji: str) -> None:
        """A reaction that is already there (no gateway event)."""
        message = self.find(channel_id, mid)
        self.reactors.setdefault((mid, emoji), []).append(who)
        count = len(self.reactors[(mid, emoji)])
        message["reactions"] = [r for r in message["reactions"] if r["emoji"]["name"] != emoji] + [
            {
                "emoji": {"id": None, "name": emoji},
                "count": count,
                "count_details": {"burst": 0, "normal": count},
                "me": False,
                "me_burst": False,
                "burst_colors": [],
            }
        ]

    # -- REST -----------------------------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/channels/(\d+)/messages", "GET", self._history),
            (r"/guilds/(\d+)/threads/active", "GET", self._active_threads),
            (r"/channels/(\d+)/threads/archived/public", "GET", self._archived_threads),
            (r"/channels/(\d+)/messages/(\d+)", "GET", self._get_message),
            (r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)", "GET", self._reactors),
            *super()._routes(),
        ]

    async def _history(self, request: web.Request, body: JSON, channel_id: str) -> web.Response:
        messages = sorted(self.history.get(channel_id, []), key=lambda m: int(m["id"]))
        limit = int(request.query.get("limit", 50))
        if "after" in request.query:
            after = int(request.query["after"])
            page = [m for m in messages if int(m["id"]) > after][:limit]
        else:
            before = int(request.query.get("before", 1 << 63))
            page = [m for m in messages if int(m["id"]) < before][-limit:]
        return _json(list(reversed(page)))  # newest first, as Discord sends them

    async def _get_message(self, request: web.Request, body: JSON, channel_id: str, mid: str) -> web.Response:
        found = [m for m in self.history.get(channel_id, []) if m["id"] == mid]
        if not found:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        return _json(found[0])

    async def _reactors(self, request: web.Request, body: JSON, channel_id: str, mid: str, emoji: str) -> web.Response:
        users = self.reactors.get((mid, unquote(emoji)), [])
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 25))
        return _json([u for u in sorted(users, key=lambda u: int(u["id"])) if int(u["id"]) > after][:limit])

    def _threads(self, parent: str | None = None) -> list[JSON]:
        return [c for c in self.channels.values() if c["type"] in (11, 12) and parent in (None, c.get("parent_id"))]

    async def _active_threads(self, request: web.Request, body: JSON, guild_id: str) -> web.Response:
        active = [t for t in self._threads() if not t["thread_metadata"]["archived"]]
        return _json({"threads": active, "members": []})

    async def _archived_threads(self, request: web.Request, body: JSON, channel_id: str) -> web.Response:
        archived = [t for t in self._threads(channel_id) if t["thread_metadata"]["archived"] and t["type"] == 11]
        archived.sort(key=archived_at, reverse=True)
        if "before" in request.query:
            before = datetime.fromisoformat(request.query["before"])
            archived = [t for t in archived if archived_at(t) < before]
        limit = int(request.query.get("limit", 50))
        return _json({"threads": archived[:limit], "members": [], "has_more": len(archived) > limit})
