import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peerbot.errors import IndexBusy
from peerbot.indexer.build import build_index
from peerbot.indexer.publish import build_lock
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.index_files import current_version, read_current
from tests.factories import SMALL_COMMUNITY, reply, thread, write_jsonl

REPO = Path(__file__).resolve().parents[2]


def test_build_reports_counts_problems_and_progress(tmp_path: Path) -> None:
    records: list[object] = [*SMALL_COMMUNITY, "{oops"]
    source = JsonlThreadSource(write_jsonl(tmp_path / "c.jsonl", records), name="forum")  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    policy = TrustPolicy(superusers=frozenset({"u-devon"}))
    report = build_index(
        [source], policy, HashingEmbedder(64), tmp_path / "index", progress=lambda d, t: seen.append((d, t))
    )
    assert report.threads == 6 and report.untrusted == 1 and report.entries == 5
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'c.jsonl'}:line 7: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    ]
    assert seen[-1] == (5, 5)
    assert read_current(tmp_path / "index", model="hashing-64", dimension=64).version == report.version


def test_one_builder_at_a_time(tmp_path: Path) -> None:
    with build_lock(tmp_path), pytest.raises(IndexBusy, match="another `peerbot index`") as raised:
        build_index([], TrustPolicy(), HashingEmbedder(8), tmp_path)
    assert raised.value.index_dir == tmp_path


SLOW_BUILD = """
import sys, time
from pathlib import Path
from peerbot.indexer.build import build_index
from peerbot.indexer.sources.base import Thread, Post
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.embedder import HashingEmbedder

class Slow:
    name = "slow"
    problems = []
    def threads(self):
        for i in range(10):
            yield Thread(id=f"n{i}", title=f"new {i}", body="", replies=(Post("p", "a", "a", "x", accepted=True),))
        Path(sys.argv[2]).write_text("started")
        time.sleep(600)

build_index([Slow()], TrustPolicy(), HashingEmbedder(64), Path(sys.argv[1]))
"""


def test_killed_build_leaves_previous_index_serving(tmp_path: Path) -> None:
    index = tmp_path / "index"
    source = JsonlThreadSource(
        write_jsonl(tmp_path / "c.jsonl", [thread("old", "old q", "", [reply("a", accepted=True)])])
    )
    first = build_index([source], TrustPolicy(), HashingEmbedder(64), index).version
    marker = tmp_path / "started"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(index), str(marker)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the build never started"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert current_version(index) == first
    assert [e.thread_id for e in read_current(index, model="hashing-64", dimension=64).entries] == ["old"]
    # the next build recovers: the dead builder's lock is gone with its process
    second = build_index([source], TrustPolicy(), HashingEmbedder(64), index).version
    assert current_version(index) == second != first
