"""`peerbot backfill slack --channel NAME [--since DATE]`: a channel's history through the Web API, as live capture
would have learned it (adapters/slack_live.py): solved threads become live threads in the state store.

Paginated (`conversations.history`, then `conversations.replies` for each thread), rate limits waited out
(429 Retry-After, slack_sdk's retry handler), resumable: after each page the cursor is saved in the state store
(`backfill_cursors`), so a run killed or stopped half-way goes on from the page after the last one saved; a thread
read twice is the same thread (keyed by channel and root message), so nothing is doubled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from peerbot.adapters.slack_live import PLATFORM, SlackLive
from peerbot.adapters.slack_lookup import SlackLookup, slack_error
from peerbot.bots.backfill import BackfillLedger, BackfillReport
from peerbot.bots.config import Settings
from peerbot.errors import AdapterError
from peerbot.faults import fault_point

PAGE = 100  # top-level messages per conversations.history page
API_URL_ENV = "PEERBOT_SLACK_API_URL"  # another Web API base URL (a proxy; the tests' fake Slack)


def web_client(token: str, base_url: str | None) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=base_url or AsyncWebClient.BASE_URL,
        retry_handlers=[AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=10)],
    )


async def resolve_channel(client: AsyncWebClient, name: str) -> str:
    """`#help`, `help` or an id -> the channel id (conversations.list, paginated)."""
    wanted = name.lstrip("#")
    cursor: str | None = None
    while True:
        page = await client.conversations_list(
            types="public_channel,private_channel", limit=200, cursor=cursor, exclude_archived=True
        )
        for channel in page.get("channels") or []:
            if wanted in (channel.get("name"), channel.get("id")):
                return str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            raise AdapterError(f"Slack has no channel {name!r} the bot can see (invite the bot, or pass its id)")


async def backfill_slack(
    client: AsyncWebClient,
    settings: Settings,
    ledger: BackfillLedger,
    channel_name: str,
    *,
    since: datetime | None = None,
    page_size: int = PAGE,
    on_progress: Callable[[int], None] = lambda messages: None,
) -> BackfillReport:
    started = time.monotonic()
    try:
        bot_user = (await client.auth_test()).get("user_id")
        channel = await resolve_channel(client, channel_name)
    except SlackApiError as exc:
        raise AdapterError(f"Slack refused the backfill ({slack_error(exc)}); check SLACK_BOT_TOKEN") from None
    saved = ledger.cursor(PLATFORM, channel)
    resumed = saved is not None and not saved.done and saved.cursor is not None
    cursor = saved.cursor if resumed and saved is not None else None
    total = saved.messages if resumed and saved is not None else 0
    report = BackfillReport(PLATFORM, channel, resumed)
    reader = SlackLive(client, settings.live, SlackLookup(client), [channel])
    oldest = f"{since.timestamp():.6f}" if since else None
    while True:
        page = await client.conversations_history(channel=channel, cursor=cursor, limit=page_size, oldest=oldest)
        for top in page.get("messages") or []:
            report.messages += 1
            if not top.get("reply_count"):
                continue
            messages = await reader.thread(channel, str(top["ts"]))
            report.threads += 1
            report.messages += max(0, len(messages) - 1)
            record = await reader.record(channel, messages, bot_user) if messages else None
            if record is not None:
                learned = ledger.learn(record, PLATFORM, channel)
                report.learned += learned.changed and learned.entry is not None
        report.pages += 1
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        total += len(page.get("messages") or [])
        ledger.save(PLATFORM, channel, cursor, done=cursor is None, messages=total)
        on_progress(report.messages)
        fault_point(f"backfill:page{report.pages}")
        if cursor is None:
            break
    report.seconds = time.monotonic() - started
    return report
