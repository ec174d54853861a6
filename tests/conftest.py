"""Shared fixtures. `testbot` is a real bot (real FAISS index, real SQLite file) on a fast hashing embedder."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings, parse_settings
from peerbot.bots.conversation import Question, Reply
from tests.factories import SMALL_COMMUNITY, write_jsonl

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
QATARLIVING = SHARED_DATA / "qatarliving-train"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class TestBot:
    """errbot-style: ask in, reply out, on a real index and state store."""

    __test__ = False
    bot: Bot
    settings: Settings

    def ask(self, text: str, **question: object) -> Reply:
        reply = asyncio.run(self.bot.handle(Question(text=text, asker=str(question.pop("asker", "alice")), **question)))  # type: ignore[arg-type]
        assert reply is not None
        return reply


def make_settings(root: Path, community: list[dict[str, object]] | None = None, **overrides: object) -> Settings:
    write_jsonl(root / "community.jsonl", community if community is not None else SMALL_COMMUNITY)
    data: dict[str, object] = {
        "index": {"path": "index", "model": "hashing-256"},
        "sources": [{"name": "forum", "type": "jsonl", "path": "community.jsonl"}],
        "state": {"url": "sqlite:///state.db"},
        "superusers": [
            {"name": "Mara Quinn", "community_id": "u-mara"},
            {"name": "Devon Okafor", "community_id": "u-devon"},
        ],
        # tests of the escalation machinery ask off-topic questions to reach it: the scope check (on by default,
        # tests/bots/test_scope.py and the adapters' out-of-scope tests turn it on) would answer them politely
        "scope": {"enabled": False},
        **overrides,
    }
    return parse_settings(data, root)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def testbot(settings: Settings) -> TestBot:
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return TestBot(wiring.make_bot(settings, embedder, kb), settings)


@pytest.fixture
def peerbot(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `peerbot` command in tmp_path, as a user would."""

    def run(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PEERBOT_CONFIG")}
        return subprocess.run(
            [sys.executable, "-m", "peerbot", *args],
            cwd=tmp_path,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )

    return run
