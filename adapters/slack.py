"""The Slack adapter: slack-bolt's AsyncApp, in Socket Mode or behind an Events API endpoint, wired to the bot."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from peerbot.adapters import slack_words
from peerbot.adapters.slack_parse import (
    Payload,
    bot_command,
    claim_action,
    command_question,
    event_question,
    feedback_action,
    mention_is_question,
    mentions,
    message_route,
    plain_text,
    split_thread,
    subcommand,
    thread_key,
    thread_root,
)
from peerbot.adapters.slack_render import (
    CLAIM_PREFIX,
    FEEDBACK_PREFIX,
    escape,
    inert,
    message,
    render,
    slack_commands,
    user_mention,
)
from peerbot.bots import messages
from peerbot.bots.bot import Bot
from peerbot.bots.commands import Access
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Question
from peerbot.bots.live import LiveKnowledge
from peerbot.bots.notices import Notice
from peerbot.bots.secrets import require_env
from peerbot.errors import AdapterError

try:
    from aiohttp import web
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
    from slack_bolt.app.async_server import AsyncSlackAppServer
    from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
    from slack_sdk.errors import SlackApiError
    from slack_sdk.http_retry.builtin_async_handlers import (
        AsyncConnectionErrorRetryHandler,
        AsyncRateLimitErrorRetryHandler,
    )
    from slack_sdk.web.async_client import AsyncWebClient
except ImportError as exc:  # pragma: no cover - depends on the install
    raise AdapterError(
        f"the Slack adapter needs slack-bolt, slack-sdk and aiohttp ({exc.name} is missing): "
        "pip install 'peerbot[slack]'"
    ) from exc

from peerbot.adapters.slack_http import refuse_malformed  # after the install check
from peerbot.adapters.slack_live import SlackLive, changed_thread
from peerbot.adapters.slack_lookup import SlackLookup, slack_error
from peerbot.adapters.slack_names import SlackNames
from peerbot.adapters.slack_post import SlackPoster
from peerbot.adapters.slack_rewards import missing_scopes
from peerbot.adapters.slack_working import SHOW_PREFIX, SlackWorking

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"  # HTTP mode: events, slash commands and button presses all arrive here
FEEDBACK_ACTIONS = re.compile(rf"^{FEEDBACK_PREFIX}:[a-z]+:\d+$")
CLAIM_ACTIONS = re.compile(rf"^{CLAIM_PREFIX}:\d+$")
SHOW_ACTIONS = re.compile(rf"^{SHOW_PREFIX}:[0-9a-f]+$")
SHUTDOWN_GRACE_S = 10.0
SOLVED_THIS = "peerbot_solved_this"  # the message shortcut's callback_id (slack_manifest.yaml)
LiveHandler = Callable[[LiveKnowledge, dict[str, Any], str | None], Awaitable[None]]


class SlackAdapter:
    name = "slack"

    def __init__(
        self,
        settings: Settings,
        *,
        bot_token: str,
        app_token: str | None = None,
        signing_secret: str | None = None,
        base_url: str | None = None,
        host: str = "0.0.0.0",
        port: int | None = None,
    ) -> None:
        """base_url points the Web API client somewhere else than slack.com (tests use a local fake)."""
        self.settings = settings
        self.mode = settings.slack.mode
        if not bot_token.startswith("xoxb-"):
            raise AdapterError("SLACK_BOT_TOKEN should be the app's bot token (it starts with xoxb-)")
        if self.mode == "socket" and not (app_token or "").startswith("xapp-"):
            raise AdapterError("Socket Mode needs SLACK_APP_TOKEN, an app-level token (it starts with xapp-)")
        if self.mode == "http" and not signing_secret:
            raise AdapterError("HTTP mode needs SLACK_SIGNING_SECRET to verify that requests come from Slack")
        self._app_token = app_token
        self._signing_secret = signing_secret or ""
        self.client = AsyncWebClient(
            token=bot_token,
            retry_handlers=[AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
            base_url=base_url or AsyncWebClient.BASE_URL,
        )
        self.host = host
        self.port = settings.slack.port if port is None else port
        self.help_channels = frozenset(settings.slack.help_channels)
        self.admins = frozenset(settings.slack.admins)
        self._bot: Bot | None = None
        self._bot_user: str | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._busy: set[asyncio.Task[Any]] = set()
        self.lookup = SlackLookup(self.client)
        self.names = SlackNames(self.lookup)  # the channel's and asker's names, for the dashboard
        self.poster = SlackPoster(self.client, settings, self.lookup)
        self.live = SlackLive(self.client, settings.live, self.lookup, settings.slack.help_channels)
        self.working = SlackWorking(self.client, settings.slack, self.poster)  # the reaction; private-first answers

    @classmethod
    def from_env(cls, settings: Settings, *, base_url: str | None = None) -> SlackAdapter:
        """Secrets from the environment: SLACK_BOT_TOKEN plus SLACK_APP_TOKEN (socket) or SLACK_SIGNING_SECRET."""
        if settings.slack.mode == "socket":
            env = require_env(
                "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", purpose='Slack in Socket Mode (slack.mode = "socket")'
            )
            return cls(settings, bot_token=env["SLACK_BOT_TOKEN"], app_token=env["SLACK_APP_TOKEN"], base_url=base_url)
        env = require_env("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", purpose='Slack in HTTP mode (slack.mode = "http")')
        return cls(
            settings, bot_token=env["SLACK_BOT_TOKEN"], signing_secret=env["SLACK_SIGNING_SECRET"], base_url=base_url
        )

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the Slack adapter is not started")
        return self._bot

    @property
    def http_port(self) -> int | None:
        """The port the Events API endpoint listens on (HTTP mode, once started)."""
        if self._runner is None or not self._runner.addresses:
            return None
        return int(self._runner.addresses[0][1])

    # -- lifecycle ------------------------------------------------------------------------------------------

    def build_app(self) -> AsyncApp:
        app = AsyncApp(
            name="peerbot",
            client=self.client,
            signing_secret=self._signing_secret,
            request_verification_enabled=self.mode == "http",
        )
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("reaction_added")(self._on_reaction)
        app.event("reaction_removed")(self._on_reaction)
        app.shortcut(SOLVED_THIS)(self._on_solved_this)
        app.command("/ask")(self._on_ask)
        app.command("/peerbot")(self._on_peerbot)
        app.action(FEEDBACK_ACTIONS)(self._on_feedback)
        app.action(CLAIM_ACTIONS)(self._on_claim)
        app.action(SHOW_ACTIONS)(self._on_show)
        return app

    async def start(self, bot: Bot) -> None:
        """Check the token, then connect (Socket Mode) or listen on the port (HTTP mode); returns once ready.
        The runtime (bots/runtime.py) sends the bot's notices to `deliver`."""
        self._bot = bot
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            raise AdapterError(f"Slack refused SLACK_BOT_TOKEN ({slack_error(exc)})") from None
        except Exception as exc:
            raise AdapterError(f"cannot reach Slack at {self.client.base_url} ({exc}); check the network") from None
        self._bot_user = identity.get("user_id")
        missing_scopes(self.settings, identity.headers)  # the club user group's scopes, logged by name
        app = self.build_app()
        if self.mode == "socket":
            self._socket = AsyncSocketModeHandler(app, app_token=self._app_token)
            try:  # the first websocket URL, asked here so a bad app token fails now (connect() retries forever)
                self._socket.client.wss_uri = await self._socket.client.issue_new_wss_url()
            except SlackApiError as exc:
                await self._socket.close_async()
                raise AdapterError(f"Slack refused SLACK_APP_TOKEN ({slack_error(exc)})") from None
            await self._socket.connect_async()
        else:
            server = AsyncSlackAppServer(port=self.port, path=EVENTS_PATH, app=app, host=self.host)
            server.web_app.middlewares.append(refuse_malformed)  # 400, not a 500 traceback, for unreadable input
            self._runner = web.AppRunner(server.web_app, access_log=None)
            await self._runner.setup()
            try:
                await web.TCPSite(self._runner, self.host, self.port).start()
            except OSError as exc:
                await self._runner.cleanup()
                raise AdapterError(f"cannot listen on {self.host}:{self.port} ({exc}); change slack.port") from None
        if not self.settings.slack.escalation_channel and not self.settings.slack.dm_superusers:
            log.warning("slack.escalation_channel is not set and dm_superusers is off: escalations ping nobody")
        log.info(
            "slack adapter ready",
            extra={"mode": self.mode, "port": self.http_port, "bot_user": identity.get("user_id")},
        )

    async def stop(self) -> None:
        """Stop taking events, then give the answers in progress a moment to finish."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.drain(SHUTDOWN_GRACE_S)

    async def serve(self, bot: Bot) -> None:
        """Serve until cancelled (the runtime cancels on Ctrl-C or SIGTERM), then stop cleanly."""
        await self.start(bot)
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until no event, command or button press is being worked on."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._busy and loop.time() < deadline:
            await asyncio.wait(set(self._busy), timeout=deadline - loop.time())

    @asynccontextmanager
    async def _working(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._busy.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._busy.discard(task)

    # -- listeners (Bolt injects arguments by name) ---------------------------------------------------------

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        async with self._working():
            if mention_is_question(event, help_channels=self.help_channels):
                public = await self.lookup.is_public(event["channel"], event.get("channel_type"))
                question = event_question(
                    event, event_id=body.get("event_id"), bot_user_id=context.bot_user_id, public=public
                )
                await self._answer(question, event["channel"], thread_root(event), working_ts=event["ts"])

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        async with self._working():
            if changed_thread(event) is not None:  # an edit or a deletion: maybe in a thread learned live
                await self._live(self.live.on_change, event, context.bot_user_id)
                return
            route = message_route(event, help_channels=self.help_channels)
            if route == "question":
                public = await self.lookup.is_public(event["channel"], event.get("channel_type"))
                question = event_question(
                    event, event_id=body.get("event_id"), bot_user_id=context.bot_user_id, public=public
                )
                if event.get("channel_type") == "im":
                    question = dataclasses.replace(
                        question, private_channels=await self.lookup.private_channels(event["user"])
                    )
                await self._answer(question, event["channel"], thread_root(event), working_ts=event["ts"])
            elif route == "human_answer" and not await self._follow_up(body, event, context.bot_user_id):
                await self._human_answer(event, context.bot_user_id)  # not the asker's follow-up: maybe an answer

    async def _on_reaction(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        async with self._working():
            if event.get("user") == context.bot_user_id:  # the bot's own working reaction: never live knowledge
                return
            await self._live(self.live.on_reaction, event, context.bot_user_id)

    async def _on_solved_this(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """ "This solved it" on a member's reply (a message shortcut): the asker marks the answer."""
        async with self._working():
            await ack()
            if self.bot.live is None:
                return
            posted, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
            try:
                text = await self.live.solved_this(
                    self.bot.live, str(channel), str(posted.get("ts")), str(body["user"]["id"]), self._bot_user
                )
            except Exception:
                log.exception("failed to mark a reply solved", extra={"channel": channel})
                text = messages.APOLOGY
            await respond(text=escape(text), response_type="ephemeral", replace_original=False)

    async def _live(self, handler: LiveHandler, event: dict[str, Any], bot_user_id: str | None) -> None:
        """Live capture (adapters/slack_live.py): a failure is logged, never shown to anyone."""
        if self.bot.live is None:
            return
        try:
            await handler(self.bot.live, event, bot_user_id)
        except Exception:
            log.exception("live capture failed", extra={"channel": event.get("channel")})

    async def _on_ask(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        async with self._working():
            if not plain_text(command.get("text") or ""):
                await ack(text=messages.EMPTY_QUESTION, response_type="ephemeral")
                return
            await ack()
            channel, user = command["channel_id"], command["user_id"]
            asked = escape(slack_words.SLACK_ASKED).format(
                asker=user_mention(user) or inert(user), question=inert(plain_text(command["text"]))
            )
            try:
                posted = await self.client.chat_postMessage(
                    channel=channel, text=asked, unfurl_links=False, unfurl_media=False, link_names=False
                )
                root_ts = str(posted["ts"])
            except Exception as exc:
                error = slack_error(exc)
                log.warning("cannot post the /ask question", extra={"channel": channel, "error": error})
                cannot = error in ("not_in_channel", "channel_not_found", "is_archived")
                await respond(
                    text=escape(slack_words.SLACK_NOT_IN_CHANNEL if cannot else messages.APOLOGY),
                    response_type="ephemeral",
                )
                return
            question = command_question(command, root_ts=root_ts, public=await self.lookup.is_public(channel))
            await self._answer(question, channel, root_ts, working_ts=root_ts)

    async def _on_peerbot(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        async with self._working():
            name, user = subcommand(command.get("text") or ""), command["user_id"]
            entry = self.bot.commands.get(name)
            question = dataclasses.replace(
                bot_command(command),
                admin=user in self.admins,
                private_channels=await self.lookup.private_channels(user),  # what /review may show them
            )
            if entry is None:
                await ack(
                    text=escape(slack_words.SLACK_UNKNOWN_SUBCOMMAND.format(name=name)), response_type="ephemeral"
                )
            elif entry.name == "help":
                await ack(text=escape(self.help_text()), response_type="ephemeral")
            elif entry.access is Access.ADMIN and not question.admin:  # refused at once; the bot checks it too
                log.warning("admin command refused: not an admin", extra={"user": user, "command": name})
                await ack(text=escape(messages.NOT_ADMIN), response_type="ephemeral")
            elif name == "human":
                await ack()
                await self._ask_a_human(question, respond)
            else:
                if entry.slow:
                    await ack(text=escape(messages.REINDEX_STARTED), response_type="ephemeral")
                else:
                    await ack()
                reply = await self.bot.handle(question)
                text = slack_commands(reply.text) if reply else messages.APOLOGY
                await respond(text=escape(text), response_type="ephemeral")

    async def _on_feedback(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        async with self._working():
            await ack()
            parsed = feedback_action(str(action.get("action_id")))
            if parsed is None:
                return
            verdict, question_id = parsed
            try:
                user = body["user"]["id"]
                reply = await self.bot.feedback(question_id, user, verdict, admin=user in self.admins)
            except Exception:
                log.exception("failed to record feedback", extra={"question_id": question_id, "verdict": verdict})
                await respond(text=escape(messages.APOLOGY), response_type="ephemeral", replace_original=False)
                return
            if reply.outcome is not Outcome.ESCALATE:
                await respond(text=escape(reply.text), response_type="ephemeral", replace_original=False)
                return
            posted, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
            if channel:
                await self.poster.send(channel, posted.get("thread_ts") or posted.get("ts"), render(reply))
            else:
                await respond(text=escape(reply.text), response_type="ephemeral", replace_original=False)
            await self.poster.escalate(reply)

    async def _on_show(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """ "Show everyone" under an answer shown to the asker first (slack_working.py)."""
        async with self._working():
            await ack()
            await self.working.press(body, action, respond)

    async def _on_claim(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """ "Claim it" under an escalation note or a ping: exactly one superuser wins; the others are told who."""
        async with self._working():
            await ack()
            escalation_id = claim_action(str(action.get("action_id")))
            if escalation_id is None:
                return
            try:
                text = (await self.bot.claim(escalation_id, self.name, body["user"]["id"])).text
            except Exception:
                log.exception("failed to claim an escalation", extra={"escalation_id": escalation_id})
                text = messages.APOLOGY
            await respond(text=escape(slack_commands(text)), response_type="ephemeral", replace_original=False)

    # -- the work -------------------------------------------------------------------------------------------

    async def _answer(self, question: Question, channel: str, thread_ts: str, *, working_ts: str | None) -> None:
        """Ask the bot and post its reply in the thread; on any failure the asker gets an apology, never silence.
        Message `working_ts` carries the working reaction meanwhile."""
        async with self.working.on(channel, working_ts) as working:
            try:
                question = await self.names.named(question)
                reply = await self.bot.handle(question)
                if reply is None:  # a redelivered event, answered the first time
                    return
                await working.before_posting()
                await self.working.post(question, reply, channel, thread_ts)
            except Exception:
                log.exception("failed to answer on Slack", extra={"channel": channel})
                await self.poster.send(channel, thread_ts, message(messages.APOLOGY))
                return
        if reply.escalated:  # no trusted answer, or an upset asker: a person follows up too
            await self.poster.escalate(reply)
        await self.bot.sent(question)

    async def _follow_up(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> bool:
        """The asker's reply in a thread the bot answered (bots/followups.py): answered in the thread. A reply that
        @mentions the bot is left to the mention listener, which asks the bot the same way."""
        if mentions(event, bot_user_id):
            return False
        question = event_question(event, event_id=body.get("event_id"), bot_user_id=bot_user_id, public=False)
        if not await self.bot.is_follow_up(question):
            return False
        public = await self.lookup.is_public(event["channel"], event.get("channel_type"))
        follow_up = dataclasses.replace(question, public=public)
        await self._answer(follow_up, event["channel"], thread_root(event), working_ts=event["ts"])
        return True

    async def _ask_a_human(self, question: Question, respond: AsyncRespond) -> None:
        """`/peerbot human`: the bot escalates the asker's last question in its own thread (the escalation says
        where), so the asker is told there and a superuser's reply there is recorded."""
        reply = await self.bot.handle(question)
        await respond(text=escape(slack_commands(reply.text) if reply else messages.APOLOGY), response_type="ephemeral")
        if reply is None or reply.outcome is not Outcome.ESCALATE or reply.escalation is None:
            return
        if reply.escalation.thread:
            channel, root_ts = split_thread(reply.escalation.thread)
            await self.poster.send(channel, root_ts, render(reply))
        await self.poster.escalate(reply)

    # -- notices from the bot (the Notifier seam) ------------------------------------------------------------

    async def deliver(self, notices: Sequence[Notice]) -> None:
        await self.poster.deliver(notices)

    async def _human_answer(self, event: Payload, bot_user_id: str | None) -> None:
        channel, user = str(event["channel"]), str(event["user"])
        thread = thread_key(channel, str(event["thread_ts"]))
        try:
            escalation_id = await self.bot.human_answer(
                "slack", thread, user, plain_text(event.get("text") or "", bot_user_id)
            )
            if escalation_id is None:
                return
            await self.client.chat_postEphemeral(
                channel=channel,
                user=user,
                thread_ts=event["thread_ts"],
                text=escape(slack_words.SLACK_HUMAN_RECORDED.format(escalation_id=escalation_id)),
            )
        except Exception:
            log.exception("failed to record a superuser's answer", extra={"channel": channel})

    def help_text(self) -> str:
        """Slack's help: how to ask here, then the command table as `/peerbot NAME` subcommands."""
        lines = self.bot.commands.help_lines(prefix="/peerbot ", fence="`")
        return "\n".join([slack_words.SLACK_HELP.format(community=self.settings.community.name), *lines])
