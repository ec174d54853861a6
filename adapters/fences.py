"""Code blocks kept whole when a long message is sent in parts: a part that ends inside a ``` block closes it,
and the next part opens it again with the same fence line, language tag included (```python).

Used by the Slack and Discord renderers; pure functions."""

from __future__ import annotations

import re

FENCE = "```"
TAG_LIMIT = 20  # a longer "language tag" is not one: the block is reopened without it
_FENCE = re.compile(r"```([\w+#.-]*)")
ROOM = len(FENCE) + TAG_LIMIT + 1 + 1 + len(FENCE)  # what balancing may add to a part: "```tag\n" and "\n```"


def open_fence(text: str, opener: str | None = None) -> str | None:
    """The fence line (``` plus its language tag) of the code block still open at the end of `text`, or None.
    `opener`: the block already open where `text` starts."""
    for found in _FENCE.finditer(text):
        if opener is None:
            tag = found.group(1)
            ends_line = text[found.end() : found.end() + 1] in ("\n", "")
            opener = FENCE + (tag if tag and ends_line and len(tag) <= TAG_LIMIT else "")
        else:
            opener = None
    return opener


def has_fences(text: str) -> bool:
    return FENCE in text


def balance(parts: list[str]) -> list[str]:
    """Each part with its code blocks closed at its end and reopened at the start of the next part."""
    balanced: list[str] = []
    opener: str | None = None
    for part in parts:
        head = f"{opener}\n" if opener else ""
        still_open = open_fence(part, opener)
        tail = f"\n{FENCE}" if still_open else ""
        balanced.append(head + part + tail)
        opener = still_open
    return balanced
