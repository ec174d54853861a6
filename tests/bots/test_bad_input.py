"""Invalid UTF-8, lone surrogates and NUL bytes in a question are cleaned, answered and recorded (issue 13, point 9)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from peerbot.bots.conversation import Outcome, Question
from tests.conftest import TestBot
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, write_jsonl

RESET = b"how do I factory reset a bulb"


def recorded(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("select text from questions order by id")]


def run(folder: Path, *args: bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "peerbot", *args], cwd=folder, input=stdin, capture_output=True, timeout=300
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    assert run(tmp_path, b"index").returncode == 0
    return tmp_path


def test_invalid_utf8_and_nul_bytes_are_cleaned_answered_and_recorded(folder: Path) -> None:
    asked = run(folder, b"ask", RESET + b" \xff\xfe please")  # not UTF-8 on the command line
    assert asked.returncode == 0, asked.stderr
    assert b"Power-cycle" in asked.stdout and b"went wrong" not in asked.stdout
    lines = [RESET + b"\x00 now", RESET + b" \xed\xa0\x80 (an encoded lone surrogate)", RESET + b" \xc3"]
    chat = run(folder, b"chat", stdin=b"\n".join(lines) + b"\n")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.count(b"Power-cycle") == 3 and b"went wrong" not in chat.stdout
    texts = recorded(folder / "state.db")
    assert len(texts) == 4
    assert texts[0] == "how do I factory reset a bulb \ufffd\ufffd please"
    assert texts[1] == "how do I factory reset a bulb now"
    assert all("\x00" not in t and t.encode("utf-8") for t in texts)


def test_lone_surrogates_from_a_platform_payload_are_cleaned(testbot: TestBot) -> None:
    """JSON payloads (Slack, Discord) can carry "\\ud800": Question itself cleans, so every adapter benefits."""
    question = Question(text="how do I factory reset a bulb \ud800\x00", asker="a\udcffb", asker_name="Z\x00oe")
    assert question.text == "how do I factory reset a bulb \ufffd"
    assert (question.asker, question.asker_name) == ("a\ufffdb", "Zoe")
    reply = testbot.ask("how do I factory reset a bulb \udc80 \x00")
    assert reply.outcome is Outcome.ANSWER and reply.question_id is not None
