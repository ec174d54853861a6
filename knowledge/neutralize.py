"""Indexed content made inert for every output (console, `ask --json`, Slack, Discord, dashboard): the answer,
title and body, and also the author's name and the thread's URL, which come from the same untrusted source.

Kept apart from `sanitize.py` (question cleaning): this module only decides what leaves the knowledge base.
- mentions: `@everyone`, `@here`, `<!channel>`, `<!subteam^…>`, `<@&role>`, user mentions (sanitize.neutralize_mentions)
- terminal control: ANSI/VT escape sequences (CSI, OSC, DCS…), C0 and C1 control characters, a lone CR,
  and the bidirectional overrides that make text read differently from what it is
- Slack link syntax `<https://evil|Official page>` and Markdown/Discord masked links `[Official page](https://evil)`
  shown as `Official page (https://evil)`, so a reader always sees where a link goes
- URLs: only http(s) with a host and no user part (`https://trusted@evil/`), mentions and markup characters
  percent-encoded; anything else (`javascript:`, `data:`, a bare word) is dropped
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote, urlsplit, urlunsplit

from peerbot.knowledge.entries import KnowledgeEntry, Match
from peerbot.knowledge.sanitize import neutralize_mentions

NAME_LIMIT = 200  # characters of an author's name
URL_LIMIT = 2000
# ESC followed by a CSI, OSC, DCS/SOS/PM/APC string or a two-character sequence; the 8-bit CSI/OSC forms too
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp|tel|slack):[^<>|\s]*)(?:\|([^<>]*))?>", re.IGNORECASE)
# Discord renders [label](target), [label](<target>) and [label](target "tooltip") as a link showing only the label
_MASKED_LINK = re.compile(
    r"\[([^\[\]\n]*)\]\(\s*<?([a-z][a-z0-9+.-]*:[^\s()<>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)", re.IGNORECASE
)
_SPACES = re.compile(r"\s+")
_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f<@\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_URL_SAFE = "/:?#[]=&;%+,$!*'()~._-"  # kept as they are in a URL; everything else percent-encoded


def strip_terminal(text: str) -> str:
    """No escape sequences or control characters left (newlines and tabs stay; CR-LF becomes LF)."""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS.sub("", text)


def _unwrap_link(found: re.Match[str]) -> str:
    target, label = found.group(1), (found.group(2) or "").strip()
    return f"{label} ({target})" if label and label != target else target


def _unwrap_masked(found: re.Match[str]) -> str:
    label, target = found.group(1).strip(), found.group(2)
    return f"{label} ({target})" if label and label != target else target


def inert_text(text: str) -> str:
    """Text from the knowledge base, safe in every output: no pings, no terminal control, no disguised links."""
    if "](" in text:
        text = _MASKED_LINK.sub(_unwrap_masked, text)
    if not _SUSPECT.search(text):
        return text  # most text: nothing to do, and one scan instead of a dozen
    return neutralize_mentions(_SLACK_LINK.sub(_unwrap_link, strip_terminal(text)))


def inert_line(text: str, limit: int = NAME_LIMIT) -> str:
    """inert_text on one line (names, titles): whitespace runs become one space; cut at limit characters."""
    line = _SPACES.sub(" ", inert_text(text)).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) address that is what it says, or None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > URL_LIMIT or strip_terminal(url) != url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    path, query, fragment = (quote(p, safe=_URL_SAFE) for p in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, fragment))


def inert_entry(entry: KnowledgeEntry) -> KnowledgeEntry:
    """The entry as it may be shown: every field someone else wrote made inert."""
    return dataclasses.replace(
        entry,
        title=inert_line(entry.title, 500),
        body=inert_text(entry.body),
        answer=inert_text(entry.answer),
        author=inert_line(entry.author),
        url=safe_url(entry.url),
        thread_id=inert_line(entry.thread_id),
        alternatives=tuple(
            dataclasses.replace(r, answer=inert_text(r.answer), author=inert_line(r.author)) for r in entry.alternatives
        ),
    )


def inert_match(match: Match) -> Match:
    return dataclasses.replace(match, entry=inert_entry(match.entry))
