"""A fake Slack that keeps its messages: channels with threads and reactions that conversations.history /
conversations.replies / conversations.list page through the way Slack does (limit, next_cursor), users.info that
says who is a bot, and an optional latency per Web API call. Messages the bot posts land in the threads too."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.fake_slack import (
    ASKER,
    BOT_USER,
    CONVERSATIONS,
    PUBLIC_HELP,
    Call,
    FakeSlack,
    _body,
    message,
)

PEER, HELPER, OTHER_BOT = "UPEER", "UHELPER", "UOTHERBOT"
NAMES = {ASKER: "Alex Asker", PEER: "Pat Peer", HELPER: "Hana Helper", OTHER_BOT: "Deploy Bot"}


@dataclass
class SlackWorkspace(FakeSlack):
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages, oldest first
    bot_users: set[str] = field(default_factory=lambda: {OTHER_BOT, BOT_USER})
    names: dict[str, str] = field(default_factory=lambda: dict(NAMES))
    latency: float = 0.0  # seconds each Web API call takes
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- what people do -----------------------------------------------------------------------------------

    def say(self, text: str, *, user: str = ASKER, channel: str = PUBLIC_HELP, thread_ts: str | None = None) -> dict:
        """A person posts; returns the `message` event Slack would deliver."""
        ts = f"1720000000.{next(self._clock):06d}"
        stored: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            stored["thread_ts"] = thread_ts
        self.channels.setdefault(channel, []).append(stored)
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        return message(text, channel=channel, user=user, ts=ts, **extra)

    def react(self, channel: str, ts: str, user: str, name: str, *, remove: bool = False) -> dict:
        """A reaction added (or removed); returns the `reaction_added` / `reaction_removed` event."""
        found = self.find(channel, ts)
        reactions = found.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if remove and user in entry["users"]:
            entry["users"].remove(user)
        elif not remove and user not in entry["users"]:
            entry["users"].append(user)
        entry["count"] = len(entry["users"])
        return {
            "type": "reaction_removed" if remove else "reaction_added",
            "user": user,
            "reaction": name,
            "item_user": found.get("user"),
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"1720000000.{next(self._clock):06d}",
        }

    def edit(self, channel: str, ts: str, text: str) -> dict:
        found = self.find(channel, ts)
        previous = dict(found)
        found["text"] = text
        found["edited"] = {"user": found.get("user"), "ts": ts}
        return {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "hidden": True,
            "message": dict(found),
            "previous_message": previous,
            "ts": f"1720000000.{next(self._clock):06d}",
        }

    def delete(self, channel: str, ts: str) -> dict:
        found = self.find(channel, ts)
        self.channels[channel].remove(found)
        return {
            "type": "message",
            "subtype": "message_deleted",
            "channel": channel,
            "hidden": True,
            "deleted_ts": ts,
            "previous_message": found,
            "ts": f"1720000000.{next(self._clock):06d}",
        }

    def find(self, channel: str, ts: str) -> dict[str, Any]:
        return next(m for m in self.channels.get(channel, []) if m["ts"] == ts)

    # -- the Web API --------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        method = request.match_info["method"]
        if method == "conversations.replies" and not self.rate_limits.get(method):
            body = await _body(request)
            channel, ts = str(body.get("channel")), str(body.get("ts"))
            if not any(m["ts"] == ts for m in self.channels.get(channel, [])):
                await self._record(Call(method, body, 400))
                return web.json_response({"ok": False, "error": "thread_not_found"})
        return await super()._api(request)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            answer = super()._answer(method, body)
            ts = f"1720000000.{next(self._clock):06d}"  # one clock for people and the bot: threads sort by ts
            answer = {**answer, "ts": ts, "message": {**answer["message"], "ts": ts}}
            stored = {"type": "message", "user": BOT_USER, "bot_id": "BBOT", "text": body.get("text", ""), "ts": ts}
            if body.get("thread_ts"):
                stored["thread_ts"] = body["thread_ts"]
            self.channels.setdefault(str(body.get("channel")), []).append(stored)
            return answer
        if method == "users.info":
            user = str(body.get("user"))
            name = self.names.get(user, user)
            profile = {"display_name": name, "real_name": name}
            return {"user": {"id": user, "name": name.lower(), "is_bot": user in self.bot_users, "profile": profile}}
        if method == "conversations.replies":
            channel, ts = str(body.get("channel")), str(body.get("ts"))
            messages = self.channels.get(channel, [])
            asked = next(m for m in messages if m["ts"] == ts)
            root = str(asked.get("thread_ts") or asked["ts"])
            thread = [m for m in messages if m["ts"] == root or m.get("thread_ts") == root]
            thread.sort(key=lambda m: float(m["ts"]))
            return self._page(thread, body)
        if method == "conversations.history":
            oldest = float(body.get("oldest") or 0)
            tops = [
                {**m, **self._thread_info(str(body.get("channel")), m)}
                for m in self.channels.get(str(body.get("channel")), [])
                if m.get("thread_ts") in (None, m["ts"]) and float(m["ts"]) >= oldest
            ]
            tops.sort(key=lambda m: -float(m["ts"]))  # newest first, as Slack pages history
            return {**self._page(tops, body), "has_more": False}
        if method == "conversations.list":
            channels = [{"id": c, "name": info.get("name") or c.lower()} for c, info in CONVERSATIONS.items()]
            return self._page(channels, body, key="channels")
        return super()._answer(method, body)

    def _thread_info(self, channel: str, top: dict[str, Any]) -> dict[str, Any]:
        replies = [m for m in self.channels.get(channel, []) if m.get("thread_ts") == top["ts"] and m is not top]
        return {"thread_ts": top["ts"], "reply_count": len(replies)} if replies else {}

    @staticmethod
    def _page(items: list[dict[str, Any]], body: dict[str, Any], key: str = "messages") -> dict[str, Any]:
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or 100)
        nxt = str(start + limit) if start + limit < len(items) else ""
        return {key: items[start : start + limit], "response_metadata": {"next_cursor": nxt}}
