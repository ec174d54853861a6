"""`peerbot backfill discord --channel ID`: a forum's active and archived posts through the REST API of a fake
Discord, paginated, with a rate limit on the way, and a real `peerbot` process killed half-way that the next run
resumes without doubling anything."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peerbot.adapters.discord_backfill import backfill_discord
from peerbot.bots.backfill import BackfillLedger
from peerbot.bots.state import StateStore
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import ALICE, FORUM, world_guild
from tests.adapters.fake_discord_history import HistoryDiscord
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG

BOB = p.user("1200000000000000110", "bob")
HOOKBOT = p.user("1200000000000000111", "helperbot", bot=True)


def seed(fake: HistoryDiscord, posts: int) -> set[str]:
    """Forum posts (the last two still active), every third marked solved by the asker's check mark, every fourth
    by the Solved tag; the ids of the solved ones."""
    solved = set()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(posts):
        archived = (start + timedelta(hours=n)).isoformat() if n < posts - 2 else None
        post, (bot_reply, answer) = fake.seed_post(
            f"Gadget {n} will not pair with the bridge",
            ALICE,
            f"Gadget {n} blinks red when I add it.",
            [
                (HOOKBOT, "Have you tried turning it off and on?"),
                (BOB, f"Press the bridge button twice for gadget {n}."),
            ],
            archived_at=archived,
        )
        fake.mark(post, bot_reply, ALICE, "✅")  # a bot's message never becomes the answer
        if n % 3 == 0:
            fake.mark(post, answer, ALICE, "✅")
            solved.add(post)
        elif n % 4 == 0:
            fake.channels[post]["applied_tags"] = ["1200000000000000300"]
            solved.add(post)
    return solved


async def test_backfill_reads_active_and_archived_posts_through_a_rate_limit(tmp_path: Path) -> None:
    fake = await HistoryDiscord(guilds=[world_guild()]).start()
    solved = seed(fake, 23)
    fake.rate_limit("GET", r"/threads/archived/public", times=1)
    settings = make_settings(tmp_path)
    store = StateStore(settings.state_url)
    try:
        report = await backfill_discord(
            settings, BackfillLedger(settings, store), int(FORUM), token="t", api_base=fake.api_base, page_size=5
        )
    finally:
        await fake.stop()
    assert report.threads == 23 and report.pages == 5
    assert {t.key for t in store.live_threads()} == {f"discord:{post}" for post in solved}
    tagged = next(t for t in store.live_threads() if "1200000000000000300" in str(fake.channels[t.key[8:]]))
    (answer,) = [r for r in tagged.record["replies"] if r["accepted"]]
    assert answer["author"] == "bob" and "the Solved tag" in answer["provenance"]
    assert all(r["author"] != "helperbot" for t in store.live_threads() for r in t.record["replies"])
    assert [r for r in fake.requests if "archived" in r[1]]  # paged through the archive
    cursor = store.backfill_cursor("discord", FORUM)
    assert cursor is not None and cursor.done
    store.close()


async def peerbot(root: Path, fake: HistoryDiscord, *args: str, fault: str | None = None) -> tuple[int, str]:
    env = {**os.environ, "DISCORD_TOKEN": "t", "PEERBOT_DISCORD_API_URL": fake.api_base}
    env.pop("PEERBOT_FAULT", None)
    if fault:
        env["PEERBOT_FAULT"] = fault
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "peerbot", *args, cwd=root, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    return int(process.returncode or 0), stderr.decode()


async def test_backfill_killed_half_way_resumes_without_doubling(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    make_settings(tmp_path)
    fake = await HistoryDiscord(guilds=[world_guild()]).start()
    solved = seed(fake, 80)  # 78 archived: four pages of 25 threads, the last one short
    try:
        code, said = await peerbot(tmp_path, fake, "backfill", "discord", "--channel", FORUM, fault="backfill:page2")
        assert code == -9, said
        store = StateStore("sqlite:///" + str(tmp_path / "state.db"))
        half = store.backfill_cursor("discord", FORUM)
        assert half is not None and not half.done and half.messages == 50
        assert 0 < len(store.live_threads()) < len(solved)
        code, said = await peerbot(tmp_path, fake, "backfill", "discord", "--channel", FORUM)
        assert code == 0, said
        assert "resumed from the saved cursor" in said
    finally:
        await fake.stop()
    assert len(store.live_threads()) == len(solved)
    done = store.backfill_cursor("discord", FORUM)
    assert done is not None and done.done and done.messages == 78
    store.close()
