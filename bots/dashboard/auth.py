"""Admin login: one token from the environment, checked from a bearer header or the session cookie."""

from __future__ import annotations

import hashlib
import hmac
import os

from peerbot.bots.dashboard import TOKEN_ENV
from peerbot.errors import ConfigError

COOKIE = "peerbot_dashboard"
MIN_LENGTH = 8


def token_from_env() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(f"{TOKEN_ENV} is not set: export {TOKEN_ENV}=<a long random secret> to log in with it")
    if len(token) < MIN_LENGTH:
        raise ConfigError(f"{TOKEN_ENV} is too short: use at least {MIN_LENGTH} characters")
    return token


class TokenAuth:
    """The token itself never leaves the process: the cookie holds an HMAC of it."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the dashboard token must not be empty")
        self._token = token.encode()
        self.session = hmac.new(self._token, b"peerbot-dashboard-session", hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "TokenAuth(<hidden>)"

    def valid_token(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.strip().encode(), self._token)

    def valid_cookie(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.session.encode())

    def allows(self, authorization: str | None, cookie: str | None) -> bool:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.valid_token(credentials):
            return True
        return self.valid_cookie(cookie)
