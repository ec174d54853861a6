"""The state store's side of one person, one identity (bots/identity.py): rows kept under an account of a configured
person other than their key (points earned while config.toml named them by their Slack id, say) are moved to the
person's key when the store is opened with the configuration, so every read sees one person.

Idempotent and cheap when there is nothing to move (indexed lookups), so it runs at every start-up: a slack_id or
discord_id added to a record later is merged by the next start. Where the person already has the same row (the
same award, badge, tier or setting), theirs is kept and the account's copy dropped; a reward tier the account
was granted with a voucher code in it stays on record under the account, so the code is never lost."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from peerbot.bots.schema import BadgeRow, Base, EscalationRow, PointsRow, Queries, SuperuserStatusRow
from peerbot.bots.schema_rewards import AnnounceOptOutRow, ClubMemberRow, MonthlyPostRow, RewardGrantRow

log = logging.getLogger(__name__)
MERGE_LOCK = 0x69646E74  # pg_advisory_xact_lock key ("idnt")

# (table, the column holding the person, the columns that with it make a row unique): a few rows per person,
# merged row by row; the points ledger has its own two statements
_KEYED: tuple[tuple[type[Base], str, tuple[str, ...]], ...] = (
    (BadgeRow, "superuser", ("badge",)),
    (SuperuserStatusRow, "superuser", ()),
    (RewardGrantRow, "member", ("tier",)),
    (ClubMemberRow, "member", ()),
    (AnnounceOptOutRow, "member", ()),
)
_PLAIN: tuple[InstrumentedAttribute[Any], ...] = (  # columns naming a person without a uniqueness to keep
    EscalationRow.answered_by,
    EscalationRow.claimed_by,
    MonthlyPostRow.member,
)


class IdentityQueries(Queries):
    def merge_accounts(self, aliases: dict[str, str]) -> Counter[str]:
        """Move rows kept under each alias account to its person key (`People.aliases()`); rows moved per
        account (an account's copies of rows the person already has count too: they are dropped)."""
        moved: Counter[str] = Counter()
        if not aliases:
            return moved
        with self._session() as s:
            if s.get_bind().dialect.name == "postgresql":  # replicas starting together merge one at a time
                s.execute(text(f"SELECT pg_advisory_xact_lock({MERGE_LOCK})"))  # (SQLite: BEGIN IMMEDIATE)
            for account, person in _present(s, PointsRow.superuser, aliases):
                moved[account] += _merge_points(s, account, person)
            for model, column, unique in _KEYED:
                for row in s.scalars(select(model).where(getattr(model, column).in_(aliases))).all():
                    account = getattr(row, column)
                    if _merge_row(s, model, column, unique, row, aliases[account]):
                        moved[account] += 1
            for attribute in _PLAIN:
                keep = {"updated_at": EscalationRow.updated_at} if attribute.class_ is EscalationRow else {}
                for account, person in _present(s, attribute, aliases):
                    change = (
                        update(attribute.class_).where(attribute == account).values({attribute.key: person, **keep})
                    )
                    moved[account] += s.execute(change).rowcount  # type: ignore[attr-defined]
            moved += _merge_ladders(s, aliases)
        for account, rows in moved.items():
            log.warning("merged %d row(s) kept under %s into the configured person %s", rows, account, aliases[account])
        return moved


def _merge_ladders(s: Session, aliases: dict[str, str]) -> Counter[str]:
    """Escalations whose ladder has steps to come (an indexed few): who was pinged and the experts still to ping
    name the person, so the ladder neither pings them again nor skips them (the rest keep the ids they were
    written with)."""
    moved: Counter[str] = Counter()
    lists = (EscalationRow.superusers, EscalationRow.experts)
    named = or_(*(cast(c, String).like(f'%"{account}"%') for c in lists for account in aliases))
    for row in s.execute(select(EscalationRow.id, *lists).where(EscalationRow.next_ping_at.is_not(None), named)).all():
        pinged, experts = ([aliases.get(i, i) for i in ids] for ids in (row.superusers, row.experts))
        for account in {i for i in (*row.superusers, *row.experts) if i in aliases}:
            moved[account] += 1
        s.execute(
            update(EscalationRow)
            .where(EscalationRow.id == row.id)
            .values(
                superusers=list(dict.fromkeys(pinged)),
                experts=list(dict.fromkeys(experts)),
                updated_at=EscalationRow.updated_at,
            ),
            execution_options={"synchronize_session": False},
        )
    return moved


def _present(s: Session, attribute: InstrumentedAttribute[Any], aliases: dict[str, str]) -> list[tuple[str, str]]:
    """The accounts that have rows in this column (one indexed lookup; usually none), with their person."""
    found = s.scalars(select(attribute).where(attribute.in_(aliases)).distinct()).all()
    return [(account, aliases[account]) for account in found]


def _merge_points(s: Session, account: str, person: str) -> int:
    """The ledger, in two statements (it can hold thousands of awards): the account's awards the person already
    has go, the rest become the person's."""
    theirs = aliased(PointsRow)
    already = select(theirs.id).where(
        theirs.superuser == person, theirs.reason == PointsRow.reason, theirs.ref == PointsRow.ref
    )
    plain = {"synchronize_session": False}  # no row of the ledger is loaded in this session
    dropped = s.execute(
        delete(PointsRow).where(PointsRow.superuser == account, already.exists()), execution_options=plain
    )
    given = s.execute(
        update(PointsRow).where(PointsRow.superuser == account).values(superuser=person), execution_options=plain
    )
    return int(dropped.rowcount + given.rowcount)  # type: ignore[attr-defined]


def _merge_row(s: Session, model: type[Base], column: str, unique: tuple[str, ...], row: Any, person: str) -> bool:
    """Give the row to the person, or drop it where the person has it already; False: kept as it was."""
    same = select(model).where(
        getattr(model, column) == person, *(getattr(model, c) == getattr(row, c) for c in unique)
    )
    theirs: Any = s.scalars(same).first()
    if theirs is None:
        setattr(row, column, person)  # part of the primary key for some: the ORM updates it by the old key
        s.flush()
        return True
    if model is RewardGrantRow and row.code is not None:
        return False  # a second code was handed out before the accounts were one person: it stays on record
    if model is BadgeRow and row.earned_at < theirs.earned_at:
        theirs.earned_at = row.earned_at  # earned first under the other account
    s.delete(row)
    s.flush()
    return True
