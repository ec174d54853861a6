"""Secrets come from environment variables only, never from config.toml or logs."""

from __future__ import annotations

import os

from peerbot.errors import AdapterError


def require_env(*names: str, purpose: str) -> dict[str, str]:
    """The values of the named variables, or an AdapterError listing every one that is missing."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise AdapterError(adapter=purpose, env_vars=tuple(missing))
    return {n: os.environ[n] for n in names}
