"""Discord objects as Questions: which messages are questions, where the answer goes, who may read it."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import discord

from peerbot.bots.config import Settings
from peerbot.bots.conversation import Question
from peerbot.errors import ConfigError

PLATFORM = "discord"
_QUESTION_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def is_known_private(channel: Any) -> bool:
    """Discord says only some members can read it: a DM or group DM, a private thread, or a channel (a thread:
    its parent) whose overwrites deny @everyone VIEW_CHANNEL. When the adapter cannot tell, False: for what is
    posted there (private entries' titles) an unknown channel counts as public."""
    if isinstance(channel, discord.DMChannel | discord.GroupChannel):
        return True
    if isinstance(channel, discord.Thread):
        if channel.is_private():
            return True
        channel = channel.parent
    if not isinstance(channel, discord.abc.GuildChannel):
        return False  # a parent or channel it could not fetch
    try:
        return not channel.permissions_for(channel.guild.default_role).view_channel
    except (AttributeError, TypeError):  # a partial guild without its roles
        return False


def is_public(channel: Any) -> bool:
    """Anyone in the server can read it, as Discord says: not a DM or group DM, not a private thread, and
    @everyone may view the channel (a thread: its parent) after its permission overwrites. When the adapter
    cannot tell (a channel or parent it could not fetch), private: that only narrows what may be shown."""
    if isinstance(channel, discord.Thread):
        if channel.is_private():
            return False
        channel = channel.parent
    if not isinstance(channel, discord.abc.GuildChannel):
        return False  # DMs, group DMs, unknown channels and parents
    try:
        return bool(channel.permissions_for(channel.guild.default_role).view_channel)
    except (AttributeError, TypeError):  # a partial guild without its roles
        return False


def _place(channel: Any, anchor: int) -> dict[str, Any]:
    """Question fields for something said in `channel`; `anchor` is the message a new thread would start from.

    A private thread is its own conversation: its id is the question's channel, so what is captured there is
    never served in the (maybe public) channel it hangs off."""
    public = is_public(channel)
    if isinstance(channel, discord.Thread) and channel.is_private():
        where = thread = str(channel.id)
    elif isinstance(channel, discord.Thread):
        where, thread = str(channel.parent_id), str(channel.id)
    elif isinstance(channel, discord.DMChannel | discord.GroupChannel):
        where = thread = str(channel.id)
    else:  # a guild channel: the answer goes in a thread started from the anchor message (same id)
        where, thread = str(channel.id), str(anchor)
    private = frozenset() if public or isinstance(channel, discord.DMChannel) else frozenset({where})
    return {
        "channel": where,
        "thread": thread,
        "public": public,
        "private_channels": private,
        "channel_name": channel_name(channel),
    }


def channel_name(channel: Any) -> str | None:
    """The name of the question's channel from discord.py's cache (no request): a guild channel's, a public
    thread's parent's (the question's channel is the parent), a private thread's own; none for DMs."""
    if isinstance(channel, discord.Thread) and not channel.is_private():
        channel = channel.parent
    if isinstance(channel, discord.DMChannel | discord.GroupChannel):
        return None
    name = getattr(channel, "name", None)
    return str(name) if name else None


def _mention(me_id: int) -> re.Pattern[str]:
    return re.compile(rf"<@!?{me_id}>")


def from_bot(message: discord.Message) -> bool:
    """A bot's or a webhook's message (a webhook takes any name, and its author need not say it is a bot)."""
    return message.author.bot or message.webhook_id is not None


def to_question(message: discord.Message, channel: Any, me_id: int, help_channels: Collection[int]) -> Question | None:
    """A message as a question: a DM, an @mention, a new message in a help channel, or a new help-forum post."""
    if from_bot(message) or message.type not in _QUESTION_TYPES:
        return None
    mention = _mention(me_id)
    mentioned = bool(mention.search(message.content))
    text = mention.sub(" ", message.content).strip()
    if isinstance(channel, discord.Thread):
        forum_post = message.id == channel.id and channel.parent_id in help_channels
        if forum_post:
            text = f"{channel.name}\n{text}".strip()
        elif not mentioned:
            return None
    elif message.guild is not None and not mentioned and not (channel.id in help_channels and text):
        return None  # an empty text here means the Message Content intent is off: not a question we can read
    return Question(
        text=text,
        asker=str(message.author.id),
        platform=PLATFORM,
        asker_name=message.author.display_name,
        event_id=str(message.id),
        **_place(channel, message.id),
    )


def thread_reply(message: discord.Message, channel: Any) -> Question | None:
    """A person's message in a thread that is no question by itself: maybe the asker following up on the bot's
    answer there (the bot decides: Bot.is_follow_up)."""
    if from_bot(message) or message.type not in _QUESTION_TYPES or not isinstance(channel, discord.Thread):
        return None
    return Question(
        text=message.content.strip(),
        asker=str(message.author.id),
        platform=PLATFORM,
        asker_name=message.author.display_name,
        event_id=str(message.id),
        **_place(channel, message.id),
    )


def interaction_question(interaction: discord.Interaction[Any], text: str, anchor: int) -> Question:
    """/ask as a question; `anchor` is the id of the interaction's response message."""
    return Question(
        text=text,
        asker=str(interaction.user.id),
        platform=PLATFORM,
        asker_name=interaction.user.display_name,
        event_id=str(interaction.id),
        **_place(interaction.channel or discord.Object(interaction.channel_id or 0), anchor),
    )


def snowflakes(values: Collection[str], key: str) -> list[int]:
    bad = [v for v in values if not str(v).isdigit()]
    if bad:
        raise ConfigError(f"{key}: Discord ids are numbers (Developer Mode > Copy ID), got {', '.join(map(repr, bad))}")
    return [int(v) for v in values]


def check_settings(settings: Settings) -> None:
    """Every Discord id in config.toml is a number: fail at start, not at the first escalation."""
    d = settings.discord
    snowflakes(d.help_channels, "discord.help_channels")
    snowflakes([d.escalation_channel] if d.escalation_channel else [], "discord.escalation_channel")
    snowflakes([d.superuser_role] if d.superuser_role else [], "discord.superuser_role")
    snowflakes(d.admins, "discord.admins")
    snowflakes([s.discord_id for s in settings.superusers if s.discord_id], "superusers.discord_id")
