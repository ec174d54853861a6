"""One person, one identity. A configured superuser is one `[[superusers]]` record whose accounts (community_id,
slack_id, discord_id) all resolve to one person key, the community_id: it keys their points, badges, rewards, away
status and routing, whichever platform they use. Members who are not configured stay keyed by their account."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peerbot.bots.config import Superuser

ACCOUNT_KEYS = ("community_id", "slack_id", "discord_id")


def accounts(person: Superuser) -> dict[str, str]:
    """The person's accounts by config key; an id given under two keys (community_id = slack_id) once."""
    found: dict[str, str] = {}
    for key in ACCOUNT_KEYS:
        account = getattr(person, key)
        if account and account not in found.values():
            found[key] = account
    return found


class People:
    """Who is who: any account of a configured person -> that person's key."""

    def __init__(self, superusers: Iterable[Superuser]) -> None:
        self.superusers = list(superusers)
        self._key = {account: s.community_id for s in self.superusers for account in accounts(s).values()}

    def person_of(self, account: str | None) -> str | None:
        """The person key of a configured person's account, else None (a member who is not configured)."""
        return self._key.get(account) if account else None

    def key_of(self, account: str) -> str:
        """The key state is kept under: the person's for a configured person's account, else the account."""
        return self._key.get(account, account)

    def all_accounts(self) -> set[str]:
        return set(self._key)

    def aliases(self) -> dict[str, str]:
        """Accounts other than the person key -> the key: rows kept under them belong to the person."""
        return {account: key for account, key in self._key.items() if account != key}


def shared_accounts(superusers: Sequence[Superuser]) -> list[str]:
    """Problems: an account (any id) that two `[[superusers]]` records both give, naming both."""
    owner: dict[str, tuple[int, Superuser, str]] = {}
    problems = []
    for i, person in enumerate(superusers):
        for key, account in accounts(person).items():
            if account in owner:
                j, other, other_key = owner[account]
                problems.append(
                    f"{account!r} is superusers[{j}].{other_key} ({other.name}) and superusers[{i}].{key} "
                    f"({person.name}): an account belongs to one person, give each person one record"
                )
            else:
                owner[account] = (i, person, key)
    return problems
