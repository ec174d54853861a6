"""Channel and member names on the dashboard (issue #18, point 2), through the real discord.py client against the
fake Discord: the names come from discord.py's cache (the guild's channels, the message's member), no request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import StateStore
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import GENERAL, HELP, PRIVATE_THREAD, open_world
from tests.dashboard.conftest import TOKEN, log_in

ZOE = {**p.user("1200000000000000109", "zoe"), "global_name": "Zoë @everyone Quinn"}


def span(id_: str, label: str) -> str:
    return f'<span class="named" title="{id_}">{label}</span>'


async def test_questions_show_discord_channel_and_member_names_in_the_dashboard(tmp_path: Path) -> None:
    async with open_world(tmp_path) as world:
        asked = await world.say(HELP, ZOE, "How do I factory reset a bulb?")
        await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))  # answered in a thread
        payload = await world.ask("my hub keeps dropping off wifi every night", who=ZOE, channel_id=GENERAL)
        await world.answered(payload)
        await world.say(PRIVATE_THREAD, ZOE, "what is the door code", mention=True)
        await world.fake.wait_for(lambda: world.fake.in_channel(PRIVATE_THREAD))
        await world.fake.quiet()
        store = StateStore(world.settings.state_url)
        try:
            data = DashboardData(world.settings, wiring.open_embedder(world.settings), store)
            web = TestClient(create_app(data, TokenAuth(TOKEN)), follow_redirects=False)
            log_in(web)
            log = web.get("/log").text
            assert log.count(span(ZOE["id"], "Zoë @everyone Quinn")) == 3
            assert span(HELP, "#help") in log and span(GENERAL, "#general") in log
            assert span(PRIVATE_THREAD, "#lab access") in log  # a private thread is its own channel
            assert "Conversations: 1 question" in web.get("/log", params={"channel": "general"}).text
            assert "Conversations: 3 questions" in web.get("/log", params={"asker": "zoë @everyone quinn"}).text
        finally:
            store.close()
