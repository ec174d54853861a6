"""The Adapter seam: a chat platform on one side, the bot on the other."""

from __future__ import annotations

from typing import Protocol

from peerbot.bots.bot import Bot


class Adapter(Protocol):
    """Turns platform payloads into Questions and Replies into platform messages; decides nothing."""

    name: str

    async def run(self, bot: Bot) -> None: ...
