"""Sharding: with `[discord] shard_count`, each process runs the shards in `shard_ids` (discord.py's own
AutoShardedClient), so N processes split the servers. Discord sends each server's events to exactly one shard
(`(guild_id >> 22) % shard_count`) and direct messages to shard 0."""

from __future__ import annotations

import logging

import discord

from peerbot.adapters.discord_client import PeerbotClient
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings

log = logging.getLogger(__name__)


class ShardedPeerbotClient(PeerbotClient, discord.AutoShardedClient):
    """PeerbotClient over the shards this process runs; everything else is the same client."""


def make_client(bot: Bot, settings: Settings, *, intents: discord.Intents, guild_ready_timeout: float) -> PeerbotClient:
    """The plain client (Discord assigns one shard) unless config.toml names the shards."""
    count = settings.discord.shard_count
    if count is None:
        return PeerbotClient(bot, settings, intents=intents, guild_ready_timeout=guild_ready_timeout)
    shard_ids = list(settings.discord.shard_ids) or list(range(count))
    log.info("running Discord shards", extra={"shard_ids": shard_ids, "shard_count": count})
    return ShardedPeerbotClient(
        bot,
        settings,
        intents=intents,
        guild_ready_timeout=guild_ready_timeout,
        shard_count=count,
        shard_ids=shard_ids,
    )
