"""Source types by the name used in config.toml's [[sources]] `type`, each with its own options model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from peerbot.indexer.demo import COMMUNITY
from peerbot.indexer.sources.base import Source
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.sources.discord_export import DiscordExportOptions, DiscordExportSource
from peerbot.indexer.sources.discourse import DiscourseOptions, DiscourseSource
from peerbot.indexer.sources.faq import FaqOptions, FaqSource
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.sources.slack_export import SlackExportOptions, SlackExportSource
from peerbot.indexer.sources.stackexchange import StackExchangeOptions, StackExchangeSource


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class SourceType:
    """How to build one kind of source: factory(path, name, options), and whether it needs a path."""

    factory: Callable[[Path | None, str, Any], Source]
    options: type[BaseModel] = NoOptions
    needs_path: bool = True
    help: str = ""


SOURCE_TYPES: dict[str, SourceType] = {
    "demo": SourceType(
        lambda _path, name, _opts: JsonlThreadSource(COMMUNITY, name=name),
        needs_path=False,
        help="the bundled Lumo demo community",
    ),
    "jsonl": SourceType(
        lambda path, name, _opts: JsonlThreadSource(path, name=name),  # type: ignore[arg-type]
        help="peerbot's JSONL thread format",
    ),
    "beir": SourceType(
        lambda path, name, _opts: BeirThreadSource(path, name=name),  # type: ignore[arg-type]
        help="a BEIR-style corpus.jsonl (or its folder)",
    ),
    "discourse": SourceType(
        lambda path, name, opts: DiscourseSource(path, name=name, options=opts),  # type: ignore[arg-type]
        options=DiscourseOptions,
        help="a folder of Discourse topic JSON files (/t/{id}.json?print=true)",
    ),
    "slack_export": SourceType(
        lambda path, name, opts: SlackExportSource(path, name=name, options=opts),  # type: ignore[arg-type]
        options=SlackExportOptions,
        help="a Slack workspace export (.zip or its unpacked folder)",
    ),
    "discord_export": SourceType(
        lambda path, name, opts: DiscordExportSource(path, name=name, options=opts),  # type: ignore[arg-type]
        options=DiscordExportOptions,
        help="DiscordChatExporter JSON (a file or a folder of them)",
    ),
    "stackexchange": SourceType(
        lambda path, name, opts: StackExchangeSource(path, name=name, options=opts),  # type: ignore[arg-type]
        options=StackExchangeOptions,
        help="a Stack Exchange data dump folder (Posts.xml, Users.xml)",
    ),
    "faq": SourceType(
        lambda path, name, opts: FaqSource(path, name=name, options=opts),  # type: ignore[arg-type]
        options=FaqOptions,
        help="a curated FAQ: CSV (question,answer,...) or Markdown (## Question), or a folder of them",
    ),
}
