"""Source types by the name used in config.toml's [[sources]] `type`, each with its own options model.

The built-in types are listed here. Other packages add types through the entry-point group `peerbot.sources`:
each entry point's name is the `type`, its object a `SourceType` or a `FileSource` subclass, e.g. in the
plugin's pyproject.toml

    [project.entry-points."peerbot.sources"]
    wiki = "peerbot_wiki:WikiSource"

Plugins are found by name on the current sys.path and imported only when their type is used. A plugin
cannot replace a built-in type (it is skipped with a warning); one that fails to import is a ConfigError naming it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from peerbot.errors import ConfigError
from peerbot.indexer.demo import COMMUNITY
from peerbot.indexer.sources.base import Source
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.sources.discord_export import DiscordExportSource
from peerbot.indexer.sources.discourse import DiscourseSource
from peerbot.indexer.sources.discourse_api import DiscourseApiOptions, DiscourseApiSource
from peerbot.indexer.sources.faq import FaqSource
from peerbot.indexer.sources.files import FileSource, NoOptions
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.sources.slack_export import SlackExportSource
from peerbot.indexer.sources.stackexchange import StackExchangeSource

ENTRY_POINT_GROUP = "peerbot.sources"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceType:
    """How to build one kind of source: factory(path, name, options), and whether it needs a path."""

    factory: Callable[[Path | None, str, Any], Source]
    options: type[BaseModel] = NoOptions
    needs_path: bool = True
    help: str = ""

    @classmethod
    def of(cls, source: type[FileSource[Any]]) -> SourceType:
        """The type of a file-backed source class: built from a path, with the class's options model and help."""
        return cls(source, options=source.options_model, help=source.help)


BUILT_IN: dict[str, SourceType] = {
    "demo": SourceType(
        lambda _path, name, _opts: JsonlThreadSource(COMMUNITY, name=name),
        needs_path=False,
        help="the bundled Lumo demo community",
    ),
    "jsonl": SourceType.of(JsonlThreadSource),
    "beir": SourceType.of(BeirThreadSource),
    "discourse": SourceType.of(DiscourseSource),
    "discourse_api": SourceType(
        DiscourseApiSource, options=DiscourseApiOptions, needs_path=False, help=DiscourseApiSource.help
    ),
    "slack_export": SourceType.of(SlackExportSource),
    "discord_export": SourceType.of(DiscordExportSource),
    "stackexchange": SourceType.of(StackExchangeSource),
    "faq": SourceType.of(FaqSource),
}


def load_plugin(entry: EntryPoint) -> SourceType:
    """The SourceType an entry point names; a ConfigError naming the entry point when it cannot be used."""
    where = f"source type {entry.name!r} ({entry.value}" + (f", from {entry.dist.name})" if entry.dist else ")")
    try:
        found = entry.load()
    except Exception as exc:
        raise ConfigError(f"{where} cannot be imported: {exc}", key=f"entry point {ENTRY_POINT_GROUP}") from exc
    if isinstance(found, SourceType):
        return found
    if isinstance(found, type) and issubclass(found, FileSource):
        return SourceType.of(found)
    raise ConfigError(
        f"{where} is neither a SourceType nor a FileSource subclass", key=f"entry point {ENTRY_POINT_GROUP}"
    )


@lru_cache(maxsize=4)
def _plugins(search_path: tuple[str, ...]) -> dict[str, EntryPoint]:
    """The `peerbot.sources` entry points installed on this search path (sys.path), by type name."""
    found: dict[str, EntryPoint] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in BUILT_IN:
            log.warning(
                "a plugin's source type has the name of a built-in one and is skipped",
                extra={"type": entry.name, "entry_point": entry.value},
            )
            continue
        found.setdefault(entry.name, entry)
    return found


class SourceTypes(Mapping[str, SourceType]):
    """The built-in types and the installed plugins' (found by name on the current sys.path, loaded when asked for)."""

    @property
    def _plugins(self) -> dict[str, EntryPoint]:
        return _plugins(tuple(sys.path))

    def __contains__(self, name: object) -> bool:
        return name in BUILT_IN or name in self._plugins

    def __getitem__(self, name: str) -> SourceType:
        if name in BUILT_IN:
            return BUILT_IN[name]
        return load_plugin(self._plugins[name])  # KeyError for an unknown name

    def __iter__(self) -> Iterator[str]:
        yield from BUILT_IN
        yield from self._plugins

    def __len__(self) -> int:
        return len(BUILT_IN) + len(self._plugins)


SOURCE_TYPES = SourceTypes()
