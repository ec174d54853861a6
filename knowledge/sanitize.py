"""Make community text safe to echo: no mass or role pings, no hidden control markup."""

from __future__ import annotations

import re

_ZWSP = "\u200b"
# Slack special mentions: <!channel>, <!here>, <!everyone>, <!subteam^ID|@team>
_SLACK_SPECIAL = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>", re.IGNORECASE)
_SLACK_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>", re.IGNORECASE)
# Slack user/channel links: <@U123>, <@U123|name>, <#C123|name>
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
# Discord: <@123>, <@!123>, <@&123>, <#123>
_DISCORD_ROLE = re.compile(r"<@&\d+>")
_DISCORD_USER = re.compile(r"<@!?\d+>")
_DISCORD_CHANNEL = re.compile(r"<#\d+>")
# Plain @everyone / @here / @channel as typed in Discord or Slack
_PLAIN_MASS = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates: undecodable bytes (surrogateescape), bad JSON
REPLACEMENT = "\ufffd"


def neutralize_mentions(text: str) -> str:
    """Turn every mention that could ping people into inert text."""
    text = _SLACK_SPECIAL.sub(lambda m: f"@{_ZWSP}{m.group(1).lower()}", text)
    text = _SLACK_SUBTEAM.sub(lambda m: f"@{_ZWSP}{m.group(1) or 'team'}", text)
    text = _SLACK_USER.sub(lambda m: f"@{_ZWSP}{m.group(2) or 'member'}", text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(2) or 'channel'}", text)
    text = _DISCORD_ROLE.sub(f"@{_ZWSP}role", text)
    text = _DISCORD_USER.sub(f"@{_ZWSP}member", text)
    text = _DISCORD_CHANNEL.sub("#channel", text)
    return _PLAIN_MASS.sub(lambda m: f"@{_ZWSP}{m.group(1)}", text)


def clean_text(text: str) -> str:
    """Neutralise mentions, drop control characters, collapse runs of blank lines."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return neutralize_mentions(text).strip()


def clean_input(text: str) -> str:
    """Text as it arrives from a platform, made storable anywhere (UTF-8 files, SQLite, PostgreSQL):
    undecodable bytes and lone surrogates become U+FFFD, NUL and other control characters are dropped
    (newlines and tabs stay). Meaning is untouched: mentions are neutralised only when echoing."""
    return _CONTROL.sub("", _SURROGATE.sub(REPLACEMENT, text))
