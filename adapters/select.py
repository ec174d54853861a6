"""Pick the chat adapters from the environment: Slack and/or Discord when their tokens are set, else the console."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

from peerbot.adapters.base import Adapter
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings


class Together:
    """Several adapters in one process, sharing one bot (and its one timer loop)."""

    def __init__(self, adapters: Sequence[Adapter]) -> None:
        self.adapters = list(adapters)
        self.name = " + ".join(a.name for a in adapters)

    async def run(self, bot: Bot) -> None:
        await asyncio.gather(*(adapter.run(bot) for adapter in self.adapters))


def choose_adapter(settings: Settings) -> Adapter:
    chosen: list[Adapter] = []
    if os.environ.get("SLACK_BOT_TOKEN"):
        from peerbot.adapters.slack import SlackAdapter

        chosen.append(SlackAdapter.from_env(settings))
    if os.environ.get("DISCORD_TOKEN"):
        from peerbot.adapters.discord import DiscordAdapter

        chosen.append(DiscordAdapter.from_env(settings))
    if not chosen:
        from peerbot.adapters.console import ConsoleAdapter

        return ConsoleAdapter()
    return chosen[0] if len(chosen) == 1 else Together(chosen)
