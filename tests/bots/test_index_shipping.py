"""Indexes that travel: replicas that share nothing but the database (`[index] publish_to = "database"`) get every
new version through the state store, verified by checksum, and lose what `peerbot forget` removed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from peerbot.bots import app as wiring
from peerbot.bots.config import load_settings
from peerbot.bots.conversation import Outcome, Question
from tests.factories import SMALL_COMMUNITY, reply, thread, write_jsonl

CONFIG = """
[index]
path = "index"
model = "hashing-256"
publish_to = "database"

[[sources]]
name = "forum"
type = "jsonl"
path = "community.jsonl"

[state]
url = "sqlite:///{db}"
"""
NEW_THREAD = thread(
    "zigbee",
    "How do I pair a Zigbee remote with the bridge",
    "The remote never shows up.",
    [reply("Hold the remote's pairing button near the bridge for ten seconds.", score=9, accepted=True)],
)


def machine(root: Path, db: Path) -> Path:
    """A folder of its own (its own index directory), on the shared database only."""
    root.mkdir()
    (root / "config.toml").write_text(CONFIG.format(db=db), encoding="utf-8")
    return root


def peerbot(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PEERBOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "peerbot", *args], cwd=root, capture_output=True, text=True, timeout=300, env=env
    )


def files_under(folder: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


async def test_replicas_sharing_only_the_database_serve_each_new_version_and_forget(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    indexer, replica = machine(tmp_path / "indexer", db), machine(tmp_path / "replica", db)
    write_jsonl(indexer / "community.jsonl", SMALL_COMMUNITY)  # the replica has no sources at all
    built = peerbot(indexer, "index")
    assert built.returncode == 0, built.stderr

    first = peerbot(replica, "ask", "how do I factory reset a bulb")
    assert first.returncode == 0, first.stderr
    assert "Downloaded the newest index version" in first.stderr and "Power-cycle the bulb" in first.stdout

    settings = load_settings(replica / "config.toml")
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)
    try:
        asked = await bot.handle(Question(text="How do I pair a Zigbee remote with the bridge", asker="alice"))
        assert asked is not None and asked.outcome != Outcome.ANSWER  # not in the first version

        write_jsonl(indexer / "community.jsonl", [*SMALL_COMMUNITY, NEW_THREAD])
        assert peerbot(indexer, "index").returncode == 0
        await bot.tick()  # the running replica downloads and serves the new version
        asked = await bot.handle(Question(text="How do I pair a Zigbee remote with the bridge", asker="bob"))
        assert asked is not None and asked.outcome == Outcome.ANSWER and "pairing button" in asked.text

        forgot = peerbot(indexer, "forget", "Sam Member")
        assert forgot.returncode == 0, forgot.stderr
        await bot.tick()
        asked = await bot.handle(Question(text="how do I factory reset a bulb", asker="carol"))
        assert asked is not None and "Power-cycle" not in asked.text
    finally:
        bot.close()
    assert "Power-cycle" not in files_under(replica / "index"), "a kept version on the replica still holds them"
    with sqlite3.connect(db) as connection:
        stored = b"".join(row[0] for row in connection.execute("SELECT data FROM index_parts"))
    assert b"Power-cycle" not in stored, "the state store still ships a version that holds them"


def test_a_download_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    indexer, replica = machine(tmp_path / "indexer", db), machine(tmp_path / "replica", db)
    write_jsonl(indexer / "community.jsonl", SMALL_COMMUNITY)
    assert peerbot(indexer, "index").returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE index_parts SET data = CAST('tampered' AS BLOB) WHERE name = 'entries.jsonl'")

    asked = peerbot(replica, "ask", "how do I factory reset a bulb")
    assert asked.returncode != 0
    assert "entries.jsonl downloaded from the state store does not match its checksum" in asked.stderr
    assert not list((replica / "index").rglob("entries.jsonl")), "nothing half-downloaded is left to serve"


def test_kills_while_shipping_or_downloading_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    indexer, replica = machine(tmp_path / "indexer", db), machine(tmp_path / "replica", db)
    write_jsonl(indexer / "community.jsonl", SMALL_COMMUNITY)
    os.environ["PEERBOT_FAULT"] = "ship:parts"  # every part uploaded, the version not yet visible
    try:
        killed = peerbot(indexer, "index")
    finally:
        del os.environ["PEERBOT_FAULT"]
    assert killed.returncode == -9 and "fault point ship:parts" in killed.stderr
    nothing = peerbot(replica, "ask", "how do I factory reset a bulb")
    assert "Downloaded" not in nothing.stderr  # a half-shipped version is never offered

    assert peerbot(indexer, "index").returncode == 0  # the next run ships it whole
    os.environ["PEERBOT_FAULT"] = "ship:downloaded"
    try:
        killed = peerbot(replica, "ask", "how do I factory reset a bulb")
    finally:
        del os.environ["PEERBOT_FAULT"]
    assert killed.returncode == -9
    asked = peerbot(replica, "ask", "how do I factory reset a bulb")
    assert asked.returncode == 0, asked.stderr
    assert "Downloaded the newest index version" in asked.stderr and "Power-cycle the bulb" in asked.stdout
    assert not [p for p in (replica / "index" / "versions").iterdir() if p.name.startswith(".")]
