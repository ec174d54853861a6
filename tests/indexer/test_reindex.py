"""Reindexing: incremental embeddings, one source at a time, forgetting authors, hot swaps, kill -9."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Question
from peerbot.knowledge.entries import Audience
from peerbot.knowledge.index_files import current_version, read_current
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, reply, thread, write_jsonl


def many(n: int, prefix: str = "t", author: str = "Sam Member") -> list[dict[str, object]]:
    return [
        thread(
            f"{prefix}{i}",
            f"question {prefix} {i} about topic {i % 37}",
            f"details {i}",
            [reply(f"answer {prefix}{i}", author, accepted=True)],
        )
        for i in range(n)
    ]


def build(settings: Settings, only: str | None = None):  # type: ignore[no-untyped-def]
    return wiring.reindex(settings, wiring.open_embedder(settings), only=only)


def test_one_percent_change_embeds_one_percent(tmp_path: Path) -> None:
    threads = many(500)
    settings = make_settings(tmp_path, threads)
    first = build(settings)
    assert (first.entries, first.added, first.embedded) == (500, 500, 500)
    threads[7]["title"] = "a reworded question about the hub"
    threads[8]["replies"] = [reply("a better answer", accepted=True)]
    del threads[9]
    threads.append(thread("new", "a brand new question", "", [reply("fresh", accepted=True)]))
    write_jsonl(tmp_path / "community.jsonl", threads)
    second = build(settings)
    assert (second.added, second.changed, second.removed) == (1, 2, 1)
    assert second.embedded == 2  # the reworded question and the new one; a new answer needs no embedding
    ids = {e.thread_id for e in read_current(tmp_path / "index", model="hashing-256", dimension=256).entries}
    assert "t9" not in ids and "new" in ids


def test_one_source_rebuilt_others_kept(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "b.jsonl", many(5, prefix="b"))
    settings = make_settings(
        tmp_path,
        many(5, prefix="a"),
        sources=[
            {"name": "a", "type": "jsonl", "path": "community.jsonl"},
            {"name": "b", "type": "jsonl", "path": "b.jsonl"},
        ],
    )
    build(settings)
    write_jsonl(tmp_path / "b.jsonl", many(3, prefix="b"))
    report = build(settings, only="b")
    assert (report.entries, report.removed, report.embedded) == (8, 2, 0)
    sources = [e.source for e in read_current(tmp_path / "index", model="hashing-256", dimension=256).entries]
    assert sources.count("a") == 5 and sources.count("b") == 3


def test_forget_author_removes_and_keeps_out(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    community = [
        *SMALL_COMMUNITY,
        thread(
            "two",
            "How do I factory reset a bulb",
            "again",
            [reply("Power-cycle five times (Sam's way).", score=20), reply("Use the app reset.", "Kim", score=6)],
        ),
    ]
    settings = make_settings(tmp_path, community)
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    build(settings)
    result = peerbot("forget", "Sam Member")
    assert result.returncode == 0, result.stderr
    entries = read_current(tmp_path / "index", model="hashing-256", dimension=256).entries
    assert all(e.author != "Sam Member" for e in entries)
    assert any(e.thread_id == "two" and e.author == "Kim" for e in entries)  # the next trusted reply stands in
    build(settings)  # and stays out
    assert all(
        e.author != "Sam Member" for e in read_current(tmp_path / "index", model="hashing-256", dimension=256).entries
    )


def test_running_bot_picks_up_new_version_and_queries_never_fail(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, many(300))
    embedder = wiring.open_embedder(settings)
    build(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)
    failures: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def ask_forever() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                assert bot.retriever.retrieve("question t about topic 5", Audience(), 5)
                answered += 1
            except BaseException as exc:
                failures.append(exc)

    askers = [threading.Thread(target=ask_forever) for _ in range(2)]
    for t in askers:
        t.start()
    try:
        for round_ in range(5):  # another process publishes; the bot notices on its next tick
            write_jsonl(tmp_path / "community.jsonl", [*many(300), *many(round_ + 1, prefix="n")])
            build(settings)
            asyncio.run(bot.tick())
            assert bot.retriever.kb.version == current_version(tmp_path / "index")
    finally:
        stop.set()
        for t in askers:
            t.join()
    assert failures == [] and answered > 0
    reply_ = asyncio.run(bot.handle(Question(text="question n about topic 4", asker="a")))
    assert reply_ is not None and reply_.outcome is not Outcome.ERROR


def test_kill_9_at_any_point_leaves_a_serving_index(tmp_path: Path) -> None:
    threads = many(3000)
    settings = make_settings(tmp_path, threads)
    (tmp_path / "config.toml").write_text(CLI_CONFIG.replace('hashing-256"', 'hashing-256"\nkeep_versions = 2'))
    build(settings)
    env = {k: v for k, v in os.environ.items() if k != "PEERBOT_CONFIG"}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "peerbot", "index"], cwd=tmp_path, env=env, check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(7)
    for kill in range(12):
        write_jsonl(tmp_path / "community.jsonl", [*threads, *many(kill + 1, prefix=f"k{kill}-")])
        proc = subprocess.Popen(
            [sys.executable, "-m", "peerbot", "index"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        loaded = read_current(tmp_path / "index", model="hashing-256", dimension=256)
        assert loaded.warning is None
        assert len(loaded.entries) in range(3000, 3000 + kill + 2)
    recovered = subprocess.run(
        [sys.executable, "-m", "peerbot", "index"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert recovered.returncode == 0, recovered.stderr
    assert len(read_current(tmp_path / "index", model="hashing-256", dimension=256).entries) == 3012
    assert not list((tmp_path / "index" / "versions").glob(".tmp-*"))
