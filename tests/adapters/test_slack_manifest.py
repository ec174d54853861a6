"""The shipped Slack app manifest and setup guide match what the adapter listens to and reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from peerbot.bots.commands import COMMANDS
from peerbot.bots.config import SlackSettings

REPO = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "adapters" / "slack_manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_subscribes_to_what_the_adapter_handles(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "reaction_added",  # live capture
        "reaction_removed",
    }
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == {"/ask", "/peerbot"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_peerbot_usage_hint_names_every_subcommand(manifest: dict[str, Any]) -> None:
    [peerbot] = [c for c in manifest["features"]["slash_commands"] if c["command"] == "/peerbot"]
    named = {part.split()[0] for part in peerbot["usage_hint"].split("|")}
    assert named == set(COMMANDS.names)  # the command table
    assert len(peerbot["usage_hint"]) <= 1000 and len(peerbot["description"]) <= 2000  # Slack's limits


def test_manifest_asks_for_the_scopes_the_adapter_uses_and_no_more(manifest: dict[str, Any]) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",  # app_mention
        "channels:history",  # message.channels
        "groups:history",  # message.groups
        "groups:read",  # users.conversations for DMs, conversations.info for private channels
        "channels:read",  # conversations.info: is it public?
        "im:read",  # conversations.info for DMs
        "mpim:read",  # conversations.info for group DMs
        "im:history",  # message.im
        "chat:write",  # chat.postMessage, chat.postEphemeral
        "commands",  # /ask, /peerbot
        "users:read",  # users.info
        "reactions:read",  # reaction_added / reaction_removed (live capture)
        "reactions:write",  # reactions.add / reactions.remove (the working reaction)
    }


def test_setup_guide_names_every_secret_and_setting() -> None:
    guide = (REPO / "docs" / "slack.md").read_text(encoding="utf-8")
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "slack_manifest.yaml", "/slack/events"):
        assert name in guide
    for key in SlackSettings.model_fields:
        assert f"`{key}`" in guide
