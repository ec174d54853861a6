"""An answer captured from an escalation survives every kind of reindex and every hot reload (issue 13, point 6)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

from peerbot.bots.config import Settings
from tests.bots.test_escalation_workflow import SUPERUSERS, community, console, start
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, Clock

Run = Callable[..., subprocess.CompletedProcess[str]]
ANSWER = "any 5 V 2 A USB power bank"
PARAPHRASE = "camping trip: can a solar power bank run the Lumo hub?"


def capture_an_answer(tmp_path: Path, peerbot: Run) -> tuple[Settings, Clock]:
    """A bot process answers from the published index; a superuser's answer to an escalation is captured."""
    settings = make_settings(tmp_path, community(), superusers=SUPERUSERS)
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    assert peerbot("index").returncode == 0
    clock = Clock()
    bot = start(settings, clock)
    console(bot, "alice", "Can the Lumo hub run on a solar power bank during camping trips?", "/human")
    console(bot, "u-mara", f"/answer 1 Yes: {ANSWER} runs the hub for about 20 hours.")
    console(bot, "alice", "/solved")
    assert ANSWER in console(bot, "carol", PARAPHRASE)  # served at once, before any reindex
    return settings, clock


def test_captured_answer_survives_reindexing_one_source(tmp_path: Path, peerbot: Run) -> None:
    settings, clock = capture_an_answer(tmp_path, peerbot)
    bot = start(settings, clock)  # a running bot, started after the capture
    result = peerbot("index", "--source", "forum")
    assert result.returncode == 0, result.stderr
    asked = peerbot("ask", PARAPHRASE)  # a new process serves the new version
    assert ANSWER in asked.stdout, asked.stdout
    asyncio.run(bot.tick())  # the running bot swaps the new version in
    assert ANSWER in console(bot, "dave", PARAPHRASE)
    assert peerbot("index").returncode == 0  # and a full reindex afterwards keeps exactly one copy
    assert sum(e.source == "captured" for e in start(settings, clock).retriever.kb.entries) == 1


def test_hot_reload_never_drops_a_captured_answer(tmp_path: Path, peerbot: Run) -> None:
    settings, clock = capture_an_answer(tmp_path, peerbot)
    bot = start(settings, clock)
    # A build that read captured.jsonl just before the answer was appended publishes a version without it.
    captured = tmp_path / ".peerbot" / "captured.jsonl"
    held = captured.rename(tmp_path / "held.jsonl")
    assert peerbot("index").returncode == 0
    held.rename(captured)
    before = bot.retriever.kb.version
    asyncio.run(bot.tick())
    assert bot.retriever.kb.version != before  # the new version is served...
    assert ANSWER in console(bot, "dave", PARAPHRASE)  # ...and the captured answer is still in it
    assert ANSWER in peerbot("ask", PARAPHRASE).stdout
