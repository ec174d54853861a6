"""The weekly digest on Discord, end to end: the real discord.py client against the fake Discord; at the posting
time the timer round's digest lands in the admins' channel (here the escalation channel: no admin_channel set)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.adapters.fake_discord import ESCALATIONS, open_world

MONDAY = datetime(2026, 11, 30, 9, 0, 10)


async def test_the_digest_goes_to_the_admins_channel_and_pings_nobody(tmp_path: Path) -> None:
    extra = {"dashboard": {"digest": "monday 09:00", "public_url": "https://peerbot.example"}}
    async with open_world(tmp_path, settings_extra=extra, clock=lambda: MONDAY) as world:  # timer rounds at 09:00:10
        await world.bot.tick()
        await world.fake.quiet()
        (sent,) = [s for s in world.fake.in_channel(ESCALATIONS) if "Weekly digest" in s.content]
        print(f"\nAs sent to the fake Discord: {sent.body}")
        assert sent.content.startswith("Weekly digest for Lumo Community: Mon Nov 23 – Sun Nov 29")
        assert "• Questions deflected by peer answers: 0 of 0 (–); the week before 0 of 0 (–)" in sent.content
        assert sent.content.endswith("\nDashboard: https://peerbot.example/roi")
        assert sent.body["allowed_mentions"] == {"parse": []}
        await world.bot.tick()
        await world.fake.quiet()
        assert len([s for s in world.fake.in_channel(ESCALATIONS) if "Weekly digest" in s.content]) == 1
