"""Rewards: tiers reached by points or rank, granted once per member; vouchers from single-use code pools,
delivered privately; the club (a Discord role, a Slack user group); announcements and the helper of the month.

Everything that must happen once (a grant, a code handed out, a private message, a club change, the monthly post)
is decided by the state store's once-only writes, so replicas and restarts never do it twice. Delivery goes
through the bot's outbox as Notices: "dm" (one member, privately), "admin", "club_add" / "club_remove", "announce".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from peerbot.bots import messages_rewards as words
from peerbot.bots.config import ClubSettings, Settings, Superuser
from peerbot.bots.notices import Notice
from peerbot.bots.schema_rewards import ClubChange, Grant, PoolStock
from peerbot.bots.state import StateStore
from peerbot.errors import RewardsError
from peerbot.knowledge.sanitize import neutralize_mentions

_DAY = timedelta(days=1)
MONTH_REASONS = ("accepted", "deflection")  # what makes a helper of the month


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: int  # points (a rank's tier: the rank's threshold)
    kind: str  # voucher / club / thanks
    pool: str | None
    message: str


def tiers_from(settings: Settings) -> list[Tier]:
    ranks = settings.recognition.ranks
    tiers = [
        Tier(t.name, t.points if t.points is not None else ranks[t.rank or ""], t.kind, t.pool, t.message)
        for t in settings.rewards
    ]
    return sorted(tiers, key=lambda t: (t.threshold, t.name))


def dm_platform(member: Superuser) -> str:
    """Where a member's private messages go: Discord, else Slack, else the console."""
    return "discord" if member.discord_id else "slack" if member.slack_id else "console"


@dataclass(frozen=True)
class Progress:
    member: str
    name: str
    points: int
    tier: str
    threshold: int

    @property
    def missing(self) -> int:
        return max(0, self.threshold - self.points)


class Rewards:
    def __init__(
        self,
        store: StateStore,
        tiers: Sequence[Tier],
        superusers: Sequence[Superuser],
        *,
        club: ClubSettings | None = None,
        low_stock: int = 3,
        community: str = "the community",
    ) -> None:
        self.store = store
        self.tiers = list(tiers)
        self.members = {s.community_id: s for s in superusers}
        self.club = club or ClubSettings()
        self.low_stock = low_stock
        self.community = community
        self._posted: str | None = None  # the month this process knows is posted

    @classmethod
    def from_settings(cls, store: StateStore, settings: Settings) -> Rewards:
        return cls(
            store,
            tiers_from(settings),
            settings.superusers,
            club=settings.club,
            low_stock=settings.vouchers.low_stock,
            community=settings.community.name,
        )

    def member(self, member: str) -> Superuser:
        return self.members.get(member) or Superuser(name=member, community_id=member)

    def find(self, who: str) -> Superuser | None:
        """A superuser by community id or name, any case."""
        wanted = who.strip().lower()
        return next((s for s in self.members.values() if wanted in (s.community_id.lower(), s.name.lower())), None)

    @property
    def pools(self) -> list[str]:
        return sorted({t.pool for t in self.tiers if t.pool})

    # -- granting -------------------------------------------------------------------------------------------

    def reached(self, member: str) -> list[Notice]:
        """After `member` earned points: grant the tiers they reached, then deliver what is due."""
        if not self.tiers or self._forgotten(member, set(self.store.forgotten_authors())):
            return []
        self._grant_reached(member, self.store.total_points(member))
        return self.pump()

    def sweep(self, now: datetime | None = None) -> list[Notice]:
        """The timer's round: tiers reached by anyone (new tiers in config, a crash before granting), vouchers
        waiting for codes that were imported since, club changes from the CLI, and the monthly post."""
        if self.tiers:
            held = {(g.member, g.tier) for g in self.store.all_grants()}
            forgotten = set(self.store.forgotten_authors())
            for member, total in self.store.points_by_superuser().items():
                if self._forgotten(member, forgotten):
                    continue  # `peerbot forget` by name leaves points keyed by id: never reward them again
                if any((member, t.name) not in held and t.threshold <= total for t in self.tiers):
                    self._grant_reached(member, total)
        return self.pump() + self.monthly(now or self.store.clock())

    def _forgotten(self, member: str, forgotten: set[str]) -> bool:
        return member.lower() in forgotten or self.member(member).name.lower() in forgotten

    def _grant_reached(self, member: str, total: int) -> None:
        for tier in self.tiers:
            granted = tier.threshold <= total and self.store.grant_reward(member, tier.name, tier.kind, tier.pool)
            if granted and tier.kind == "club":
                who = self.member(member)
                self.store.club_join(member, who.name, who.discord_id, who.slack_id)

    def pump(self) -> list[Notice]:
        """Codes for waiting vouchers, stock warnings, private messages and club changes not yet sent."""
        for grant in self.store.waiting_vouchers():
            self.store.assign_voucher(grant.id)
        notices = self._stock_warnings()
        totals = {}
        for grant in self.store.take_undelivered():
            if grant.member not in totals:
                totals[grant.member] = self.store.total_points(grant.member)
            notices += self._granted(grant, totals[grant.member])
        notices += [self._club_notice(change) for change in self.store.take_club_changes()]
        return notices

    def _granted(self, grant: Grant, points: int) -> list[Notice]:
        who = self.member(grant.member)
        tier = next((t for t in self.tiers if t.name == grant.tier), None)
        message = f"\n{tier.message}" if tier and tier.message else ""
        values = {"name": who.name, "tier": grant.tier, "points": points, "message": message, "code": grant.code}
        template = {"voucher": words.VOUCHER_DM, "club": words.CLUB_DM}.get(grant.kind, words.THANKS_DM)
        text = template.format(**values)
        notices = [Notice("dm", text, superusers=(who,), platform=dm_platform(who), receipt=grant.id)]
        if grant.member not in self.store.opted_out():
            notices.append(Notice("announce", words.TIER_ANNOUNCE.format(name=who.name, tier=grant.tier)))
        return notices

    def _club_notice(self, change: ClubChange) -> Notice:
        who = Superuser(
            name=change.name, community_id=change.member, discord_id=change.discord_id, slack_id=change.slack_id
        )
        kind = "club_add" if change.state == "added" else "club_remove"
        return Notice(kind, change.name, superusers=(who,))  # type: ignore[arg-type]

    def _stock_warnings(self) -> list[Notice]:
        notices = []
        for stock in self.store.stock(self.pools):
            level = self._level(stock)
            if level and self.store.warn_pool(stock.pool, level):
                template = {"low": words.POOL_LOW, "empty": words.POOL_EMPTY}.get(level, words.POOL_WAITING)
                text = template.format(pool=stock.pool, left=stock.left, waiting=stock.waiting)
                notices.append(Notice("admin", text))
        return notices

    def _level(self, stock: PoolStock) -> str:
        if stock.left == 0 and stock.waiting:
            return "waiting"
        if stock.left == 0 and stock.total:
            return "empty"
        if 0 < stock.left <= self.low_stock:
            return "low"
        return ""

    # -- admin ----------------------------------------------------------------------------------------------

    def revoke(self, member: str) -> list[Grant]:
        """End a member's club membership: every club tier they hold is revoked (never granted again) and the
        platforms remove them on the next pump."""
        revoked = [g for t in self.tiers if t.kind == "club" for g in [self.store.revoke_grant(member, t.name)] if g]
        self.store.club_leave(member)
        return revoked

    # -- recognition in the open ------------------------------------------------------------------------------

    def announces(self, member: str) -> bool:
        return member not in self.store.opted_out()

    def monthly(self, now: datetime) -> list[Notice]:
        """Once a month (the first round after the month turns, on one replica): last month's helper."""
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        previous = (start.replace(day=1) - _DAY).replace(day=1)
        month = previous.strftime("%Y-%m")
        if self._posted == month:
            return []
        counts = {reason: self.store.awards_between((reason,), previous, start) for reason in MONTH_REASONS}
        quiet = self.store.opted_out()
        scores = {
            who: (counts["accepted"][who] + counts["deflection"][who], counts["accepted"][who])
            for who in set(counts["accepted"]) | set(counts["deflection"])
            if who not in quiet
        }
        winner = min(scores, key=lambda w: (-scores[w][0], -scores[w][1], self.member(w).name)) if scores else None
        claimed = self.store.claim_month(month, winner)
        self._posted = month
        if not claimed or winner is None:
            return []
        text = words.HELPER_OF_THE_MONTH.format(
            month=previous.strftime("%B %Y"),
            name=self.member(winner).name,
            accepted=counts["accepted"][winner],
            deflections=counts["deflection"][winner],
        )
        return [Notice("announce", text)]

    def thank_you(self, member: str) -> str:
        """The line in the asker's thread when a superuser's answer solved it."""
        if not self.announces(member):
            return words.THANK_YOU_ANONYMOUS
        return words.THANK_YOU_IN_THREAD.format(name=neutralize_mentions(self.member(member).name))

    # -- a member's own view and the dashboard's ----------------------------------------------------------------

    def me(self, member: str, points: int, rank: str, badges: Sequence[str], *, private: bool) -> str:
        """`/me`: points, rank, badges, rewards (codes only where nobody else reads), what the next tier needs."""
        who = self.member(member)
        lines = [words.ME_HEADER.format(name=who.name, points=points, rank=rank or "no rank yet")]
        if badges:
            lines.append(words.ME_BADGES.format(badges=", ".join(badges)))
        grants = self.store.grants_for(member)
        lines.append(words.ME_REWARDS if grants else words.ME_NO_REWARDS)
        for grant in grants:
            lines.append(f"  - {grant.tier} ({grant.kind}): {self._state(grant, private)}")
        upcoming = self.next_tier(member, points)
        if upcoming is not None:
            lines.append(
                words.ME_NEXT.format(
                    tier=upcoming.name, threshold=upcoming.threshold, missing=upcoming.threshold - points
                )
            )
        elif self.tiers:
            lines.append(words.ME_ALL_TIERS)
        lines.append(words.ME_ANNOUNCE_ON if self.announces(member) else words.ME_ANNOUNCE_OFF)
        return "\n".join(lines)

    @staticmethod
    def _state(grant: Grant, private: bool) -> str:
        when = f" on {grant.granted_at:%Y-%m-%d}" if grant.granted_at else ""
        if grant.status == "revoked":
            return f"revoked{f' on {grant.revoked_at:%Y-%m-%d}' if grant.revoked_at else ''}"
        if grant.status == "waiting":
            return "waiting for a voucher code (you'll get it privately as soon as codes are added)"
        if grant.kind == "voucher":
            code = f"code {grant.code}" if private else "code sent to you privately (ask `/me` in a DM to see it)"
            return f"granted{when}, {code}"
        return f"granted{when}"

    def next_tier(self, member: str, points: int) -> Tier | None:
        held = {g.tier for g in self.store.grants_for(member)}
        return next((t for t in self.tiers if t.name not in held and t.threshold > points), None)

    def closest(self, limit: int = 10) -> list[Progress]:
        """Members closest to their next tier (fewest points missing)."""
        out = []
        for member, points in self.store.points_by_superuser().items():
            tier = self.next_tier(member, points)
            if tier is not None:
                out.append(Progress(member, self.member(member).name, points, tier.name, tier.threshold))
        return sorted(out, key=lambda p: (p.missing, p.name))[:limit]


def read_codes(path: Path) -> list[str]:
    """Single-use codes from a CSV file: the first column of each row; a header row `code`, blank rows and
    repeats within the file are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RewardsError(f"{path}: no such file", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RewardsError(f"{path}: cannot read it as UTF-8 text ({exc})", file=path) from None
    codes: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        code = row[0].strip() if row else ""
        if not code or (code.lower() in ("code", "codes", "voucher") and not codes):
            continue
        if len(code) > 256:
            raise RewardsError(f"{path}: a code longer than 256 characters ({code[:20]}…)", file=path)
        if code not in codes:
            codes.append(code)
    return codes


def check_pool(settings: Settings, pool: str) -> None:
    pools = sorted({t.pool for t in settings.rewards if t.pool})
    if pool not in pools:
        known = ", ".join(pools) or 'none: add a [[rewards]] tier with kind = "voucher" and a pool'
        raise RewardsError(f"no [[rewards]] voucher tier uses the pool {pool!r} (pools: {known})", pool=pool)
