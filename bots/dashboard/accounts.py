"""Named dashboard accounts with roles (viewer < moderator < admin); passwords hashed with argon2id
(argon2-cffi), never stored or logged. `peerbot admins add NAME --role ROLE` creates them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from peerbot.bots.extras import require_extra
from peerbot.errors import ConfigError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from peerbot.bots.state import StateStore

ROLES = ("viewer", "moderator", "admin")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
WHAT_ROLES_MAY = {
    "viewer": "read every page and export CSV",
    "moderator": "also hide and edit knowledge entries, claim, reassign, answer and close escalations, add FAQ entries",
    "admin": "also see the accounts",
}


def at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _hasher() -> PasswordHasher:
    require_extra("dashboard", "dashboard accounts")
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


class Accounts:
    """The accounts kept in the state store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._hasher = _hasher()
        self._dummy = self._hasher.hash("not-a-real-password")  # unknown names cost as much as wrong passwords

    def add(self, name: str, role: str, password: str, by: str = "cli") -> None:
        if not NAME.match(name):
            raise ConfigError(f"account name {name!r}: letters, digits and . _ @ - only, at most 64 characters")
        if role not in ROLES:
            raise ConfigError(f"role {role!r}: use one of {', '.join(ROLES)}")
        if not self.store.add_admin(name, role, hash_password(password)):
            raise ConfigError(f"there is already an account named {name!r} (peerbot admins remove {name} first)")
        self.store.audit(by, "add account", f"account {name}", None, {"name": name, "role": role})

    def remove(self, name: str, by: str = "cli") -> None:
        account = self.store.admin_account(name)
        if account is None or not self.store.remove_admin(name):
            raise ConfigError(f"there is no account named {name!r}")
        self.store.audit(by, "remove account", f"account {name}", {"name": name, "role": account.role}, None)

    def verify(self, name: str, password: str) -> str | None:
        """The account's role when the password is right, else None."""
        from argon2.exceptions import InvalidHashError, VerificationError

        account = self.store.admin_account(name)
        try:
            self._hasher.verify(account.password_hash if account else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return account.role if account else None

    def role(self, name: str) -> str | None:
        account = self.store.admin_account(name)
        return account.role if account else None
