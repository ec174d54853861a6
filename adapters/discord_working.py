"""The asker sees the bot working on Discord: typing in the channel while it works on a message question (a slash
command's deferred "thinking…" already says so), and /ask answers shown to the asker first in the channels of
`discord.private_first_channels`, with a "Show everyone" button that posts them in the channel."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from peerbot.adapters import discord_words
from peerbot.adapters.discord_render import MESSAGE_LIMIT, Part, render
from peerbot.adapters.discord_views import feedback_view
from peerbot.adapters.held import HeldReplies
from peerbot.bots.config import DiscordSettings
from peerbot.bots.conversation import Outcome, Question

if TYPE_CHECKING:
    from peerbot.adapters.discord_client import PeerbotClient

log = logging.getLogger("peerbot.adapters.discord")

TYPING_WAIT_S = 1.0  # the longest the answer waits for the first typing request
TYPING_EVERY_S = 8.0  # Discord shows typing for 10 s after each request
_SHOWN_FIRST = (Outcome.ANSWER, Outcome.SUGGEST)


class ShowHost(Protocol):
    working: DiscordWorking


class DiscordWorking:
    def __init__(self, settings: DiscordSettings) -> None:
        self.private_first_channels = frozenset(settings.private_first_channels)
        self.held: HeldReplies[tuple[int, list[Part]]] = HeldReplies()

    @asynccontextmanager
    async def typing(self, channel: discord.abc.Messageable) -> AsyncIterator[None]:
        """Typing in channel while the block runs: sent once first (at most TYPING_WAIT_S), then every few
        seconds; a failure (missing permission, rate limit) is logged quietly and never holds the answer."""
        first = asyncio.Event()
        task = asyncio.create_task(_keep_typing(channel, first))
        with suppress(TimeoutError):
            await asyncio.wait_for(first.wait(), TYPING_WAIT_S)
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    def private_first(self, channel: Any) -> bool:
        """An /ask in a listed channel (or a thread or forum post in one) is answered to the asker first."""
        ids = {str(getattr(channel, "id", "")), str(getattr(channel, "parent_id", "") or "")}
        return bool(ids & self.private_first_channels)

    async def answer_privately(
        self, client: PeerbotClient, interaction: discord.Interaction[Any], question: Question
    ) -> None:
        """/ask in a private-first channel (deferred privately): the reply to the asker alone; an answer or a
        suggestion with "Show everyone", anything else with its usual buttons (escalations go on as usual)."""
        reply = await client.bot.handle(question)
        if reply is None:
            await interaction.delete_original_response()
            return
        parts = render(reply)
        held = reply.outcome in _SHOWN_FIRST and not reply.escalated
        key = self.held.hold(question.asker, (interaction.channel_id or 0, parts)) if held else None
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            content, view = part.content, feedback_view(part.feedback, part.ask_anyway)
            if key is not None:
                content, view = (only_you(content), show_view(key)) if last else (content, None)
            if n == 0:
                await interaction.edit_original_response(content=content, view=view)
            else:
                await interaction.followup.send(content, ephemeral=True, view=view or discord.utils.MISSING)
        if reply.escalated:
            channel = interaction.channel
            fallback = channel if isinstance(channel, discord.abc.Messageable) else None
            await client._alert(
                reply, question.text, question.asker, getattr(channel, "jump_url", None), fallback=fallback
            )
        await client.bot.sent(question)

    async def press(self, interaction: discord.Interaction[Any], key: str) -> None:
        """ "Show everyone": the held reply posted in the channel once; the private copy says so."""
        held = self.held.take(key, str(interaction.user.id))
        if held is None or held[0] != interaction.channel_id:
            await interaction.response.edit_message(content=discord_words.DISCORD_SHOW_GONE, view=None)
            return
        await interaction.response.edit_message(content=discord_words.DISCORD_SHOWN, view=None)
        for part in held[1]:
            view = feedback_view(part.feedback, part.ask_anyway)
            await interaction.followup.send(part.content, suppress_embeds=True, view=view or discord.utils.MISSING)


async def _keep_typing(channel: discord.abc.Messageable, first: asyncio.Event) -> None:
    while True:
        try:
            await channel.typing()
        except Exception as exc:
            log.info("typing indicator skipped", extra={"channel": getattr(channel, "id", None), "error": str(exc)})
            return
        finally:
            first.set()
        await asyncio.sleep(TYPING_EVERY_S)


def only_you(content: str) -> str:
    note = f"\n-# {discord_words.DISCORD_ONLY_YOU}"
    return content + note if len(content) + len(note) <= MESSAGE_LIMIT else content


class ShowButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"peerbot:show:(?P<key>[0-9a-f]{16})",
):
    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=discord_words.DISCORD_SHOW_EVERYONE,
                style=discord.ButtonStyle.primary,
                custom_id=f"peerbot:show:{key}",
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ShowButton:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await cast(ShowHost, interaction.client).working.press(interaction, self.key)


def show_view(key: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ShowButton(key))
    return view
