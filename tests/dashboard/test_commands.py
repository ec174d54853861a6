"""`peerbot simulate` and `peerbot dashboard` as a user runs them, on a config.toml with the hashing embedder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from peerbot.bots.dashboard import TOKEN_ENV
from tests.dashboard.conftest import TOKEN, free_port
from tests.factories import CLI_CONFIG as CONFIG
from tests.factories import SMALL_COMMUNITY, write_jsonl

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_simulate_command(configured: Path, peerbot: Run) -> None:
    result = peerbot("simulate", "--days", "2", "--per-day", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("simulated ") and "state.db" in result.stdout
    again = peerbot("simulate", "--days", "1")
    assert again.returncode == 2 and "--force" in again.stderr


def _get(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_dashboard_command_serves_behind_the_token(configured: Path) -> None:
    port = free_port()
    env = {**os.environ, TOKEN_ENV: TOKEN}
    env.pop("PEERBOT_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "peerbot", "dashboard", "--port", str(port)],
        cwd=configured,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/export/outcomes.csv"
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(url)
                break
            except OSError:
                time.sleep(0.2)
        assert status == 401
        assert _get(url, TOKEN) == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert TOKEN not in stderr
