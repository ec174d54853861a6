"""The export sources are registered by name, each with an options model that names a wrong option."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerbot.bots.app import make_source
from peerbot.bots.config import parse_settings
from peerbot.errors import ConfigError
from peerbot.indexer.sources.discord_export import DiscordExportSource
from peerbot.indexer.sources.discourse import DiscourseSource
from peerbot.indexer.sources.faq import FaqSource
from peerbot.indexer.sources.registry import SOURCE_TYPES
from peerbot.indexer.sources.slack_export import SlackExportSource
from peerbot.indexer.sources.stackexchange import StackExchangeSource

EXPORTS = {
    "discourse": DiscourseSource,
    "slack_export": SlackExportSource,
    "discord_export": DiscordExportSource,
    "stackexchange": StackExchangeSource,
    "faq": FaqSource,
}


def test_every_export_type_is_registered_next_to_the_existing_ones() -> None:
    assert {"demo", "jsonl", "beir", *EXPORTS} <= set(SOURCE_TYPES)
    for kind in EXPORTS:
        spec = SOURCE_TYPES[kind]
        assert spec.needs_path and spec.help
        assert spec.options.model_config.get("extra") == "forbid"


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_config_builds_the_source_with_its_options(tmp_path: Path, kind: str) -> None:
    options = {"faq": {"author": "Support"}, "slack_export": {"channels": ["help"]}}.get(kind, {})
    settings = parse_settings(
        {"sources": [{"name": "s", "type": kind, "path": "export", "options": options}]}, tmp_path
    )
    source = make_source(settings.sources[0], settings)
    assert isinstance(source, EXPORTS[kind]) and source.name == "s"
    path = vars(source)["path"]
    assert tmp_path / "export" in (path, path.parent)


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_config_names_a_wrong_option(tmp_path: Path, kind: str) -> None:
    spec = {"name": "community", "type": kind, "path": "export", "options": {"bogus_option": 1}}
    with pytest.raises(ConfigError, match=r"source 'community': options\.bogus_option: extra inputs"):
        parse_settings({"sources": [spec]}, tmp_path)


def test_config_names_a_wrongly_typed_option(tmp_path: Path) -> None:
    spec = {"name": "forum", "type": "discourse", "path": "t", "options": {"private_categories": "staff"}}
    with pytest.raises(ConfigError, match=r"options\.private_categories"):
        parse_settings({"sources": [spec]}, tmp_path)


def test_export_types_need_a_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a path"):
        parse_settings({"sources": [{"name": "faq", "type": "faq"}]}, tmp_path)
