"""Names instead of raw ids on the dashboard (issue #18, point 2): "#help" and "Mara Quinn", with the id in a
tooltip. The names are those the adapters recorded (bots/state_names.py); superusers fall back to their configured
name; an id nobody named is shown as it is. Every dashboard role reads private questions (docs/dashboard.md), so a
private channel's name is shown to every role, as its questions are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from peerbot.bots.config import Settings
from peerbot.bots.schema_names import CHANNEL, MEMBER
from peerbot.bots.state import StateStore
from peerbot.bots.state_names import NameKey

Place = tuple[str, str | None, str | None]  # platform, channel id, member id


def superuser_names(settings: Settings) -> dict[str, str]:
    """Configured superusers by every id they go by: community id, Slack id, Discord id."""
    found: dict[str, str] = {}
    for s in settings.superusers:
        for id_ in (s.community_id, s.slack_id, s.discord_id):
            if id_:
                found[id_] = s.name
    return found


def _named(label: str, id_: str) -> Markup:
    return Markup('<span class="named" title="{}">{}</span>').format(id_, label)


@dataclass(frozen=True)
class NameBook:
    """The names a page needs, read in one query."""

    names: dict[NameKey, str] = field(default_factory=dict)
    superusers: dict[str, str] = field(default_factory=dict)

    def channel(self, platform: str, channel: str | None) -> Markup:
        if not channel:
            return Markup("")
        name = self.names.get((platform, CHANNEL, channel))
        return _named(f"#{name}", channel) if name else escape(channel)

    def member(self, platform: str, member: str | None) -> Markup:
        if not member:
            return Markup("–")
        name = self.names.get((platform, MEMBER, member)) or self.superusers.get(member)
        return _named(name, member) if name else escape(member)

    def channel_label(self, platform: str, channel: str) -> str:
        """Plain text for a menu's option: `#help (slack)`, or the id."""
        name = self.names.get((platform, CHANNEL, channel))
        return f"#{name} ({platform})" if name else f"{channel} ({platform})"


def name_book(store: StateStore, settings: Settings, places: Iterable[Place]) -> NameBook:
    keys: list[NameKey] = []
    for platform, channel, member in places:
        if channel:
            keys.append((platform, CHANNEL, channel))
        if member:
            keys.append((platform, MEMBER, member))
    return NameBook(store.names_of(keys), superuser_names(settings))
