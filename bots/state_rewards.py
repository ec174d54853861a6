"""The state store's rewards: grants once per (member, tier), single-use voucher codes handed out by exactly one
transaction, club membership changes taken by exactly one replica, opt-outs and the monthly post."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from peerbot.bots.schema import PointsRow, Queries, frozen
from peerbot.bots.schema_rewards import (
    AnnounceOptOutRow,
    ClubChange,
    ClubMemberRow,
    Grant,
    MonthlyPostRow,
    PoolStock,
    RewardGrantRow,
    VoucherCodeRow,
    VoucherPoolRow,
)

WARNING_LEVELS = ("", "low", "empty", "waiting")  # a pool's stock warnings, least severe first


def _grant(row: RewardGrantRow) -> Grant:
    found = frozen(Grant, row)
    assert found is not None
    return found


class RewardQueries(Queries):
    # -- grants -------------------------------------------------------------------------------------------------

    def grant_reward(self, member: str, tier: str, kind: str, pool: str | None) -> bool:
        """Record that `member` reached `tier`; True only for the call that recorded it (once across replicas).
        A voucher starts "waiting" for a code; a club or thank-you tier is granted at once."""
        now = self.clock()
        voucher = kind == "voucher"
        return self._add_once(
            RewardGrantRow,
            member=member,
            tier=tier,
            kind=kind,
            pool=pool,
            status="waiting" if voucher else "granted",
            created_at=now,
            granted_at=None if voucher else now,
        )

    def waiting_vouchers(self) -> list[Grant]:
        """Voucher grants waiting for a code, oldest first (they get codes in that order)."""
        with self._session() as s:
            rows = s.scalars(
                select(RewardGrantRow).where(RewardGrantRow.status == "waiting").order_by(RewardGrantRow.id)
            )
            return [_grant(r) for r in rows]

    def assign_voucher(self, grant_id: int) -> str | None:
        """Hand the waiting grant the pool's oldest free code, in one transaction: a code goes to one grant and a
        grant gets one code, whichever replicas try at the same moment. None: no code is free (it keeps waiting)."""
        with self._session() as s:
            grant = s.scalars(
                select(RewardGrantRow)
                .where(RewardGrantRow.id == grant_id, RewardGrantRow.status == "waiting")
                .with_for_update()
            ).first()
            if grant is None or grant.pool is None:
                return None
            code = s.scalars(
                select(VoucherCodeRow)
                .where(VoucherCodeRow.pool == grant.pool, VoucherCodeRow.grant_id.is_(None))
                .order_by(VoucherCodeRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if code is None:
                return None
            code.grant_id = grant.id
            grant.status, grant.code, grant.granted_at = "granted", code.code, self.clock()
            return code.code

    def take_undelivered(self, lease_seconds: float = 300.0) -> list[Grant]:
        """Granted rewards whose private message is not sent yet, each returned to one caller; one taken by a
        replica that died before `mark_rewards_sent` is returned again once its lease has run out."""
        now = self.clock()
        with self._session() as s:
            rows = s.scalars(
                update(RewardGrantRow)
                .where(RewardGrantRow.status == "granted", RewardGrantRow.sent_at.is_(None))
                .where(
                    or_(
                        RewardGrantRow.taken_at.is_(None),
                        RewardGrantRow.taken_at < now - timedelta(seconds=lease_seconds),
                    )
                )
                .values(taken_at=now)
                .returning(RewardGrantRow)
            ).all()
            return sorted((_grant(r) for r in rows), key=lambda g: g.id)

    def mark_rewards_sent(self, grant_ids: Sequence[int]) -> None:
        """The adapters had these grants' private messages: they are not sent again."""
        with self._session() as s:
            s.execute(update(RewardGrantRow).where(RewardGrantRow.id.in_(list(grant_ids))).values(sent_at=self.clock()))

    def grants_for(self, member: str) -> list[Grant]:
        with self._session() as s:
            rows = s.scalars(select(RewardGrantRow).where(RewardGrantRow.member == member).order_by(RewardGrantRow.id))
            return [_grant(r) for r in rows]

    def all_grants(self) -> list[Grant]:
        with self._session() as s:
            return [_grant(r) for r in s.scalars(select(RewardGrantRow).order_by(RewardGrantRow.id))]

    def revoke_grant(self, member: str, tier: str) -> Grant | None:
        """Mark a grant revoked (it is not granted again); None when there is no such live grant."""
        with self._session() as s:
            row = s.scalars(
                update(RewardGrantRow)
                .where(RewardGrantRow.member == member, RewardGrantRow.tier == tier)
                .where(RewardGrantRow.status != "revoked")
                .values(status="revoked", revoked_at=self.clock())
                .returning(RewardGrantRow)
            ).first()
            return _grant(row) if row is not None else None

    # -- voucher pools --------------------------------------------------------------------------------------

    def import_codes(self, pool: str, codes: Iterable[str]) -> tuple[int, int]:
        """Add single-use codes to a pool: (added, skipped as already there). The pool's warnings start over."""
        added = skipped = 0
        for code in codes:
            if self._add_once(VoucherCodeRow, pool=pool, code=code, imported_at=self.clock()):
                added += 1
            else:
                skipped += 1
        self._add_once(VoucherPoolRow, pool=pool, warned="")
        with self._session() as s:
            s.execute(update(VoucherPoolRow).where(VoucherPoolRow.pool == pool).values(warned=""))
        return added, skipped

    def stock(self, pools: Sequence[str] = ()) -> list[PoolStock]:
        """Every pool with codes or waiting grants (and the `pools` named), by name."""
        with self._session() as s:
            totals = dict(s.execute(select(VoucherCodeRow.pool, func.count()).group_by(VoucherCodeRow.pool)).all())
            free = dict(
                s.execute(
                    select(VoucherCodeRow.pool, func.count())
                    .where(VoucherCodeRow.grant_id.is_(None))
                    .group_by(VoucherCodeRow.pool)
                ).all()
            )
            waiting = dict(
                s.execute(
                    select(RewardGrantRow.pool, func.count())
                    .where(RewardGrantRow.status == "waiting")
                    .group_by(RewardGrantRow.pool)
                ).all()
            )
        names = sorted(str(p) for p in {*totals, *waiting, *pools} if p is not None)
        return [PoolStock(p, int(totals.get(p, 0)), int(free.get(p, 0)), int(waiting.get(p, 0))) for p in names]

    def warn_pool(self, pool: str, level: str) -> bool:
        """True for the one caller that first reaches `level` since the pool's last import; levels only go up
        ("" < "low" < "empty" < "waiting"), so each warning is sent once, whatever order replicas see them in."""
        self._add_once(VoucherPoolRow, pool=pool, warned="")
        below = WARNING_LEVELS[: WARNING_LEVELS.index(level)]
        with self._session() as s:
            row = s.execute(
                update(VoucherPoolRow)
                .where(VoucherPoolRow.pool == pool, VoucherPoolRow.warned.in_(below))
                .values(warned=level)
                .returning(VoucherPoolRow.pool)
            ).first()
            return row is not None

    # -- the club -------------------------------------------------------------------------------------------

    def club_join(self, member: str, name: str, discord_id: str | None, slack_id: str | None) -> None:
        """The member joins the club: the platforms add them on the next `take_club_changes`."""
        if not self._add_once(
            ClubMemberRow,
            member=member,
            name=name,
            discord_id=discord_id,
            slack_id=slack_id,
            state="adding",
            changed_at=self.clock(),
        ):
            with self._session() as s:
                s.execute(
                    update(ClubMemberRow)
                    .where(ClubMemberRow.member == member, ClubMemberRow.state.in_(("removing", "removed")))
                    .values(state="adding", changed_at=self.clock())
                )

    def club_leave(self, member: str) -> bool:
        """The member leaves the club (revoked or forgotten); True when they were in it."""
        with self._session() as s:
            result = s.execute(
                update(ClubMemberRow)
                .where(ClubMemberRow.member == member, ClubMemberRow.state.in_(("adding", "added")))
                .values(state="removing", changed_at=self.clock())
            )
            return bool(getattr(result, "rowcount", 0))

    def take_club_changes(self) -> list[ClubChange]:
        """Memberships to add or remove on the platforms, each returned to exactly one caller."""
        changes: list[ClubChange] = []
        with self._session() as s:
            for before, after in (("adding", "added"), ("removing", "removed")):
                rows = s.scalars(
                    update(ClubMemberRow)
                    .where(ClubMemberRow.state == before)
                    .values(state=after, changed_at=self.clock())
                    .returning(ClubMemberRow)
                ).all()
                changes += [ClubChange(r.member, r.name, r.discord_id, r.slack_id, after) for r in rows]
        return changes

    def club_members(self) -> list[str]:
        with self._session() as s:
            query = select(ClubMemberRow.member).where(ClubMemberRow.state.in_(("adding", "added")))
            return sorted(s.scalars(query))

    # -- announcements --------------------------------------------------------------------------------------

    def set_announce(self, member: str, announce: bool) -> None:
        if not announce:
            self._add_once(AnnounceOptOutRow, member=member, created_at=self.clock())
            return
        with self._session() as s:
            s.execute(delete(AnnounceOptOutRow).where(AnnounceOptOutRow.member == member))

    def opted_out(self) -> set[str]:
        with self._session() as s:
            return set(s.scalars(select(AnnounceOptOutRow.member)))

    def claim_month(self, month: str, member: str | None) -> bool:
        """True for the one caller that makes this month's post."""
        return self._add_once(MonthlyPostRow, month=month, member=member, posted_at=self.clock())

    def awards_between(self, reasons: Sequence[str], start: datetime, end: datetime) -> Counter[str]:
        """How many awards of these kinds each member got in [start, end)."""
        with self._session() as s:
            rows = s.scalars(
                select(PointsRow.superuser).where(
                    PointsRow.reason.in_(reasons), PointsRow.created_at >= start, PointsRow.created_at < end
                )
            )
            return Counter(rows)

    # -- forgetting ----------------------------------------------------------------------------------------

    def forget_rewards(self, member: str) -> int:
        """A forgotten member: their grants and opt-out go; the club membership is removed on the platforms first
        (the row goes once a replica has taken the change). Codes handed to them stay used."""
        self.club_leave(member)
        with self._session() as s:
            grants = s.execute(delete(RewardGrantRow).where(RewardGrantRow.member == member))
            s.execute(delete(AnnounceOptOutRow).where(AnnounceOptOutRow.member == member))
            return int(getattr(grants, "rowcount", 0) or 0)
