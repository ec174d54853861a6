"""The state store's kudos ledger: one row per award (so any period can be summed) and the badges earned."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select

from peerbot.bots.schema import BadgeRow, PointsRow, Queries


class LedgerQueries(Queries):
    def add_points(self, superuser: str, points: int, reason: str, ref: str) -> bool:
        """Once per (superuser, reason, ref): True when this call awarded them."""
        return self._add_once(
            PointsRow, superuser=superuser, points=points, reason=reason, ref=ref, created_at=self.clock()
        )

    def grant_badge(self, superuser: str, badge: str) -> bool:
        """True the first time."""
        return self._add_once(BadgeRow, superuser=superuser, badge=badge, earned_at=self.clock())

    def awards_by_reason(self, superuser: str) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(
                select(PointsRow.reason, func.count())
                .where(PointsRow.superuser == superuser)
                .group_by(PointsRow.reason)
            ).all()
        return {reason: int(n) for reason, n in rows}

    def total_points(self, superuser: str, since: datetime | None = None) -> int:
        with self._session() as s:
            query = select(func.coalesce(func.sum(PointsRow.points), 0)).where(PointsRow.superuser == superuser)
            if since is not None:
                query = query.where(PointsRow.created_at >= since)
            return int(s.scalar(query) or 0)

    def points_by_superuser(self, since: datetime | None = None) -> dict[str, int]:
        with self._session() as s:
            query = select(PointsRow.superuser, func.sum(PointsRow.points)).group_by(PointsRow.superuser)
            if since is not None:
                query = query.where(PointsRow.created_at >= since)
            return {who: int(p) for who, p in s.execute(query).all()}

    def badges_by_superuser(self) -> dict[str, list[str]]:
        """Each superuser's badges in the order earned."""
        badges: dict[str, list[str]] = defaultdict(list)
        with self._session() as s:
            for row in s.scalars(select(BadgeRow).order_by(BadgeRow.earned_at)):
                badges[row.superuser].append(row.badge)
        return badges

    def award_counts(self, reason: str, since: datetime | None = None) -> Counter[str]:
        """How many awards of one kind each superuser got."""
        with self._session() as s:
            query = select(PointsRow.superuser).where(PointsRow.reason == reason)
            if since is not None:
                query = query.where(PointsRow.created_at >= since)
            return Counter(s.scalars(query))
