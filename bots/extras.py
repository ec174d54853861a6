"""Optional parts of peerbot and the extra that installs each: checked before a feature imports them."""

from __future__ import annotations

import importlib.util

from peerbot.errors import MissingExtra

# extra -> the modules it provides (import names); the chat adapters check their own SDKs when imported
EXTRAS = {
    "dashboard": ("fastapi", "uvicorn", "jinja2", "markupsafe", "multipart", "argon2"),
    "postgres": ("psycopg",),
}


def require_extra(extra: str, feature: str) -> None:
    """Raise MissingExtra, naming the extra to install, when a module of `extra` cannot be imported."""
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise MissingExtra(module, extra, feature)
