"""`peerbot backfill discord --channel ID`: a text or forum channel's threads through the REST API (no gateway),
as live capture would have learned them (adapters/discord_live.py): solved threads become live threads.

The channel's active threads first, then its archived public threads, newest archived first, in pages of
`PAGE`; after each page the archive timestamp reached is saved in the state store (`backfill_cursors`), so a run
killed half-way goes on from there. A thread read twice is stored once (keyed by its id). discord.py waits out
429 rate limits (Retry-After).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import discord

from peerbot.adapters.discord import _endpoints
from peerbot.adapters.discord_live import NOT_SERVED, PLATFORM, DiscordLive
from peerbot.bots.backfill import BackfillLedger, BackfillReport
from peerbot.bots.config import Settings
from peerbot.errors import AdapterError
from peerbot.faults import fault_point

PAGE = 25  # threads per saved cursor
API_URL_ENV = "PEERBOT_DISCORD_API_URL"  # another REST base URL (the tests' fake Discord)


def everyone_may_view(channel: discord.abc.GuildChannel) -> bool:
    """Without the gateway's cache the guild's roles are unknown: public unless the channel's overwrites deny
    @everyone (whose role id is the guild's id) View Channel."""
    return channel.overwrites_for(discord.Object(id=channel.guild.id)).view_channel is not False


async def backfill_discord(
    settings: Settings,
    ledger: BackfillLedger,
    channel_id: int,
    *,
    token: str,
    api_base: str | None = None,
    page_size: int = PAGE,
    on_progress: Callable[[int], None] = lambda messages: None,
) -> BackfillReport:
    started = time.monotonic()
    client = discord.Client(intents=discord.Intents.none())
    with _endpoints(api_base, None):
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise AdapterError("Discord refused DISCORD_TOKEN; check the bot token") from None
        try:
            return await _backfill(client, settings, ledger, channel_id, page_size, on_progress, started)
        finally:
            await client.close()


async def _backfill(
    client: discord.Client,
    settings: Settings,
    ledger: BackfillLedger,
    channel_id: int,
    page_size: int,
    on_progress: Callable[[int], None],
    started: float,
) -> BackfillReport:
    try:
        channel = await client.fetch_channel(channel_id)
    except discord.HTTPException as exc:
        raise AdapterError(f"Discord channel {channel_id} cannot be read by the bot ({exc.text or exc})") from None
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
        raise AdapterError(f"Discord channel {channel_id} is not a text or forum channel")
    key = str(channel_id)
    saved = ledger.cursor(PLATFORM, key)
    resumed = saved is not None and not saved.done and saved.cursor is not None
    before = datetime.fromisoformat(saved.cursor) if resumed and saved and saved.cursor else None
    report = BackfillReport(PLATFORM, key, resumed)
    total = saved.messages if resumed and saved else 0
    reader = DiscordLive(client, settings.live, [channel_id])
    public = everyone_may_view(channel)

    async def learn(thread: discord.Thread) -> None:
        nonlocal total
        record = await reader.read(thread, channel, public=public, marked_at=None, served=True)
        report.threads += 1
        if record is not None and record is not NOT_SERVED:
            report.messages += 1 + len(record.replies)
            learned = ledger.learn(record, PLATFORM, record.channel or str(thread.id))
            report.learned += learned.changed and learned.entry is not None

    if not resumed:
        for thread in await channel.guild.active_threads():
            if thread.parent_id == channel_id:
                await learn(thread)
    page: list[discord.Thread] = []
    async for thread in channel.archived_threads(limit=None, before=before):
        await learn(thread)
        page.append(thread)
        if len(page) == page_size:
            total += len(page)
            cursor = page[-1].archive_timestamp.isoformat()
            ledger.save(PLATFORM, key, cursor, done=False, messages=total)
            report.pages += 1
            on_progress(report.messages)
            fault_point(f"backfill:page{report.pages}")
            page = []
    report.pages += 1
    ledger.save(PLATFORM, key, None, done=True, messages=total + len(page))
    on_progress(report.messages)
    report.seconds = time.monotonic() - started
    return report
