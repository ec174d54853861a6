"""The dashboard's rewards: rewards granted per month (by kind), voucher stock, members closest to the next tier."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from peerbot.bots.config import Settings
from peerbot.bots.rewards import Progress, Rewards
from peerbot.bots.schema_rewards import PoolStock
from peerbot.bots.state import StateStore

KINDS = ("voucher", "club", "thanks")
TABLES = ("rewards_by_month", "voucher_stock", "next_tier")  # CSV exports
Table = tuple[list[str], list[list[Any]]]


@dataclass(frozen=True)
class MonthGrants:
    month: str  # 2026-11
    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class RewardsSummary:
    months: list[MonthGrants]
    stock: list[PoolStock]
    closest: list[Progress]
    tiers: int


def summary(store: StateStore, settings: Settings, limit: int = 10) -> RewardsSummary:
    rewards = Rewards.from_settings(store, settings)
    counts: Counter[tuple[str, str]] = Counter(
        (g.granted_at.strftime("%Y-%m"), g.kind) for g in store.all_grants() if g.granted_at is not None
    )
    months = sorted({m for m, _ in counts}, reverse=True)
    return RewardsSummary(
        [MonthGrants(m, {k: counts[(m, k)] for k in KINDS}) for m in months],
        store.stock(rewards.pools),
        rewards.closest(limit),
        len(rewards.tiers),
    )


def tables(store: StateStore, settings: Settings) -> dict[str, Table]:
    """The CSV exports (codes are never exported)."""
    s = summary(store, settings, limit=1000)
    return {
        "rewards_by_month": (
            ["month", *KINDS, "total"],
            [[m.month, *(m.by_kind[k] for k in KINDS), m.total] for m in s.months],
        ),
        "voucher_stock": (
            ["pool", "left", "handed_out", "imported", "waiting"],
            [[p.pool, p.left, p.total - p.left, p.total, p.waiting] for p in s.stock],
        ),
        "next_tier": (
            ["superuser", "name", "points", "next_tier", "threshold", "missing"],
            [[c.member, c.name, c.points, c.tier, c.threshold, c.missing] for c in s.closest],
        ),
    }
