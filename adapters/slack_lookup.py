"""What the Slack adapter asks the Web API besides posting: whether a conversation is public, permalinks, names,
a DM asker's private channels.

Every look-up degrades instead of failing, towards privacy: a conversation Slack cannot describe counts as private,
and otherwise no link, the raw user id, or no private channels (public entries only).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

MEMBERSHIP_TTL_S = 60.0  # how long a DM asker's private-channel list is reused
MEMBERSHIP_PAGES = 5  # at most 1,000 private channels looked at per asker
NAME_TTL_S = 3600.0  # how long a person's display name is reused
VISIBILITY_TTL_S = 300.0  # how long what conversations.info said about a conversation is reused
CACHE_SIZE = 10_000  # conversations (or askers) remembered at most; the least recently used go first
PRIVATE_CHANNEL_TYPES = frozenset({"im", "mpim", "group"})  # an event's channel_type that already says private

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """A bounded least-recently-used cache whose values expire ttl seconds after they were stored."""

    def __init__(self, ttl: float, size: int = CACHE_SIZE, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl <= 0 or size < 1:
            raise ValueError(f"ttl and size must be positive, got ttl={ttl}, size={size}")
        self.ttl, self.size, self.clock = ttl, size, clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is None:
            return None
        if self.clock() - found[0] >= self.ttl:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return found[1]

    def put(self, key: K, value: V) -> None:
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def slack_error(exc: BaseException) -> str:
    """Slack's error code (`not_in_channel`), or the kind of failure; never the request, which holds the token."""
    if isinstance(exc, SlackApiError):
        data = exc.response.data
        return str(data.get("error")) if isinstance(data, dict) else f"HTTP {exc.response.status_code}"
    return type(exc).__name__


class SlackLookup:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._names: TtlCache[str, str] = TtlCache(NAME_TTL_S)
        self._memberships: TtlCache[str, frozenset[str]] = TtlCache(MEMBERSHIP_TTL_S)
        self._public: TtlCache[str, bool] = TtlCache(VISIBILITY_TTL_S)
        self._channel_names: TtlCache[str, str] = TtlCache(VISIBILITY_TTL_S)  # from the same conversations.info
        self._asking: dict[str, asyncio.Future[bool]] = {}

    async def is_public(self, channel: str, channel_type: str | None = None) -> bool:
        """Whether everyone in the workspace can read the conversation, as Slack says (`conversations.info`), never
        guessed from the id: private channels made since 2021 have C ids like public ones. A `channel_type` of im,
        mpim or group on the event already says private. When Slack cannot say (missing scope, not found, an
        error), private: that only narrows what may be shown, and a captured answer stays in its channel."""
        if not channel or channel_type in PRIVATE_CHANNEL_TYPES:
            return False
        cached = self._public.get(channel)
        if cached is not None:
            return cached
        pending = self._asking.get(channel)
        if pending is None:  # questions arriving together in one conversation share one look-up
            pending = self._asking[channel] = asyncio.ensure_future(self._ask_public(channel))
            pending.add_done_callback(lambda _: self._asking.pop(channel, None))
        return await asyncio.shield(pending)

    async def known_private(self, channel: str) -> bool:
        """Slack said the conversation is private (a private channel, a DM, a group DM). When Slack cannot say,
        False: for what peerbot posts there (a private entry's title) an unknown conversation counts as public."""
        if await self.is_public(channel):
            return False
        return self._public.get(channel) is False  # cached only when Slack answered

    async def _ask_public(self, channel: str) -> bool:
        try:
            found = await self.client.conversations_info(channel=channel)
        except Exception as exc:
            log.warning(
                "cannot tell whether a conversation is public; treating it as private",
                extra={"channel": channel, "error": slack_error(exc)},
            )
            return False
        info = found.get("channel")
        info = info if isinstance(info, dict) else {}
        public = info.get("is_private") is False and not info.get("is_im") and not info.get("is_mpim")
        self._public.put(channel, public)
        if info.get("name"):
            self._channel_names.put(channel, str(info["name"]))
        return public

    async def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message, for superusers; none for DMs, which they could not open."""
        if not channel or not ts or channel.startswith("D"):
            return None
        try:
            found = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except Exception as exc:
            log.warning("no permalink for an escalation", extra={"channel": channel, "error": slack_error(exc)})
            return None
        return str(found.get("permalink") or "") or None

    def channel_name(self, channel: str) -> str | None:
        """The conversation's name, as the last `conversations.info` for `is_public` said (no call of its own)."""
        return self._channel_names.get(channel)

    async def display_name(self, user: str) -> str:
        """A person's name for superusers to read (a name, not a mention: the asker is not pinged)."""
        return await self.user_name(user) or user

    async def user_name(self, user: str) -> str | None:
        """A person's name from `users.info` (cached NAME_TTL_S); None when Slack cannot say."""
        name = self._names.get(user)
        if name is None:
            try:
                found = await self.client.users_info(user=user)
            except Exception as exc:
                log.warning("cannot look up a user's name", extra={"user": user, "error": slack_error(exc)})
                return None
            info = found.get("user") or {}
            profile = info.get("profile") or {}
            name = str(profile.get("display_name") or profile.get("real_name") or info.get("name") or "") or None
            if name is None:
                return None
            self._names.put(user, name)
        return name

    async def private_channels(self, user: str) -> frozenset[str]:
        """The private channels a DM asker shares with the bot (with a bot token Slack lists only those)."""
        cached = self._memberships.get(user)
        if cached is not None:
            return cached
        channels: set[str] = set()
        cursor: str | None = None
        try:
            for _ in range(MEMBERSHIP_PAGES):
                page = await self.client.users_conversations(
                    user=user, types="private_channel", exclude_archived=True, limit=200, cursor=cursor
                )
                channels.update(str(c["id"]) for c in page.get("channels") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except Exception as exc:
            log.warning("cannot list a DM asker's private channels", extra={"user": user, "error": slack_error(exc)})
            return frozenset()
        found = frozenset(channels)
        self._memberships.put(user, found)
        return found
