"""The fake Discord with a sharded gateway: each IDENTIFY names its shard ([id, count]); a connection gets READY and
GUILD_CREATE for its own servers only, and an event goes to the shard that owns its server
((guild_id >> 22) % count, direct messages to shard 0), as Discord routes them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import JSON, MESSAGE_CONTENT, FakeDiscord


def shard_of(guild_id: str | None, count: int) -> int:
    return 0 if guild_id is None else (int(guild_id) >> 22) % count


@dataclass
class Shard:
    ws: web.WebSocketResponse
    shard_id: int
    count: int
    token: str
    seq: int = 0


@dataclass
class ShardedFakeDiscord(FakeDiscord):
    posts: list[tuple[str, str]] = field(default_factory=list)  # (the Authorization header, the server) per post

    def __post_init__(self) -> None:
        super().__post_init__()
        self.shards: dict[int, Shard] = {}

    def guilds_of(self, shard: Shard) -> list[JSON]:
        return [g for g in self.guilds if shard_of(g["id"], shard.count) == shard.shard_id]

    async def dispatch(self, event: str, data: JSON) -> None:
        count = next(iter(self.shards.values())).count
        shard = self.shards[shard_of(data.get("guild_id"), count)]
        assert not shard.ws.closed, f"shard {shard.shard_id} is not connected"
        shard.seq += 1
        await shard.ws.send_str(json.dumps({"op": 0, "t": event, "s": shard.seq, "d": data}))

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        channel = request.path.split("/channels/")[1].split("/")[0] if "/channels/" in request.path else ""
        if request.method == "POST" and channel in self.channels:
            self.posts.append((request.headers.get("Authorization", ""), self.channels[channel].get("guild_id", "")))
        return await super()._rest(request)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                break
            payload: dict[str, Any] = json.loads(frame.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                data = payload["d"]
                self.identifies.append(data)
                if data["intents"] & MESSAGE_CONTENT and not self.allow_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                shard_id, count = data.get("shard") or [0, 1]
                shard = self.shards[shard_id] = Shard(ws, shard_id, count, data["token"])
                await self._ready_shard(shard)
        return ws

    async def _ready_shard(self, shard: Shard) -> None:
        self.sessions += 1
        mine = self.guilds_of(shard)
        ready = p.ready(self.bot_user, self.app_id, [g["id"] for g in mine], f"session-{self.sessions}", "")
        ready["resume_gateway_url"] = self.gateway_url
        ready["shard"] = [shard.shard_id, shard.count]
        await self.dispatch_to(shard, "READY", ready)
        for guild in mine:
            await self.dispatch_to(shard, "GUILD_CREATE", guild)

    async def dispatch_to(self, shard: Shard, event: str, data: JSON) -> None:
        shard.seq += 1
        await shard.ws.send_str(json.dumps({"op": 0, "t": event, "s": shard.seq, "d": data}))

    async def stop(self) -> None:
        for shard in self.shards.values():
            await shard.ws.close()
        await super().stop()
