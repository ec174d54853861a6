"""Admin login: one token from the environment; each login gets a random session id held on the server."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from peerbot.bots.dashboard import TOKEN_ENV
from peerbot.errors import ConfigError

COOKIE = "peerbot_dashboard"
MIN_LENGTH = 8
DEFAULT_LIFETIME = timedelta(hours=12)


def token_from_env() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(f"{TOKEN_ENV} is not set: export {TOKEN_ENV}=<a long random secret> to log in with it")
    if len(token) < MIN_LENGTH:
        raise ConfigError(f"{TOKEN_ENV} is too short: use at least {MIN_LENGTH} characters")
    return token


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Sessions:
    """Random session ids, one per login, with their expiry; logout (or expiry) forgets the id."""

    def __init__(self, lifetime: timedelta, clock: Callable[[], datetime]) -> None:
        if lifetime <= timedelta(0):
            raise ValueError(f"the session lifetime must be positive, got {lifetime}")
        self.lifetime, self.clock = lifetime, clock
        self._expiry: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        session = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._expiry = {s: t for s, t in self._expiry.items() if t > now}  # drop the expired
            self._expiry[session] = now + self.lifetime
        return session

    def valid(self, session: str | None) -> bool:
        if not session:
            return False
        with self._lock:
            expiry = self._expiry.get(session)
            if expiry is not None and expiry <= self.clock():
                del self._expiry[session]
                expiry = None
        return expiry is not None

    def end(self, session: str | None) -> None:
        with self._lock:
            self._expiry.pop(session or "", None)


class TokenAuth:
    """The token itself never leaves the process: a login gets a random session id instead."""

    def __init__(
        self, token: str, lifetime: timedelta = DEFAULT_LIFETIME, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        if not token:
            raise ValueError("the dashboard token must not be empty")
        self._token = token.encode()
        self.sessions = Sessions(lifetime, clock)

    def __repr__(self) -> str:
        return "TokenAuth(<hidden>)"

    def valid_token(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.strip().encode(), self._token)

    def allows(self, authorization: str | None, cookie: str | None) -> bool:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.valid_token(credentials):
            return True
        return self.sessions.valid(cookie)
