"""What the Slack adapter asks the Web API besides posting: permalinks, names, a DM asker's private channels.

Every look-up degrades instead of failing: no link, the raw user id, or no private channels (public entries only).
"""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

MEMBERSHIP_TTL_S = 60.0  # how long a DM asker's private-channel list is reused
MEMBERSHIP_PAGES = 5  # at most 1,000 private channels looked at per asker


def slack_error(exc: BaseException) -> str:
    """Slack's error code (`not_in_channel`), or the kind of failure; never the request, which holds the token."""
    if isinstance(exc, SlackApiError):
        data = exc.response.data
        return str(data.get("error")) if isinstance(data, dict) else f"HTTP {exc.response.status_code}"
    return type(exc).__name__


class SlackLookup:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._names: dict[str, str] = {}
        self._memberships: dict[str, tuple[float, frozenset[str]]] = {}

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

    async def display_name(self, user: str) -> str:
        """A person's name for superusers to read (a name, not a mention: the asker is not pinged)."""
        if user not in self._names:
            try:
                found = await self.client.users_info(user=user)
            except Exception as exc:
                log.warning("cannot look up a user's name", extra={"user": user, "error": slack_error(exc)})
                return user
            info = found.get("user") or {}
            profile = info.get("profile") or {}
            self._names[user] = profile.get("display_name") or profile.get("real_name") or info.get("name") or user
        return self._names[user]

    async def private_channels(self, user: str) -> frozenset[str]:
        """The private channels a DM asker shares with the bot (with a bot token Slack lists only those)."""
        cached = self._memberships.get(user)
        if cached and time.monotonic() - cached[0] < MEMBERSHIP_TTL_S:
            return cached[1]
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
        self._memberships[user] = (time.monotonic(), found)
        return found
