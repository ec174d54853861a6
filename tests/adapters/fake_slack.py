"""A fake Slack on 127.0.0.1 (Web API, response_url hooks, a Socket Mode websocket) and a harness that runs the
real SlackAdapter (slack-bolt's AsyncApp) against it, delivering signed HTTP requests or websocket envelopes."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from peerbot.adapters.slack import EVENTS_PATH, SlackAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from tests.conftest import make_settings
from tests.factories import SMALL_COMMUNITY, Clock, reply, thread

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
BOT_USER = "UBOT"
PUBLIC_HELP, PRIVATE_HELP, ESCALATIONS, ELSEWHERE = "CHELP", "GBETA", "CESC", "CRANDOM"
PRIVATE_C = "CSECRET"  # a private channel created after 2021: Slack gives it a C id like a public one
ASKER, ADMIN, MARA, DEVON = "UASKER", "UADMIN", "UMARA", "UDEVON"

SUPERUSERS = [
    {"name": "Mara Quinn", "community_id": "u-mara", "slack_id": MARA},
    {"name": "Devon Okafor", "community_id": "u-devon", "slack_id": DEVON},
]
# the small community, with the private beta thread living in the private Slack channel GBETA,
# and one answer hiding a disguised link
COMMUNITY = [
    *(t for t in SMALL_COMMUNITY if t["id"] != "beta-sunrise"),
    thread(
        "beta-sunrise",
        "Adaptive Sunrise in firmware 5 beta",
        "How does the beta sunrise schedule work?",
        [reply("In the 5.0 beta, Adaptive Sunrise ramps over 30 minutes before your alarm.", score=8, accepted=True)],
        visibility="private",
        channel=PRIVATE_HELP,
    ),
    thread(
        "firmware-download",
        "Where can I download the bridge firmware file",
        "I need the bridge firmware file for a manual update.",
        [reply("Grab it from <https://evil.example/steal|the official firmware page> & flash it.", accepted=True)],
    ),
]


def conversation(cid: str, *, private: bool = False, im: bool = False, mpim: bool = False) -> dict[str, Any]:
    """A conversation object as conversations.info returns it (the fields the adapter reads, and a few more)."""
    return {
        "id": cid,
        "name": "" if im else cid.lower(),
        "is_channel": not (im or mpim),
        "is_group": False,  # Slack sets is_group only for private channels made before March 2021 (G ids)
        "is_im": im,
        "is_mpim": mpim,
        "is_private": private or im or mpim,
        "is_archived": False,
        "is_member": True,
        "is_ext_shared": False,
        "created": 1700000000,
    }


CONVERSATIONS = {
    c["id"]: c
    for c in (
        conversation(PUBLIC_HELP),
        conversation(ESCALATIONS),
        conversation(ELSEWHERE),
        {**conversation(PRIVATE_HELP, private=True), "is_channel": False, "is_group": True},
        conversation(PRIVATE_C, private=True),
        conversation("DASKER", im=True),
        conversation("DOUTSIDER", im=True),
        conversation("GMPIM", mpim=True),
    )
}


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    status: int = 200
    result: dict[str, Any] = field(default_factory=dict)  # what the fake answered (a posted message's ts)

    def dump(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class FakeSlack:
    """Records every Web API call (method + JSON or form body) and answers the way Slack does."""

    calls: list[Call] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    rate_limits: dict[str, list[int]] = field(default_factory=dict)  # method -> Retry-After of the next 429s
    errors: dict[str, list[str]] = field(default_factory=dict)  # method -> error of the next failures
    users: dict[str, str] = field(default_factory=lambda: {ASKER: "Alex Asker"})
    private_channels: dict[str, list[str]] = field(default_factory=dict)  # user -> private channels shared with the bot
    conversations: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(CONVERSATIONS))  # conversations.info
    usergroups: dict[str, list[str]] = field(default_factory=dict)  # user group id -> its members
    scopes: str | None = None  # the bot token's scopes, as auth.test's x-oauth-scopes header says (None: no header)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)  # method -> answered once the test sets the event
    port: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # -- what was called ---------------------------------------------------------------------------------

    def called(self, method: str, **where: Any) -> list[Call]:
        """Successful calls of method whose body has every given key/value."""
        return [
            c
            for c in self.calls
            if c.method == method and c.status == 200 and all(c.body.get(k) == v for k, v in where.items())
        ]

    def posts(self, **where: Any) -> list[dict[str, Any]]:
        return [c.body for c in self.called("chat.postMessage", **where)]

    def everything_posted(self) -> str:
        return "\n".join(c.dump() for c in self.calls if c.method != "auth.test")

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0, **where: Any) -> list[Call]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.called(method, **where)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(f"expected {count} {method} {where or ''}; got {self.calls}") from None
        return self.called(method, **where)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- the Web API -------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _body(request)
        if self.rate_limits.get(method):
            retry_after = self.rate_limits[method].pop(0)
            await self._record(Call(method, body, 429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if method in self.holds:  # a slow Slack: the call hangs until the test lets it through
            await self.holds[method].wait()
        if method == "conversations.info" and str(body.get("channel")) not in self.conversations:
            await self._record(Call(method, body, 400))
            return web.json_response({"ok": False, "error": "channel_not_found"})  # Slack answers 200 with ok: false
        if self.errors.get(method):
            error = self.errors[method].pop(0)
            await self._record(Call(method, body, 400))
            return web.json_response({"ok": False, "error": error})
        answer = self._answer(method, body)
        await self._record(Call(method, body, result=answer))
        headers = {"x-oauth-scopes": self.scopes} if method == "auth.test" and self.scopes is not None else None
        return web.json_response({"ok": True, **answer}, headers=headers)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "peerbot", "team": "Test"}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"channel": body.get("channel"), "ts": ts, "message": {**body, "ts": ts, "bot_id": "BBOT"}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.getPermalink":
            ts = str(body.get("message_ts", "")).replace(".", "")
            return {
                "channel": body.get("channel"),
                "permalink": f"https://test.slack.com/archives/{body.get('channel')}/p{ts}",
            }
        if method == "users.info":
            user = str(body.get("user"))
            name = self.users.get(user, user)
            return {"user": {"id": user, "name": name.lower(), "profile": {"display_name": name, "real_name": name}}}
        if method == "users.conversations":
            channels = [{"id": c, "is_private": True} for c in self.private_channels.get(str(body.get("user")), [])]
            return {"channels": channels, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.info":
            return {"channel": self.conversations[str(body.get("channel"))]}
        if method == "usergroups.users.list":
            return {"users": list(self.usergroups.get(str(body.get("usergroup")), []))}
        if method == "usergroups.users.update":
            group = str(body.get("usergroup"))
            self.usergroups[group] = [u for u in str(body.get("users") or "").split(",") if u]
            return {"usergroup": {"id": group, "users": self.usergroups[group]}}
        if method == "apps.connections.open":
            return {"url": f"ws://127.0.0.1:{self.port}/socket"}
        return {}

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(Call(f"respond:{request.match_info['name']}", await _body(request)))
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async with self._changed:
            self._changed.notify_all()
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                async with self._changed:
                    self.acks.append(json.loads(msg.data))
                    self._changed.notify_all()
        return ws

    async def push(self, envelope: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send an envelope down the websocket; the app's ack for it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), timeout)
        await self._sockets[-1].send_json(envelope)
        acked = lambda: [a for a in self.acks if a.get("envelope_id") == envelope["envelope_id"]]  # noqa: E731
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(acked())), timeout)
        return acked()[0]


async def _body(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query)
    if request.content_type == "application/json":
        data = await request.json()
        return data if isinstance(data, dict) else {"json": data}
    # slack_sdk sends some POST methods' arguments in the query string (usergroups.users.update)
    form = {**dict(request.query), **{k: str(v) for k, v in (await request.post()).items()}}
    for key in ("blocks", "payload"):
        if key in form:
            form[key] = json.loads(form[key])
    return form


# -- payloads as Slack sends them -------------------------------------------------------------------------

_ids = itertools.count(1)


def new_ts() -> str:
    return f"1710000000.{next(_ids):06d}"


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def message(
    text: str, *, channel: str = PUBLIC_HELP, user: str = ASKER, channel_type: str = "channel", **extra: Any
) -> dict[str, Any]:
    ts = extra.pop("ts", None) or new_ts()
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "channel_type": channel_type,
        **extra,
    }


def mention(text: str, *, channel: str = ELSEWHERE, user: str = ASKER, **extra: Any) -> dict[str, Any]:
    ts = extra.pop("ts", None) or new_ts()
    return {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, **extra}


def slash(name: str, text: str, *, user: str = ASKER, channel: str = ELSEWHERE, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "channel_id": channel,
        "channel_name": "random",
        "user_id": user,
        "user_name": user.lower(),
        "command": name,
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": "trigger",
    }


def button_press(
    action_id: str, *, user: str, channel: str, posted: dict[str, Any], response_url: str
) -> dict[str, Any]:
    """A block_actions payload for a button in a message the bot posted."""
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": posted["ts"], "channel_id": channel},
        "channel": {"id": channel},
        "message": posted,
        "response_url": response_url,
        "trigger_id": "trigger",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": action_id.rsplit(":", 1)[-1]}],
    }


def signed_headers(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


# -- the harness ------------------------------------------------------------------------------------------


def slack_settings(
    root: Path,
    community: list[dict[str, Any]] | None = None,
    scope: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
    settings_extra: dict[str, Any] | None = None,
    **slack: Any,
) -> Settings:
    config = {
        "mode": "http",
        "help_channels": [PUBLIC_HELP, PRIVATE_HELP],
        "escalation_channel": ESCALATIONS,
        "admins": [ADMIN],
        **slack,
    }
    extra = {"scope": scope} if scope is not None else {}
    extra |= {"conversation": conversation} if conversation is not None else {}
    community = COMMUNITY if community is None else community
    return make_settings(root, community, slack=config, **{"superusers": SUPERUSERS, **extra, **(settings_extra or {})})


def real_bot(settings: Settings, clock: Clock | None = None) -> Bot:
    """Like the `testbot` fixture: a real index and SQLite file, on the fast hashing embedder."""
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb, clock=clock)


@dataclass
class Harness:
    fake: FakeSlack
    adapter: SlackAdapter
    bot: Bot
    settings: Settings
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.http_port}{EVENTS_PATH}"

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """A signed HTTP request into the app's endpoint, as Slack sends it (headers override the signature)."""
        all_headers = {"Content-Type": content_type, **signed_headers(body), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            return response.status, await response.text()

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> int:
        body = event_callback(event, event_id)
        if self.adapter.mode == "socket":
            envelope = {
                "envelope_id": f"env-{next(_ids)}",
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": retry or 0,
                "retry_reason": "timeout" if retry else "",
                "payload": body,
            }
            await self.fake.push(envelope)
            return 200
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        status, _ = await self.post(json.dumps(body), "application/json", headers)
        return status

    async def command(self, name: str, text: str, **who: Any) -> tuple[int, str]:
        fields = slash(name, text, response_url=self.fake.response_url("command"), **who)
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded")

    async def press(
        self, action_id: str, *, user: str, channel: str, posted: dict[str, Any], response: str = "button"
    ) -> int:
        """A button press; the app's answers to it arrive at the fake as `respond:<response>`."""
        payload = button_press(
            action_id, user=user, channel=channel, posted=posted, response_url=self.fake.response_url(response)
        )
        status, _ = await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        return status

    async def settle(self) -> None:
        """Wait until the app has finished everything it acked."""
        await self.adapter.drain(5.0)


@asynccontextmanager
async def running_slack(
    root: Path,
    *,
    prepare: Callable[[FakeSlack], None] | None = None,
    clock: Clock | None = None,
    community: list[dict[str, Any]] | None = None,
    fake: FakeSlack | None = None,
    settings_hook: Callable[[Settings], Settings] | None = None,
    scope: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
    settings_extra: dict[str, Any] | None = None,
    **slack: Any,
) -> AsyncIterator[Harness]:
    """The real adapter on a real bot, talking to a fresh fake Slack; HTTP mode unless mode="socket"
    (`settings_extra`: more config.toml keys besides [slack])."""
    settings = slack_settings(root, community, scope, conversation, settings_extra, **slack)
    if settings_hook is not None:
        settings = settings_hook(settings)
    bot = real_bot(settings, clock)
    fake = fake or FakeSlack()
    await fake.start()
    if prepare is not None:
        prepare(fake)
    adapter = SlackAdapter(
        settings,
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        signing_secret=SECRET,
        base_url=fake.base_url,
        host="127.0.0.1",
        port=0,
    )
    session = aiohttp.ClientSession()
    try:
        await adapter.start(bot)
        bot.add_notifier(adapter)  # as bots/runtime.serve does
        yield Harness(fake, adapter, bot, settings, session)
    finally:
        await adapter.stop()
        await session.close()
        await fake.close()
