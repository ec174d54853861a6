"""A small fake Discord on 127.0.0.1: the REST routes and the gateway that peerbot's Discord adapter uses.

The real discord.py client talks to it (Route.BASE and DEFAULT_GATEWAY point here), so tests go through
discord.py's own parsing, rate-limit handling, reconnect/resume and interaction code. Tests push gateway events
(`dispatch`, `interact`) and read what the bot sent (`sent`, `callbacks`) and every request it made.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from peerbot.adapters.discord import DiscordAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.runtime import serve
from tests.adapters import discord_payloads as p
from tests.conftest import make_settings
from tests.factories import SMALL_COMMUNITY
from tests.factories import reply as community_reply
from tests.factories import thread as community_thread

JSON = dict[str, Any]
MESSAGE_CONTENT = 1 << 15
LOADING, EPHEMERAL = 1 << 7, 1 << 6
BODY = web.RequestKey("body", object)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body only when the content-type is exactly application/json (no charset)
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class Sent:
    """A message the bot sent: to a channel, as an interaction's original response, or as a follow-up."""

    id: str
    channel_id: str
    body: JSON
    via: str  # "channel" | "original" | "followup"

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")

    @property
    def allowed_mentions(self) -> JSON | None:
        return self.body.get("allowed_mentions")

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.body.get("flags") or 0) & EPHEMERAL)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for row in self.body.get("components") or [] for c in row.get("components", [])]


@dataclass
class RateLimit:
    method: str
    path: re.Pattern[str]
    times: int
    retry_after: float


@dataclass
class FakeDiscord:
    guilds: list[JSON]
    bot_user: JSON = field(default_factory=lambda: p.user("1100000000000000001", "peerbot", bot=True))
    app_id: str = "1100000000000000001"
    allow_message_content: bool = True
    requests: list[tuple[str, str, JSON | None]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    callbacks: list[JSON] = field(default_factory=list)
    reactions: list[tuple[str, str, str]] = field(default_factory=list)
    identifies: list[JSON] = field(default_factory=list)
    resumes: list[JSON] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    synced: list[JSON] = field(default_factory=list)  # the application commands the client registered
    replay_on_resume: list[tuple[str, JSON]] = field(default_factory=list)
    watchdog: Callable[[], str | None] | None = None  # says why waiting is pointless (the client crashed)

    def __post_init__(self) -> None:
        self.channels: dict[str, JSON] = {c["id"]: c for g in self.guilds for c in [*g["channels"], *g["threads"]]}
        self.interactions: dict[str, JSON] = {}  # token -> interaction payload
        self.originals: dict[str, Sent] = {}  # token -> original response
        self.rate_limits: list[RateLimit] = []
        self.refusals: list[tuple[str, re.Pattern[str], int, int]] = []
        self.ws: web.WebSocketResponse | None = None
        self.seq = 0
        self.sessions = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.in_flight = 0
        self.threads_started: list[str] = []  # ids of messages the bot started a thread from
        self.dm_channels: dict[str, str] = {}  # DM channel id -> the member it is with
        self.role_changes: list[tuple[str, str, str, str]] = []  # (PUT|DELETE, guild, member, role)
        self.typing: list[str] = []  # channels the bot showed typing in (POST /channels/{id}/typing)

    # --- lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- test controls

    def rate_limit(self, method: str, path: str, *, times: int = 1, retry_after: float = 0.05) -> None:
        """The next `times` requests matching method and path regex get a 429 (with the Via header Discord sends)."""
        self.rate_limits.append(RateLimit(method, re.compile(path), times, retry_after))

    def refuse(self, method: str, path: str, *, status: int = 403, code: int = 50013) -> None:
        """Every request matching method and path regex fails (default: 403 Missing Permissions)."""
        self.refusals.append((method, re.compile(path), status, code))

    async def dispatch(self, event: str, data: JSON) -> None:
        assert self.ws is not None and not self.ws.closed, "the bot is not connected"
        self.seq += 1
        await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))

    async def interact(self, payload: JSON) -> None:
        self.interactions[payload["token"]] = payload
        await self.dispatch("INTERACTION_CREATE", payload)

    async def reconnect(self) -> None:
        """op 7 RECONNECT: discord.py closes and RESUMEs the session."""
        assert self.ws is not None
        await self.ws.send_str(json.dumps({"op": 7, "d": None}))

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            problem = self.watchdog() if self.watchdog else None
            if problem:
                raise AssertionError(problem)
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
            await asyncio.sleep(0.01)

    async def quiet(self, settle: float = 0.05, timeout: float = 3.0) -> None:
        """Wait until the bot has no request in flight and has made none for `settle` seconds."""
        deadline = time.monotonic() + timeout
        seen, since = len(self.requests), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.01)
            if self.in_flight or len(self.requests) != seen:
                seen, since = len(self.requests), time.monotonic()
            elif time.monotonic() - since >= settle:
                return

    def in_channel(self, channel_id: str) -> list[Sent]:
        return [s for s in self.sent if s.channel_id == channel_id and s.via == "channel"]

    def for_interaction(self, payload: JSON) -> list[Sent]:
        """The original response (last edit) and the follow-ups for an interaction."""
        token = payload["token"]
        original = [self.originals[token]] if token in self.originals else []
        return original + [s for s in self.sent if s.via == "followup" and s.body.get("_token") == token]

    # --- REST

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        body = None
        if request.can_read_body and request.content_type == "application/json":
            body = await request.json()
        self.requests.append((request.method, request.path, body))
        for limit in self.rate_limits:
            if limit.times > 0 and request.method == limit.method and limit.path.search(request.path):
                limit.times -= 1
                data = {"message": "You are being rate limited.", "retry_after": limit.retry_after, "global": False}
                headers = {
                    "Via": "1.1 google",
                    "Retry-After": str(limit.retry_after),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(limit.retry_after),
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "user",
                }
                return _json(data, 429, headers)
        for method, path, status, code in self.refusals:
            if request.method == method and path.search(request.path):
                return _json({"message": "Missing Permissions", "code": code}, status)
        request[BODY] = body
        rest = request.path.startswith("/api/")  # the gateway's websocket stays open: not a request in flight
        self.in_flight += rest
        try:
            response: web.StreamResponse = await handler(request)
        finally:
            self.in_flight -= rest
        return response

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path, method, body = "/" + request.match_info["path"], request.method, request.get(BODY) or {}
        for pattern, verb, route in self._routes():
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                result: web.StreamResponse = await route(request, body, *match.groups())
                return result
        self.unknown.append(f"{method} {path}")
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            (r"/users/@me", "GET", self._me),
            (r"/oauth2/applications/@me", "GET", self._application),
            (r"/applications/(\d+)/commands", "PUT", self._sync_commands),
            (r"/channels/(\d+)", "GET", self._get_channel),
            (r"/channels/(\d+)/messages", "POST", self._post_message),
            (r"/channels/(\d+)/messages/(\d+)/threads", "POST", self._thread_from_message),
            (r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", "PUT", self._react),
            (r"/channels/(\d+)/typing", "POST", self._typing),
            (r"/users/@me/channels", "POST", self._open_dm),
            (r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", "PUT", self._role),
            (r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", "DELETE", self._role),
            (r"/interactions/(\d+)/([^/]+)/callback", "POST", self._callback),
            (r"/webhooks/(\d+)/([^/]+)/messages/@original", "GET", self._get_original),
            (r"/webhooks/(\d+)/([^/]+)/messages/@original", "PATCH", self._edit_original),
            (r"/webhooks/(\d+)/([^/]+)/messages/@original", "DELETE", self._delete_original),
            (r"/webhooks/(\d+)/([^/]+)", "POST", self._followup),
        ]

    async def _me(self, request: web.Request, body: JSON) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _application(self, request: web.Request, body: JSON) -> web.Response:
        return _json(p.application(self.app_id, p.user("1100000000000000099", "owner")))

    async def _sync_commands(self, request: web.Request, body: Any, app_id: str) -> web.Response:
        self.synced = list(body)
        commands = [
            {
                "id": p.snowflake(),
                "application_id": app_id,
                "version": p.snowflake(),
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "options": [],
                "description": "",  # what Discord answers for a context menu (it has none)
                **command,
            }
            for command in body
        ]
        return _json(commands)

    async def _open_dm(self, request: web.Request, body: JSON) -> web.Response:
        recipient = str(body["recipient_id"])
        channel_id = next((c for c, who in self.dm_channels.items() if who == recipient), None) or p.snowflake()
        self.dm_channels[channel_id] = recipient
        data = {"id": channel_id, "type": 1, "last_message_id": None, "recipients": [p.user(recipient, "member")]}
        self.channels[channel_id] = data
        return _json(data)

    def dms_to(self, user_id: str) -> list[Sent]:
        """What the bot sent privately to a member (their DM channel)."""
        return [s for s in self.sent if self.dm_channels.get(s.channel_id) == user_id]

    async def _role(self, request: web.Request, body: JSON, guild: str, member: str, role: str) -> web.Response:
        self.role_changes.append((request.method, guild, member, role))
        return web.Response(status=204)

    async def _get_channel(self, request: web.Request, body: JSON, channel_id: str) -> web.Response:
        if channel_id not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        return _json(self.channels[channel_id])

    def _message(self, channel_id: str, body: JSON, *, via: str, mid: str | None = None, token: str = "") -> JSON:
        sent = Sent(mid or p.snowflake(), channel_id, {**body, "_token": token} if token else body, via)
        if via == "original":
            self.originals[token] = sent
        else:
            self.sent.append(sent)
        channel = self.channels.get(channel_id, {})
        return p.message(
            channel_id,
            self.bot_user,
            sent.content,
            mid=sent.id,
            guild_id=channel.get("guild_id"),
            components=body.get("components"),
            flags=int(body.get("flags") or 0),
        )

    async def _post_message(self, request: web.Request, body: JSON, channel_id: str) -> web.Response:
        return _json(self._message(channel_id, body, via="channel"))

    async def _thread_from_message(self, request: web.Request, body: JSON, channel_id: str, mid: str) -> web.Response:
        parent = self.channels[channel_id]
        data = p.thread(mid, parent["guild_id"], channel_id, body["name"], self.bot_user["id"])
        self.channels[mid] = data
        self.threads_started.append(mid)
        await self.dispatch("THREAD_CREATE", {**data, "newly_created": True})
        return _json(data, 201)

    async def _react(self, request: web.Request, body: JSON, channel_id: str, mid: str, emoji: str) -> web.Response:
        self.reactions.append((channel_id, mid, request.match_info["path"].split("/")[-2]))
        return web.Response(status=204)

    async def _typing(self, request: web.Request, body: JSON, channel_id: str) -> web.Response:
        self.typing.append(channel_id)
        return web.Response(status=204)

    async def _callback(self, request: web.Request, body: JSON, iid: str, token: str) -> web.Response:
        interaction = self.interactions[token]
        if any(c["interaction_id"] == iid for c in self.callbacks):
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        self.callbacks.append({"interaction_id": iid, **body})
        kind = body["type"]
        flags = int((body.get("data") or {}).get("flags") or 0)
        response: JSON = {
            "interaction": {
                "id": iid,
                "type": interaction["type"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if kind in (4, 5):  # a message (4) or the "thinking..." placeholder (5): the original response
            content = {**(body.get("data") or {}), "flags": flags | (LOADING if kind == 5 else 0)}
            message = self._message(interaction["channel_id"], content, via="original", token=token)
            response["interaction"]["response_message_id"] = message["id"]
            response["resource"] = {"type": kind, "message": message}
        return _json(response)

    async def _get_original(self, request: web.Request, body: JSON, app_id: str, token: str) -> web.Response:
        original = self.originals[token]
        return _json(p.message(original.channel_id, self.bot_user, original.content, mid=original.id))

    async def _edit_original(self, request: web.Request, body: JSON, app_id: str, token: str) -> web.Response:
        original = self.originals[token]
        flags = int(original.body.get("flags") or 0) & ~LOADING
        merged = {**original.body, **body, "flags": flags}
        return _json(self._message(original.channel_id, merged, via="original", mid=original.id, token=token))

    async def _delete_original(self, request: web.Request, body: JSON, app_id: str, token: str) -> web.Response:
        self.originals.pop(token, None)
        return web.Response(status=204)

    async def _followup(self, request: web.Request, body: JSON, app_id: str, token: str) -> web.Response:
        original = self.originals.get(token)
        if original is not None and int(original.body.get("flags") or 0) & LOADING:
            # as on Discord: the first follow-up after a deferred response replaces the "thinking..." message,
            # keeping the ephemeral choice made when deferring
            flags = int(original.body.get("flags") or 0) & EPHEMERAL
            merged = {**body, "flags": flags}
            return _json(self._message(original.channel_id, merged, via="original", mid=original.id, token=token))
        interaction = self.interactions[token]
        return _json(self._message(interaction["channel_id"], body, via="followup", token=token))

    # --- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                break
            payload = json.loads(frame.data)
            op, data = payload["op"], payload.get("d")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                self.identifies.append(data)
                if data["intents"] & MESSAGE_CONTENT and not self.allow_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                await self._ready()
            elif op == 6:
                self.resumes.append(data)
                for event, replayed in self.replay_on_resume:
                    await self.dispatch(event, replayed)
                self.replay_on_resume.clear()
                await self.dispatch("RESUMED", {})
        return ws

    async def _ready(self) -> None:
        self.seq, self.sessions = 0, self.sessions + 1
        ids = [g["id"] for g in self.guilds]
        await self.dispatch(
            "READY", p.ready(self.bot_user, self.app_id, ids, f"session-{self.sessions}", self.gateway_url)
        )
        for guild in self.guilds:
            await self.dispatch("GUILD_CREATE", guild)


# --- a whole world: a community, a real Bot, the fake Discord and the adapter connected to it -------------

GUILD = "1200000000000000001"
GENERAL, HELP, FORUM, PRIVATE, ESCALATIONS = (f"12000000000000000{n}" for n in (10, 11, 12, 13, 14))
PRIVATE_THREAD = "1200000000000000015"  # a private thread (type 12) in the public #general
SUPERUSER_ROLE = "1200000000000000200"
ALICE = p.user("1200000000000000100", "alice")
MARA = p.user("1200000000000000101", "mara")
DEVON = p.user("1200000000000000102", "devon")
LISTED_ADMIN = p.user("1200000000000000103", "listed-admin")
MANAGER = p.user("1200000000000000104", "manager")


LONG_ANSWER = "\n\n".join(
    f"Step {n}: hold the remote's pairing button for {n + 2} seconds near the bridge, then wait for the LED to "
    "blink green twice; if it blinks red, move closer and repeat. " * 3
    for n in range(1, 15)
)
STAFF_ANSWER = "Rotate the signing key from the vault with the two-person rule, then re-sign the beta channel."
WORLD_COMMUNITY = [
    *SMALL_COMMUNITY,
    community_thread(
        "zigbee",
        "How do I pair a Zigbee remote with the bridge",
        "The remote never shows up in the app.",
        [community_reply(LONG_ANSWER, accepted=True, score=9)],
    ),
    community_thread(
        "signing",
        "Firmware signing key rotation procedure",
        "How do we rotate the firmware signing key?",
        [community_reply(STAFF_ANSWER, accepted=True, score=7)],
        visibility="private",
        channel=PRIVATE,  # a private community channel mirrored by the private Discord channel #staff
    ),
]


class ErrorLog(logging.Handler):
    """ERROR records from discord.py and the adapter: a test fails on any it did not expect."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("discord", "peerbot.adapters", "asyncio")):
            self.records.append(record)

    def take(self, text: str) -> list[logging.LogRecord]:
        """Remove and return the records whose message contains text (the errors a test expects)."""
        taken = [r for r in self.records if text in r.getMessage()]
        self.records = [r for r in self.records if r not in taken]
        return taken


@dataclass
class World:
    fake: FakeDiscord
    bot: Bot
    settings: Settings
    adapter: DiscordAdapter
    errors: ErrorLog
    loop_errors: list[JSON]

    @property
    def bot_id(self) -> str:
        return str(self.fake.bot_user["id"])

    def channel(self, channel_id: str) -> JSON:
        return self.fake.channels[channel_id]

    async def say(
        self, channel_id: str, who: JSON, content: str, *, mention: bool = False, mid: str | None = None
    ) -> JSON:
        """A member posts in a guild channel (or thread); the MESSAGE_CREATE payload."""
        text = f"<@{self.bot_id}> {content}" if mention else content
        mentions = [self.fake.bot_user] if mention else []
        data = p.message(channel_id, who, text, guild_id=GUILD, mentions=mentions, mid=mid)
        await self.fake.dispatch("MESSAGE_CREATE", data)
        return data

    async def slash(self, name: str, who: JSON = ALICE, channel_id: str = GENERAL, **kwargs: Any) -> JSON:
        payload = p.slash(
            name, app_id=self.fake.app_id, channel=self.channel(channel_id), who=who, guild_id=GUILD, **kwargs
        )
        await self.fake.interact(payload)
        return payload

    async def ask(self, question: str, who: JSON = ALICE, channel_id: str = GENERAL) -> JSON:
        return await self.slash("ask", who, channel_id, options=[p.string_option("question", question)])

    async def response(self, payload: JSON) -> Sent:
        """The interaction's original response once it is no longer "thinking..."."""

        def done() -> Sent | None:
            original = self.fake.originals.get(payload["token"])
            return original if original is not None and not int(original.body.get("flags") or 0) & LOADING else None

        found: Sent = await self.fake.wait_for(done)
        return found

    async def answered(self, payload: JSON, *, parts: int = 1) -> list[Sent]:
        """A /ask answer: the original response, then the parts sent in its thread or as follow-ups."""
        original = await self.response(payload)
        if self.channel(payload["channel_id"])["type"] == 0:  # a text channel: the answer gets a thread
            await self.fake.wait_for(lambda: original.id in self.fake.threads_started)

        def rest() -> list[Sent]:
            return self.fake.in_channel(original.id) + self.fake.for_interaction(payload)[1:]

        await self.fake.wait_for(lambda: len(rest()) >= parts - 1)
        return [original, *rest()]

    async def press(self, custom_id: str, on: Sent, who: JSON = ALICE) -> JSON:
        components = on.body.get("components")
        message = p.message(
            on.channel_id, self.fake.bot_user, on.content, mid=on.id, guild_id=GUILD, components=components
        )
        payload = p.button_press(
            custom_id,
            app_id=self.fake.app_id,
            channel=self.channel(on.channel_id),
            who=who,
            guild_id=GUILD,
            on_message=message,
        )
        await self.fake.interact(payload)
        return payload


def world_settings(root: Path, community: list[JSON] | None = None, **extra: Any) -> Settings:
    return make_settings(
        root,
        community,
        superusers=extra.pop(  # settings_extra may give other [[superusers]]
            "superusers",
            [
                {"name": "Mara Quinn", "community_id": "u-mara", "discord_id": MARA["id"]},
                {"name": "Devon Okafor", "community_id": "u-devon", "discord_id": DEVON["id"]},
            ],
        ),
        discord={
            "help_channels": [HELP, FORUM],
            "escalation_channel": ESCALATIONS,
            "superuser_role": SUPERUSER_ROLE,
            "admins": [LISTED_ADMIN["id"]],
            **extra.pop("discord", {}),  # more [discord] keys
        },
        **extra,
    )


def world_guild() -> JSON:
    members = [p.member(u) for u in (ALICE, MARA, DEVON, LISTED_ADMIN, MANAGER)]
    return p.guild(
        GUILD,
        owner_id=MANAGER["id"],
        channels=[
            p.text_channel(GENERAL, GUILD, "general"),
            p.text_channel(HELP, GUILD, "help"),
            p.forum_channel(FORUM, GUILD, "help-forum"),
            p.text_channel(PRIVATE, GUILD, "staff", overwrites=[p.deny_everyone(GUILD)]),
            p.text_channel(ESCALATIONS, GUILD, "escalations", overwrites=[p.deny_everyone(GUILD)]),
        ],
        members=members,
        roles=[p.role(SUPERUSER_ROLE, "superusers", position=1)],
        threads=[p.thread(PRIVATE_THREAD, GUILD, GENERAL, "lab access", ALICE["id"], private=True)],
    )


@asynccontextmanager
async def open_world(
    root: Path,
    *,
    community: list[JSON] | None = None,
    fake_class: type[FakeDiscord] | None = None,
    settings_extra: JSON | None = None,
    guild: JSON | None = None,
    clock: Callable[[], datetime] | None = None,
    **fake_options: Any,
) -> AsyncIterator[World]:
    """Settings and a real Bot on a small community, the fake Discord, and the adapter connected and ready
    (`settings_extra`: more config.toml keys; `guild`: another GUILD_CREATE payload than world_guild();
    `clock`: the state store's clock from the start, so the first timer round already runs on it)."""
    settings = world_settings(root, WORLD_COMMUNITY if community is None else community, **(settings_extra or {}))
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb, clock=clock)

    loop = asyncio.get_running_loop()
    loop_errors: list[JSON] = []
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)

    fake = await (fake_class or FakeDiscord)(guilds=[guild or world_guild()], **fake_options).start()

    adapter = DiscordAdapter(
        settings, "fake-token", api_base=fake.api_base, gateway_url=fake.gateway_url, guild_ready_timeout=0.1
    )
    task = asyncio.create_task(serve(bot, adapter))

    polls = itertools.count()

    def crashed() -> str | None:
        if next(polls) % 25 == 0:
            gc.collect()  # "Task exception was never retrieved" is reported when the task is collected
        if task.done() and not task.cancelled() and task.exception() is not None:
            return f"the adapter stopped: {task.exception()!r}"
        client_errors = [r for r in errors.records if not r.name.startswith("peerbot.adapters")]
        if loop_errors or client_errors:
            return f"the client crashed: {loop_errors} {[r.getMessage() for r in client_errors]}"
        return None

    fake.watchdog = crashed
    world = World(fake, bot, settings, adapter, errors, loop_errors)
    ready = asyncio.create_task(adapter.wait_until_ready())
    try:
        done, _ = await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # the adapter stopped: raise why
        assert ready in done, "the adapter did not connect to the fake Discord"
        yield world
    finally:
        ready.cancel()
        await fake.quiet()  # let the bot finish what it is doing: closing mid-request is not what we test
        await adapter.close()
        await asyncio.wait_for(task, timeout=10)
        await fake.stop()
        logging.getLogger().removeHandler(errors)
        gc.collect()
        await asyncio.sleep(0)
        loop.set_exception_handler(None)
    assert not loop_errors, f"unhandled errors in the event loop: {loop_errors}"
    assert not errors.records, "unexpected errors logged:\n" + "\n".join(
        f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in errors.records
    )
    assert not fake.unknown, f"requests the fake Discord does not know: {fake.unknown}"
