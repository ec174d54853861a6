"""PeerbotClient: discord.py's client with peerbot's listeners for messages, slash commands, buttons, notices."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from peerbot.adapters.discord_commands import PeerbotTree, acknowledge, ephemeral, install_commands
from peerbot.adapters.discord_live import DiscordLive
from peerbot.adapters.discord_parse import (
    PLATFORM,
    from_bot,
    interaction_question,
    is_known_private,
    is_public,
    snowflakes,
    thread_reply,
    to_question,
)
from peerbot.adapters.discord_render import Part, alert, ping_targets, render, split_text, thread_name
from peerbot.adapters.discord_rewards import REWARD_KINDS, check_club_permissions, deliver_reward
from peerbot.adapters.discord_views import ClaimButton, FeedbackButton, claim_view, feedback_view
from peerbot.adapters.discord_working import DiscordWorking, ShowButton
from peerbot.bots import messages
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Question, Reply, Verdict
from peerbot.bots.notices import Notice, deliver_each

log = logging.getLogger(__name__)


class PeerbotClient(discord.Client):
    """discord.py's client with peerbot's listeners; every message it sends pings no one unless it says so."""

    def __init__(
        self, bot: Bot, settings: Settings, *, intents: discord.Intents, guild_ready_timeout: float, **options: Any
    ) -> None:
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            **options,  # discord.py's own, e.g. shard_count / shard_ids for ShardedPeerbotClient
        )
        self.bot = bot
        self.settings = settings
        self.help_channels = frozenset(snowflakes(settings.discord.help_channels, "discord.help_channels"))
        self.admins = frozenset(settings.discord.admins)
        self.superuser_ids = frozenset(s.discord_id for s in settings.superusers if s.discord_id)
        self.tree = PeerbotTree(self)
        self.live = DiscordLive(self, settings.live, self.help_channels)
        self.working = DiscordWorking(settings.discord)  # typing; /ask answers to the asker first (Show everyone)
        install_commands(self.tree, bot.commands)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton, ClaimButton, ShowButton)
        try:
            synced = await self.tree.sync()
        except discord.HTTPException:
            log.exception("could not register the slash commands; @mentions and help channels still work")
        else:
            log.info("slash commands registered", extra={"commands": [c.name for c in synced]})

    async def on_ready(self) -> None:
        log.info("connected to Discord", extra={"bot_user": str(self.user), "servers": len(self.guilds)})
        if not self.intents.message_content:
            log.warning("running without the Message Content intent: answering /ask, @mentions and DMs only")
        missing = [c for c in self.help_channels if self.get_channel(c) is None]
        if missing:
            log.warning("discord.help_channels not visible to the bot", extra={"channels": [str(c) for c in missing]})
        escalations = self.settings.discord.escalation_channel
        if escalations and is_public(self.get_channel(int(escalations))):
            log.warning(
                "discord.escalation_channel is readable by @everyone: questions asked in private channels "
                "and DMs are quoted there; make it a private channel for superusers",
                extra={"channel": escalations},
            )
        await check_club_permissions(self)

    def is_admin(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.permissions.manage_guild or str(interaction.user.id) in self.admins

    # --- messages

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or from_bot(message):  # bots and webhooks: not questions, not superusers' answers
            return
        try:
            channel = await self._resolve(message)
            if await self._human_answer(message, channel):
                return
            question = to_question(message, channel, self.user.id, self.help_channels) or await self._follow_up(
                message, channel
            )
            if question is not None:
                async with self.working.typing(message.channel):  # until the reply is sent
                    await self._answer_message(message, channel, question)
        except Exception:
            log.exception("failed to handle a message", extra={"message_id": message.id})
            await self._apologise(message.channel)

    async def _resolve(self, message: discord.Message) -> Any:
        """The message's channel, fetched when the cache only knows its id (a thread created a moment ago)."""
        channel = message.channel
        if isinstance(channel, discord.PartialMessageable) and channel.guild is not None:
            try:
                return await self.fetch_channel(channel.id)
            except discord.HTTPException:
                log.warning("could not fetch a channel", extra={"channel": channel.id})
        return channel

    async def _follow_up(self, message: discord.Message, channel: Any) -> Question | None:
        """The asker's message in the thread (or forum post) the bot answered: a follow-up (bots/followups.py)."""
        question = thread_reply(message, channel)
        return question if question is not None and await self.bot.is_follow_up(question) else None

    async def _human_answer(self, message: discord.Message, channel: Any) -> bool:
        """A superuser's reply where an escalation waits: record it, mark it with a tick."""
        if str(message.author.id) not in self.superuser_ids:
            return False
        recorded = await self.bot.human_answer(PLATFORM, str(channel.id), str(message.author.id), message.content)
        if recorded is None:
            return False
        log.info("superuser reply recorded", extra={"escalation_id": recorded})
        try:
            await message.add_reaction("✅")
        except discord.HTTPException:
            log.warning("could not react to a superuser reply", extra={"message_id": message.id})
        return True

    async def _answer_message(self, message: discord.Message, channel: Any, question: Question) -> None:
        reply = await self.bot.handle(question)
        if reply is None:
            return  # a redelivered event, answered the first time
        target: discord.abc.Messageable = channel
        reference: discord.Message | None = None
        link = message.jump_url
        if isinstance(channel, discord.TextChannel):
            thread: Any = None
            try:
                thread = await message.create_thread(name=thread_name(question.text))
            except discord.HTTPException as exc:
                thread = await self._channel(str(message.id)) if exc.code == 160004 else None  # already has one
                if thread is None:
                    log.warning(
                        "cannot start a thread; replying in the channel",
                        extra={"channel": channel.id, "error": str(exc)},
                    )
                    reference = message
            if thread is not None:
                target, link = thread, thread.jump_url
        await self._send(target, render(reply), reference=reference)
        if reply.escalated:
            await self._alert(reply, question.text, question.asker, link, fallback=target)
        await self.bot.sent(question)

    async def _send(
        self,
        target: discord.abc.Messageable,
        parts: list[Part],
        *,
        reference: discord.Message | None = None,
    ) -> None:
        for part in parts:
            extra: dict[str, Any] = {"reference": reference} if reference else {}
            view = feedback_view(part.feedback, part.ask_anyway)
            if view is not None:
                extra["view"] = view
            await target.send(part.content, suppress_embeds=True, **extra)
            reference = None

    async def _apologise(self, channel: Any) -> None:
        try:
            await channel.send(messages.APOLOGY)
        except Exception:
            log.exception("could not even apologise", extra={"channel": getattr(channel, "id", None)})

    # --- live capture (adapters/discord_live.py): reactions, edits, deletions, forum tags

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._live(self.live.on_reaction, payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._live(self.live.on_reaction, payload)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self._live(self.live.on_change, payload.channel_id, payload.message_id)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._live(self.live.on_change, payload.channel_id, payload.message_id)

    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        await self._live(self.live.on_thread_update, payload)

    async def on_solved_this(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """ "This solved it" on a member's message (the context menu): the asker marks the answer."""
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        if self.bot.live is None:
            await interaction.followup.send(messages.LIVE_UNUSABLE, ephemeral=True)
            return
        try:
            text = await self.live.solved_this(self.bot.live, message, str(interaction.user.id))
        except Exception:
            log.exception("failed to mark a reply solved", extra={"message_id": message.id})
            text = messages.APOLOGY
        await interaction.followup.send(text, ephemeral=True)

    async def _live(self, handler: Callable[..., Awaitable[None]], *args: Any) -> None:
        """A failure is logged, never shown to anyone."""
        if self.bot.live is None:
            return
        try:
            await handler(self.bot.live, *args)
        except Exception:
            log.exception("live capture failed")

    # --- escalation

    async def _alert(
        self,
        reply: Reply,
        question: str,
        asker: str,
        link: str | None,
        *,
        fallback: discord.abc.Messageable | None,
    ) -> None:
        """Ping the superusers in the escalation channel (else where the question was asked)."""
        channel = await self._escalation_channel() or fallback
        if channel is None:
            log.error("an escalation has nowhere to be posted", extra={"escalation_id": reply.escalation_id})
            return
        if not is_known_private(channel):  # near misses (an urgent asker's answer) may be private entries the
            # asker could see: their titles only where Discord says few can read; an unknown channel counts as public
            reply = dataclasses.replace(reply, matches=[m for m in reply.matches if m.entry.visibility == "public"])
        parts, allowed = alert(
            reply,
            question=question,
            asker_id=asker,
            link=link,
            superusers=self.settings.superusers,
            role=self.settings.discord.superuser_role,
        )
        for n, part in enumerate(parts):
            mentions = allowed if n == 0 else discord.AllowedMentions.none()
            view = claim_view(reply.escalation_id) if n == len(parts) - 1 else None
            await channel.send(
                part, allowed_mentions=mentions, suppress_embeds=True, view=view or discord.utils.MISSING
            )

    async def _escalation_channel(self) -> discord.abc.Messageable | None:
        configured = self.settings.discord.escalation_channel
        if configured is None:
            return None
        channel = self.get_channel(int(configured))
        if channel is None:
            try:
                channel = await self.fetch_channel(int(configured))
            except discord.HTTPException:
                log.exception("discord.escalation_channel cannot be reached", extra={"channel": configured})
                return None
        if not isinstance(channel, discord.abc.Messageable):
            log.error(
                "discord.escalation_channel is not a channel messages can be sent to", extra={"channel": configured}
            )
            return None
        return channel

    # --- notices from the bot: ladder pings, updates to askers, announcements

    async def deliver(self, notices: Sequence[Notice]) -> None:
        await deliver_each(notices, self._deliver, log)

    async def _deliver(self, notice: Notice) -> None:
        if notice.kind in REWARD_KINDS:  # private messages, admin warnings, the club role: discord_rewards.py
            await deliver_reward(self, notice)
            return
        if notice.kind == "asker":
            if notice.platform not in (None, PLATFORM):
                return
            target = await self._channel(notice.thread) or await self._channel(notice.channel)
            if target is None:
                log.warning(
                    "the asker's thread is gone", extra={"escalation_id": notice.escalation_id, "thread": notice.thread}
                )
                return
            parts = [Part(chunk) for chunk in split_text(notice.text)]
            if notice.question_id is not None and parts:  # the asker can say it solved it
                parts[-1] = Part(parts[-1].content, notice.question_id)
            await self._send(target, parts)
            return
        channel = await self._escalation_channel()
        if notice.kind == "announce" and self.settings.discord.announce_channel:
            channel = await self._channel(self.settings.discord.announce_channel) or channel
        if channel is None and notice.escalation_id is not None:
            channel = await self._channel(notice.thread)  # the escalation's own thread
        if channel is None:
            log.warning("a notice has nowhere to go: set discord.escalation_channel", extra={"kind": notice.kind})
            return
        users: list[int] = []
        if notice.kind == "ping":
            users, _ = ping_targets([s.community_id for s in notice.superusers], notice.superusers, None)
        pings = " ".join(f"<@{u}>" for u in users)
        chunks = split_text(f"{pings}\n{notice.text}" if pings else notice.text)
        for n, chunk in enumerate(chunks):
            mentions = [discord.Object(u) for u in users] if n == 0 else []
            allowed = discord.AllowedMentions(everyone=False, users=mentions, roles=False, replied_user=False)
            last_ping = notice.kind == "ping" and n == len(chunks) - 1
            view = claim_view(notice.escalation_id) if last_ping else None
            await channel.send(
                chunk, allowed_mentions=allowed, suppress_embeds=True, view=view or discord.utils.MISSING
            )

    async def _channel(self, channel_id: str | None) -> Any:
        """A channel or thread by id: from the cache, else fetched; None when it is gone or not an id."""
        if not channel_id or not channel_id.isdigit():
            return None
        channel = self.get_channel(int(channel_id))
        if channel is None:
            try:
                channel = await self.fetch_channel(int(channel_id))
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    async def on_claim(self, interaction: discord.Interaction[Any], escalation_id: int) -> None:
        """ "Claim it" under an alert: exactly one superuser wins; the others are told who has it."""
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        try:
            reply = await self.bot.claim(escalation_id, PLATFORM, str(interaction.user.id))
        except Exception:
            log.exception("failed to claim an escalation", extra={"escalation_id": escalation_id})
            reply = Reply(Outcome.ERROR, messages.APOLOGY)
        await interaction.followup.send(reply.text, ephemeral=True)

    def _conversation(self, thread: str | None) -> Any:
        """The cached channel or thread a conversation continues in, if it is one."""
        return self.get_channel(int(thread)) if thread and thread.isdigit() else None

    # --- interactions

    async def on_command(self, interaction: discord.Interaction[Any], name: str, arguments: str) -> None:
        """`/peerbot NAME [arguments]`: the bot's chat command, answered privately."""
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        question = Question(
            text=f"/{name} {arguments}".strip(),
            asker=str(interaction.user.id),
            platform=PLATFORM,
            event_id=str(interaction.id),
            admin=self.is_admin(interaction),
            public=False,  # answered ephemerally: only the member who typed it reads the reply (`/peerbot me`)
        )
        reply = await self.bot.handle(question)
        if reply is not None:
            await interaction.followup.send(reply.text, ephemeral=True)
            await self.bot.sent(question)

    async def on_ask(self, interaction: discord.Interaction[Any], text: str) -> None:
        private = self.working.private_first(interaction.channel)
        anchor = await acknowledge(interaction, ephemeral=private)
        if anchor is None:
            return
        try:
            question = interaction_question(interaction, text, anchor)
            if private:  # discord_working.py: to the asker first, with "Show everyone"
                await self.working.answer_privately(self, interaction, question)
            else:
                await self._answer_interaction(interaction, question, anchor)
        except Exception:
            log.exception("failed to answer /ask", extra={"interaction_id": interaction.id})
            try:
                await interaction.edit_original_response(content=messages.APOLOGY, view=None)
            except discord.HTTPException:
                await ephemeral(interaction, messages.APOLOGY)

    async def _answer_interaction(self, interaction: discord.Interaction[Any], question: Question, anchor: int) -> None:
        reply = await self.bot.handle(question)
        if reply is None:
            await interaction.delete_original_response()
            return
        first, *rest = render(reply)
        await interaction.edit_original_response(
            content=first.content, view=feedback_view(first.feedback, first.ask_anyway)
        )
        channel = interaction.channel
        link = f"https://discord.com/channels/{interaction.guild_id or '@me'}/{interaction.channel_id}/{anchor}"
        target: discord.abc.Messageable | None = None
        if isinstance(channel, discord.TextChannel):
            try:
                target = await channel.get_partial_message(anchor).create_thread(name=thread_name(question.text))
            except discord.HTTPException:
                log.warning("cannot start a thread for /ask", extra={"channel": channel.id}, exc_info=True)
            else:
                link = target.jump_url
        if target is not None:
            await self._send(target, rest)
        else:
            for part in rest:
                view = feedback_view(part.feedback, part.ask_anyway)
                await interaction.followup.send(part.content, view=view or discord.utils.MISSING)
        if reply.escalated:
            fallback = target or (channel if isinstance(channel, discord.abc.Messageable) else None)
            await self._alert(reply, question.text, question.asker, link, fallback=fallback)
        await self.bot.sent(question)

    async def on_feedback(self, interaction: discord.Interaction[Any], verdict: Verdict, question_id: int) -> None:
        """A button under an answer: record it; "Ask a human" escalates and pings the superusers."""
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        try:
            user, admin = str(interaction.user.id), self.is_admin(interaction)
            reply = await self.bot.feedback(question_id, user, verdict, admin=admin)
            await interaction.followup.send(reply.text, ephemeral=True)
            row = reply.escalation  # the escalated question: where it was asked, by whom, what
            if reply.outcome is not Outcome.ESCALATE or row is None:
                return
            channel = self._conversation(row.thread) or interaction.channel
            target = channel if isinstance(channel, discord.abc.Messageable) else None
            if target is not None:  # tell the thread too: the superuser will answer there
                await target.send(reply.text)
            link = getattr(target, "jump_url", None) or (interaction.message.jump_url if interaction.message else None)
            await self._alert(reply, row.question, row.asker, link, fallback=target)
        except Exception:
            log.exception("failed to record feedback", extra={"question_id": question_id})
            await interaction.followup.send(messages.APOLOGY, ephemeral=True)
