"""Discord sharding across processes: two `peerbot` processes, each running one shard of the same bot
([discord] shard_count = 2, shard_ids = [0] / [1]) against the fake Discord's sharded gateway; each answers the
questions of its own server only, and each question is answered once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.config import load_settings
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, WORLD_COMMUNITY
from tests.adapters.fake_discord_shards import ShardedFakeDiscord, shard_of
from tests.factories import write_jsonl

SERVERS = {"1500000000000000001": 0, "1500000000004194305": 1}  # server id -> its shard of 2
HELP = {"1500000000000000001": "1500000000000000011", "1500000000004194305": "1500000000004194311"}
QUESTION = "How do I pair a Zigbee remote with the bridge"
ANSWER_WORDS = "pairing button"

CONFIG = """
[index]
path = "index"
model = "hashing-256"

[[sources]]
name = "forum"
type = "jsonl"
path = "community.jsonl"

[state]
url = "sqlite:///state.db"

[discord]
help_channels = {help}
shard_count = 2
shard_ids = [{shard}]
"""

# one shard's process: the real wiring and the real Discord adapter, pointed at the fake Discord
CHILD = """
import asyncio, sys
from pathlib import Path
from peerbot.adapters.discord import DiscordAdapter
from peerbot.bots import app as wiring
from peerbot.bots.config import load_settings
from peerbot.bots.runtime import serve

async def main(config, api_base, gateway_url, token):
    settings = load_settings(Path(config))
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)
    adapter = DiscordAdapter(settings, token, api_base=api_base, gateway_url=gateway_url, guild_ready_timeout=0.1)
    serving = asyncio.create_task(serve(bot, adapter))
    await adapter.wait_until_ready()
    print("ready", flush=True)
    await serving

asyncio.run(main(*sys.argv[1:]))
"""


def server(guild_id: str) -> p.JSON:
    return p.guild(
        guild_id,
        owner_id=ALICE["id"],
        channels=[p.text_channel(HELP[guild_id], guild_id, "help")],
        members=[p.member(ALICE)],
        roles=[],
        threads=[],
    )


@pytest.fixture
async def fake() -> AsyncIterator[ShardedFakeDiscord]:
    discord = await ShardedFakeDiscord(guilds=[server(g) for g in SERVERS]).start()
    yield discord
    await discord.stop()


async def start_shard(root: Path, shard: int, fake: ShardedFakeDiscord) -> asyncio.subprocess.Process:
    config = root / f"shard-{shard}.toml"
    config.write_text(CONFIG.format(help=list(HELP.values()), shard=shard).replace("'", '"'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "PEERBOT_CONFIG")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(config),
        fake.api_base,
        fake.gateway_url,
        f"token-of-process-{shard}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
    if line.strip() != b"ready":
        _, err = await process.communicate()
        raise AssertionError(f"shard {shard} did not connect: {err.decode()[-2000:]}")
    return process


async def test_two_processes_each_answer_their_own_shards_servers(tmp_path: Path, fake: ShardedFakeDiscord) -> None:
    assert {g: shard_of(g, 2) for g in SERVERS} == SERVERS
    write_jsonl(tmp_path / "community.jsonl", WORLD_COMMUNITY)
    (tmp_path / "shard-0.toml").write_text(CONFIG.format(help="[]", shard=0), encoding="utf-8")
    settings = load_settings(tmp_path / "shard-0.toml")
    wiring.reindex(settings, wiring.open_embedder(settings))

    processes = [await start_shard(tmp_path, shard, fake) for shard in (0, 1)]
    try:
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        for guild_id in SERVERS:
            await fake.dispatch("MESSAGE_CREATE", p.message(HELP[guild_id], ALICE, QUESTION, guild_id=guild_id))

        def answers() -> dict[str, int]:  # server -> the answer's first parts posted there
            firsts = [s for s in fake.sent if s.content.startswith("Here's what the community says")]
            return {g: sum(fake.channels[s.channel_id]["guild_id"] == g for s in firsts) for g in SERVERS}

        await fake.wait_for(lambda: all(answers().values()), timeout=60)
        await fake.quiet(settle=0.5)
        assert answers() == dict.fromkeys(SERVERS, 1), "each server's question is answered exactly once"
        assert any(ANSWER_WORDS in s.content for s in fake.sent)
        by_process = {guild: {auth for auth, g in fake.posts if g == guild} for guild in SERVERS}
        assert by_process == {g: {f"Bot token-of-process-{shard}"} for g, shard in SERVERS.items()}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=30)
