"""Bad command lines and bad config files, as a user meets them: one clear line and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import peerbot as package
from tests.factories import CLI_CONFIG as CONFIG
from tests.factories import SMALL_COMMUNITY, write_jsonl

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(CONFIG)
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    return tmp_path


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("ask", "--bogus", "hello"), "Error: No such option: --bogus"),
        (("index", "--source"), "Error: Option '--source' requires an argument."),
        (("ask",), "Error: Missing argument 'question'."),
        (("leaderboard", "--days", "many"), "Error: Invalid value for '--days'"),
        (("nonsense",), "Error: No such command 'nonsense'."),
    ],
)
def test_usage_errors_print_the_usual_usage_error(folder: Path, peerbot: Run, args: tuple[str, ...], says: str) -> None:
    result = peerbot(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert says in result.stderr.splitlines()[-1]


def test_help_works_with_a_broken_config(folder: Path, peerbot: Run) -> None:
    (folder / "config.toml").write_text("[index\nthis is not toml")
    for args in (("--help",), ("ask", "--help"), ("index", "--help"), ("superusers", "suggest", "--help")):
        result = peerbot(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage: " in result.stdout
    assert "config.toml is not valid TOML" in one_clear_line(peerbot("ask", "hello"))


def test_version(folder: Path, peerbot: Run) -> None:
    result = peerbot("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"peerbot {package.__version__}"


def test_config_files_that_cannot_be_read_are_named(folder: Path, peerbot: Run) -> None:
    (folder / "conf.d").mkdir()
    line = one_clear_line(peerbot("--config", "conf.d", "ask", "hello"))
    assert "conf.d" in line and "is a folder" in line
    line = one_clear_line(peerbot("--config", "community.jsonl/config.toml", "ask", "hello"))
    assert "community.jsonl/config.toml" in line and "cannot read" in line
    (folder / "latin1.toml").write_bytes(CONFIG.encode() + "\n[community]\nname = 'Caf\xe9'\n".encode("latin-1"))
    line = one_clear_line(peerbot("--config", "latin1.toml", "ask", "hello"))
    assert "latin1.toml" in line and "not UTF-8" in line and f"line {CONFIG.count(chr(10)) + 3}" in line


def test_sqlite_folder_that_cannot_be_created_is_named(folder: Path, peerbot: Run) -> None:
    (folder / "config.toml").write_text(CONFIG.replace("sqlite:///state.db", "sqlite:///community.jsonl/db/state.db"))
    line = one_clear_line(peerbot("ask", "hello"))
    assert "state.url" in line and "community.jsonl/db" in line and "cannot create" in line


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("[index]\nkeep_versions = '3'", "index.keep_versions: expected an integer, got '3'"),
        ("[answer]\nanswer_threshold = '0.7'", "answer.answer_threshold: expected a number, got '0.7'"),
        ("[slack]\ndm_superusers = 'true'", "slack.dm_superusers: expected true or false, got 'true'"),
        ("[trust]\nmin_kudos = 5.5", "trust.min_kudos: expected an integer, got 5.5"),
    ],
)
def test_strings_are_not_coerced(folder: Path, peerbot: Run, setting: str, says: str) -> None:
    section = setting.split("\n", 1)[0]
    text = CONFIG.replace(section + "\n", setting + "\n") if section in CONFIG else CONFIG + "\n" + setting + "\n"
    (folder / "config.toml").write_text(text)
    result = peerbot("ask", "hello")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert says in result.stderr


@pytest.mark.parametrize(
    "url", ["not a database url", "mysql://user@db.example/peerbot", "sqlite:///community.jsonl/x.db"]
)
def test_database_url_errors_name_database_url(
    folder: Path, peerbot: Run, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    line = one_clear_line(peerbot("ask", "hello"))
    assert line.startswith("error: DATABASE_URL") and "state.url" not in line


def test_a_prompt_left_without_an_answer_is_aborted(folder: Path, peerbot: Run) -> None:
    """`peerbot admins add` asks for a password; with nobody to answer (end of input) it stops cleanly."""
    result = peerbot("admins", "add", "alice", stdin="")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].strip() == "Aborted!"
