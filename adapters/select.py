"""Pick the chat adapters from the environment: Slack and/or Discord when their tokens are set, else the console."""

from __future__ import annotations

import os

from peerbot.bots.config import Settings
from peerbot.bots.runtime import Adapter, Together


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
