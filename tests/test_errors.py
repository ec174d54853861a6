"""The error family: each error carries the data a caller needs, and its message is built from that data."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerbot.bots.secrets import require_env
from peerbot.errors import (
    AdapterError,
    ConfigError,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    IndexModelMismatch,
    IndexProblem,
    MissingExtra,
    PeerbotError,
    SourceError,
)


def test_every_error_is_a_peerbot_error_and_index_errors_share_a_base() -> None:
    for kind in (ConfigError, MissingExtra, IndexProblem, SourceError, AdapterError):
        assert issubclass(kind, PeerbotError)
    for kind in (IndexMissing, IndexDamaged, IndexModelMismatch, IndexBusy):
        assert issubclass(kind, IndexProblem)


def test_config_error_names_file_key_expected_type_and_value() -> None:
    error = ConfigError(file=Path("config.toml"), key="answer.answer_threshold", expected="a number", got="high")
    assert (error.file, error.key, error.expected, error.got) == (
        Path("config.toml"),
        "answer.answer_threshold",
        "a number",
        "high",
    )
    assert str(error) == "config.toml: answer.answer_threshold: expected a number, got 'high'"


def test_config_error_names_the_environment_variable() -> None:
    error = ConfigError(env_var="DATABASE_URL", expected="a postgresql:// or sqlite:// URL", got="mysql://x")
    assert error.env_var == "DATABASE_URL" and str(error).startswith("DATABASE_URL: expected")


def test_a_free_text_message_keeps_the_fields_empty() -> None:
    error = ConfigError("state.url: something is off")
    assert str(error) == "state.url: something is off" and error.key is None and error.file is None


def test_missing_extra_names_the_extra_that_installs_it() -> None:
    error = MissingExtra("fastapi", "dashboard", "the dashboard")
    assert (error.package, error.extra) == ("fastapi", "dashboard")
    assert str(error) == "the dashboard needs fastapi: pip install 'peerbot[dashboard]'"


def test_index_damaged_carries_version_and_file() -> None:
    error = IndexDamaged(
        "v7", "is missing vectors.faiss", file=Path("/i/versions/v7/vectors.faiss"), index_dir=Path("/i")
    )
    assert (error.version, error.file, error.index_dir) == ("v7", Path("/i/versions/v7/vectors.faiss"), Path("/i"))
    assert str(error) == "index version v7 is missing vectors.faiss: rebuild with `peerbot index`"


def test_source_error_carries_source_path_and_reason() -> None:
    error = SourceError(source="forum", path=Path("/exports/t"), reason="no .json files in it")
    assert (error.source, error.path, error.reason) == ("forum", Path("/exports/t"), "no .json files in it")
    assert str(error) == "source 'forum': cannot open /exports/t (no .json files in it)"


def test_missing_secrets_are_listed_on_the_adapter_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERBOT_TEST_A", raising=False)
    monkeypatch.setenv("PEERBOT_TEST_B", "set")
    monkeypatch.delenv("PEERBOT_TEST_C", raising=False)
    with pytest.raises(AdapterError) as raised:
        require_env("PEERBOT_TEST_A", "PEERBOT_TEST_B", "PEERBOT_TEST_C", purpose="the test adapter")
    assert raised.value.env_vars == ("PEERBOT_TEST_A", "PEERBOT_TEST_C") and raised.value.adapter == "the test adapter"
    assert "PEERBOT_TEST_A, PEERBOT_TEST_C" in str(raised.value)
