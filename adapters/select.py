"""Pick the chat adapter from the environment: Slack or Discord when their tokens are set, else the console."""

from __future__ import annotations

import os

from adapters.base import Adapter
from bots.config import Settings


def choose_adapter(settings: Settings) -> Adapter:
    if os.environ.get("SLACK_BOT_TOKEN"):
        from adapters.slack import SlackAdapter

        return SlackAdapter.from_env(settings)
    if os.environ.get("DISCORD_TOKEN"):
        from adapters.discord import DiscordAdapter

        return DiscordAdapter.from_env(settings)
    from adapters.console import ConsoleAdapter

    return ConsoleAdapter()
