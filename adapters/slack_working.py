"""The asker sees the bot working: a reaction on their message while it works (`slack.working_reaction`), and, in
the channels of `slack.private_first_channels`, the answer shown to them first with a "Show everyone" button that
posts it in the thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from peerbot.adapters import slack_words
from peerbot.adapters.held import HeldReplies
from peerbot.adapters.slack_lookup import slack_error
from peerbot.adapters.slack_post import SlackPoster
from peerbot.adapters.slack_render import (
    BLOCK_LIMIT,
    FEEDBACK_PREFIX,
    Block,
    Message,
    context,
    escape,
    render,
)
from peerbot.bots import messages
from peerbot.bots.config import SlackSettings
from peerbot.bots.conversation import Outcome, Question, Reply

log = logging.getLogger("peerbot.adapters.slack")

SHOW_PREFIX = "peerbot_show"
ADD_WAIT_S = 2.0  # the longest the answer waits for the reaction to be on
_SHOWN_FIRST = (Outcome.ANSWER, Outcome.SUGGEST)  # escalations and out-of-scope replies are posted as before


class Working:
    """One question's reaction: added when the bot starts, removed once the reply is posted."""

    def __init__(self, client: AsyncWebClient | None, name: str, channel: str, ts: str | None) -> None:
        self.client, self.name, self.channel, self.ts = client, name, channel, ts
        self._added: asyncio.Task[bool] | None = None

    def start(self) -> None:
        if self.client is not None and self.ts:
            self._added = asyncio.create_task(self._call("reactions_add"))

    async def before_posting(self) -> None:
        """The reaction is on (or failed, or is slow) before the answer appears."""
        if self._added is not None:
            await asyncio.wait({self._added}, timeout=ADD_WAIT_S)

    async def stop(self) -> None:
        if self._added is None:
            return
        if await self._added:  # a slow add is waited for here, so the reaction is never left behind
            await self._call("reactions_remove")

    async def _call(self, method: str) -> bool:
        """A reactions call; a failure (missing reactions:write, rate limit) is logged quietly and skipped."""
        assert self.client is not None
        try:
            await getattr(self.client, method)(channel=self.channel, timestamp=self.ts, name=self.name)
        except Exception as exc:
            log.info("working reaction skipped", extra={"call": method, "error": slack_error(exc)})
            return False
        return True


class SlackWorking:
    def __init__(self, client: AsyncWebClient, settings: SlackSettings, poster: SlackPoster) -> None:
        self.name = settings.working_reaction
        # its own client, without rate-limit retries: a throttled reaction is skipped, never waited for
        self.client = AsyncWebClient(token=client.token, base_url=client.base_url) if self.name else None
        self.private_first = frozenset(settings.private_first_channels)
        self.poster = poster
        self.held: HeldReplies[tuple[str, str, Message]] = HeldReplies()

    @asynccontextmanager
    async def on(self, channel: str, ts: str | None) -> AsyncIterator[Working]:
        """The reaction on message `ts` for as long as the block runs (no ts: nothing to react to)."""
        working = Working(self.client, self.name, channel, ts)
        working.start()
        try:
            yield working
        finally:
            await working.stop()

    async def post(self, question: Question, reply: Reply, channel: str, thread_ts: str) -> None:
        """The reply in the thread; in a private-first channel an answer or suggestion goes to the asker alone."""
        public = render(reply)
        if channel not in self.private_first or reply.outcome not in _SHOWN_FIRST or reply.escalated:
            await self.poster.post(channel, thread_ts, public)
            return
        key = self.held.hold(question.asker, (channel, thread_ts, public))
        await self.poster.client.chat_postEphemeral(
            channel=channel, user=question.asker, thread_ts=thread_ts, **only_you(public, key)
        )

    async def press(self, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        """ "Show everyone": the held reply posted in its thread once, the private copy removed."""
        key = str(action.get("action_id", "")).partition(":")[2]
        held = self.held.take(key, str((body.get("user") or {}).get("id")))
        if held is None:
            await respond(text=escape(slack_words.SLACK_SHOW_GONE), response_type="ephemeral", replace_original=True)
            return
        channel, thread_ts, public = held
        if not await self.poster.send(channel, thread_ts, public):
            await respond(text=escape(messages.APOLOGY), response_type="ephemeral", replace_original=False)
            return
        await respond(delete_original=True)


def show_button(key: str) -> Block:
    button = {
        "type": "button",
        "action_id": f"{SHOW_PREFIX}:{key}",
        "text": {"type": "plain_text", "text": slack_words.SLACK_SHOW_EVERYONE},
        "value": key,
        "style": "primary",
    }
    return {"type": "actions", "block_id": f"{SHOW_PREFIX}:{key}", "elements": [button]}


def only_you(public: Message, key: str) -> Message:
    """The asker's private copy: the same reply, the feedback buttons traded for "Show everyone"."""
    blocks = [b for b in public.get("blocks", []) if not str(b.get("block_id", "")).startswith(FEEDBACK_PREFIX)]
    blocks = [*blocks[: BLOCK_LIMIT - 2], context(escape(slack_words.SLACK_ONLY_YOU)), show_button(key)]
    return {"text": public["text"], "blocks": blocks}  # ephemeral messages never unfurl
