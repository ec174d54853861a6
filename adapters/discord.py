"""The Discord adapter: /ask, @mentions and help channels in; threaded answers, buttons and superuser pings out.

`discord_parse` turns Discord objects into Questions, `discord_render` turns Replies into messages,
`discord_client.PeerbotClient` wires them to discord.py, and DiscordAdapter runs the client for `peerbot run`.
Deciding stays in bots/.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from peerbot.errors import AdapterError

try:
    import aiohttp
    import discord
    import yarl
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
    raise AdapterError("the Discord adapter needs discord.py: pip install 'peerbot[discord]'") from exc

from peerbot.adapters.discord_client import PeerbotClient
from peerbot.adapters.discord_parse import check_settings, interaction_question, is_public, to_question
from peerbot.adapters.discord_shards import make_client
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.notices import Notice
from peerbot.bots.secrets import require_env

__all__ = ["DiscordAdapter", "PeerbotClient", "interaction_question", "is_public", "to_question"]

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_TOKEN"
MISSING_INTENT_LOG = (
    "Discord refused the Message Content intent (close code 4014). Enable it in the Developer Portal: "
    "your application > Bot > Privileged Gateway Intents > Message Content Intent. Reconnecting without it: "
    "/ask and @mentions keep working; plain messages in help channels and superusers' replies in threads "
    "cannot be read until it is enabled."
)


@contextmanager
def _endpoints(api_base: str | None, gateway_url: str | None) -> Iterator[None]:
    """Point discord.py at another REST base / gateway (tests: a fake Discord on loopback), then restore."""
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = route, gateway


class DiscordAdapter:
    name = "discord"

    def __init__(
        self,
        settings: Settings,
        token: str,
        *,
        api_base: str | None = None,
        gateway_url: str | None = None,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        if not token.strip():
            raise AdapterError(f"the Discord adapter needs a bot token in {TOKEN_ENV}")
        if guild_ready_timeout < 0:
            raise ValueError(f"guild_ready_timeout must be at least 0, got {guild_ready_timeout}")
        check_settings(settings)
        self.settings = settings
        self.token = token.strip()
        self.api_base = api_base
        self.gateway_url = gateway_url
        self.guild_ready_timeout = guild_ready_timeout
        self.client: PeerbotClient | None = None
        self._stopping = False

    @classmethod
    def from_env(cls, settings: Settings) -> DiscordAdapter:
        return cls(settings, require_env(TOKEN_ENV, purpose="the Discord adapter")[TOKEN_ENV])

    @staticmethod
    def intents(message_content: bool = True) -> discord.Intents:
        """Guilds (channels, threads, roles), guild and DM messages, and the privileged Message Content."""
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        intents.guild_reactions = True  # live capture: solved and kudos reactions
        intents.message_content = message_content
        return intents

    async def deliver(self, notices: Sequence[Notice]) -> None:
        """The Notifier seam: deliver through the connected client (waiting for it after a reconnect)."""
        try:
            client = await asyncio.wait_for(self.wait_until_ready(), timeout=60)
        except TimeoutError:
            log.error("Discord is not connected: notices could not be delivered", extra={"notices": len(notices)})
            return
        await client.deliver(notices)

    async def serve(self, bot: Bot) -> None:
        """Serve until close() or cancelled. Without the Message Content intent (close code 4014), reconnect
        without it and keep serving."""
        intents = self.intents()
        with _endpoints(self.api_base, self.gateway_url):
            while not self._stopping:
                client = make_client(bot, self.settings, intents=intents, guild_ready_timeout=self.guild_ready_timeout)
                self.client = client
                try:
                    async with client:
                        await client.start(self.token)
                    return
                except discord.PrivilegedIntentsRequired:
                    if not intents.message_content:
                        raise AdapterError("Discord refused the bot's intents (close code 4014)") from None
                    log.error(MISSING_INTENT_LOG)
                    intents = self.intents(message_content=False)
                except (aiohttp.ClientError, OSError) as exc:
                    raise AdapterError(f"cannot reach Discord ({exc}); check the network and retry") from exc
                except discord.LoginFailure:
                    raise AdapterError(
                        f"Discord rejected the token in {TOKEN_ENV}: copy it again from the Developer Portal "
                        "(your application > Bot > Reset Token)"
                    ) from None

    async def wait_until_ready(self) -> PeerbotClient:
        """The connected client, once READY and the servers have arrived."""
        while True:
            client = self.client
            if client is not None and client.is_ready() and not client.is_closed():
                return client
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        self._stopping = True
        if self.client is not None:
            await self.client.close()
