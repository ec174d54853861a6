"""`peerbot run` picks the adapters from the environment."""

from pathlib import Path

import pytest

from peerbot.adapters.console import ConsoleAdapter
from peerbot.adapters.select import Together, choose_adapter
from peerbot.errors import AdapterError
from tests.conftest import make_settings

TOKENS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN")


@pytest.fixture(autouse=True)
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TOKENS:
        monkeypatch.delenv(name, raising=False)


def test_console_without_tokens(tmp_path: Path) -> None:
    assert isinstance(choose_adapter(make_settings(tmp_path)), ConsoleAdapter)


def test_slack_and_discord_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("DISCORD_TOKEN", "discord-test")
    adapter = choose_adapter(make_settings(tmp_path))
    assert isinstance(adapter, Together) and adapter.name == "slack + discord"


def test_missing_companion_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # Socket Mode also needs the app-level token
    with pytest.raises(AdapterError, match="SLACK_APP_TOKEN") as raised:
        choose_adapter(make_settings(tmp_path))
    assert raised.value.env_vars == ("SLACK_APP_TOKEN",)
