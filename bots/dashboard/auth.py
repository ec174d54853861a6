"""Dashboard login: named accounts (bots/dashboard/accounts.py) or the setup token from the environment; each
login gets a random session id held on the server, with its own CSRF token for the forms."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from peerbot.bots.dashboard import TOKEN_ENV
from peerbot.bots.dashboard.accounts import at_least
from peerbot.errors import ConfigError

if TYPE_CHECKING:
    from peerbot.bots.dashboard.accounts import Accounts

COOKIE = "peerbot_dashboard"
LOGIN_COOKIE = "peerbot_login"  # the login form's own CSRF token (double submit), before there is a session
MIN_LENGTH = 8
DEFAULT_LIFETIME = timedelta(hours=12)
TOKEN_USER = "token"  # who the audit log names for changes made with the setup token


def token_from_env(required: bool = True) -> str | None:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        if not required:
            return None
        raise ConfigError(
            f"{TOKEN_ENV} is not set and there are no dashboard accounts: create one with "
            f"`peerbot admins add NAME --role admin`, or export {TOKEN_ENV}=<a long random secret>"
        )
    if len(token) < MIN_LENGTH:
        raise ConfigError(f"{TOKEN_ENV} is too short: use at least {MIN_LENGTH} characters")
    return token


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Identity:
    """Who a request comes from. `csrf` is the token its forms must send back; a bearer request has none to
    check (a browser never adds an Authorization header on its own)."""

    name: str
    role: str
    csrf: str = ""
    bearer: bool = False

    def may(self, role: str) -> bool:
        return at_least(self.role, role)


class Sessions:
    """Random session ids, one per login, with who logged in and the expiry; logout (or expiry) forgets the id."""

    def __init__(self, lifetime: timedelta, clock: Callable[[], datetime]) -> None:
        if lifetime <= timedelta(0):
            raise ValueError(f"the session lifetime must be positive, got {lifetime}")
        self.lifetime, self.clock = lifetime, clock
        self._held: dict[str, tuple[datetime, Identity]] = {}
        self._lock = threading.Lock()

    def start(self, name: str = TOKEN_USER, role: str = "admin") -> str:
        session = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._held = {s: held for s, held in self._held.items() if held[0] > now}  # drop the expired
            self._held[session] = (now + self.lifetime, Identity(name, role, secrets.token_urlsafe(24)))
        return session

    def get(self, session: str | None) -> Identity | None:
        if not session:
            return None
        with self._lock:
            held = self._held.get(session)
            if held is not None and held[0] <= self.clock():
                del self._held[session]
                held = None
        return held[1] if held else None

    def valid(self, session: str | None) -> bool:
        return self.get(session) is not None

    def end(self, session: str | None) -> None:
        with self._lock:
            self._held.pop(session or "", None)


class TokenAuth:
    """The token itself never leaves the process: a login gets a random session id instead. With `accounts`,
    people log in by name and password; the token (if set) stays for scripts and the first login."""

    def __init__(
        self,
        token: str | None,
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Callable[[], datetime] = _utcnow,
        accounts: Accounts | None = None,
    ) -> None:
        if token is not None and not token:
            raise ValueError("the dashboard token must not be empty")
        if token is None and accounts is None:
            raise ValueError("the dashboard needs a token or accounts to log in with")
        self._token = token.encode() if token else None
        self.accounts = accounts
        self.sessions = Sessions(lifetime, clock)

    def __repr__(self) -> str:
        return "TokenAuth(<hidden>)"

    def valid_token(self, given: str | None) -> bool:
        return (
            self._token is not None and given is not None and hmac.compare_digest(given.strip().encode(), self._token)
        )

    def login(self, name: str, password: str) -> Identity | None:
        """An account's name and password, or (no name) the setup token."""
        name = name.strip()
        if not name:
            return Identity(TOKEN_USER, "admin") if self.valid_token(password) else None
        if self.accounts is None:
            return None
        role = self.accounts.verify(name, password)
        return Identity(name, role) if role else None

    def identify(self, authorization: str | None, cookie: str | None) -> Identity | None:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.valid_token(credentials):
            return Identity(TOKEN_USER, "admin", bearer=True)
        found = self.sessions.get(cookie)
        if found is None or found.name == TOKEN_USER or self.accounts is None:
            return found
        role = self.accounts.role(found.name)  # a removed account or changed role counts at once
        if role is None:
            self.sessions.end(cookie)
            return None
        return found if role == found.role else Identity(found.name, role, found.csrf)

    def allows(self, authorization: str | None, cookie: str | None) -> bool:
        return self.identify(authorization, cookie) is not None
