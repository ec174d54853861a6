"""Kudos points, ranks and badges for superusers; the leaderboard; who should become a superuser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from peerbot.bots.config import RecognitionSettings, Superuser
from peerbot.bots.identity import People
from peerbot.bots.notices import Notice
from peerbot.bots.state import Escalation, StateStore
from peerbot.knowledge.entries import KnowledgeEntry

if TYPE_CHECKING:
    from peerbot.bots.rewards import Rewards

FIRST_ANSWER = "First Answer"
FAST_RESPONDER = "Fast Responder"


def solutions_badge(n: int) -> str:
    return f"{n} Solutions"


@dataclass(frozen=True)
class Standing:
    superuser: str  # community id
    name: str
    points: int
    rank: str
    badges: tuple[str, ...]


class Recognition:
    def __init__(self, store: StateStore, settings: RecognitionSettings, superusers: Sequence[Superuser]) -> None:
        self.store = store
        self.settings = settings
        self.names = {s.community_id: s.name for s in superusers}
        self.rewards: Rewards | None = None  # reward tiers reached by points (bots/rewards.py)

    def rank_for(self, points: int) -> str:
        reached = [(threshold, name) for name, threshold in self.settings.ranks.items() if points >= threshold]
        return max(reached)[1] if reached else ""

    def points_for(self, reason: str) -> int:
        return int(getattr(self.settings, f"{reason}_points"))

    def award(self, superuser: str, reason: str, ref: str, *, fast: bool = False) -> list[Notice]:
        """Record points once per (superuser, reason, ref); announce new ranks and badges."""
        points = self.points_for(reason)
        before = self.total(superuser)
        if not self.store.add_points(superuser, points, reason, ref):
            return []  # already awarded for this
        notices = []
        rank = self.rank_for(before + points)
        if rank != self.rank_for(before):
            notices.append(
                self._announce(f"{self.names.get(superuser, superuser)} is now a {rank}! ({before + points} points)")
            )
        for badge in self._new_badges(superuser, reason, fast):
            notices.append(self._announce(f'{self.names.get(superuser, superuser)} earned the "{badge}" badge.'))
        if superuser in self.store.opted_out():  # they asked not to be named in public
            notices = []
        if self.rewards is not None:
            notices += self.rewards.reached(superuser)
        return notices

    def _new_badges(self, superuser: str, reason: str, fast: bool) -> list[str]:
        earned = []
        counts = self.counts(superuser)
        if reason == "answered" and counts.get("answered", 0) >= 1:
            earned.append(FIRST_ANSWER)
        if reason == "accepted" and counts.get("accepted", 0) >= self.settings.solutions_badge:
            earned.append(solutions_badge(self.settings.solutions_badge))
        if reason == "answered" and fast:
            earned.append(FAST_RESPONDER)
        return [b for b in earned if self._grant(superuser, b)]

    def _grant(self, superuser: str, badge: str) -> bool:
        return self.store.grant_badge(superuser, badge)

    def _announce(self, text: str) -> Notice:
        return Notice(kind="announce", text=f"🏅 {text}")

    def counts(self, superuser: str) -> dict[str, int]:
        return self.store.awards_by_reason(superuser)

    def total(self, superuser: str, since: datetime | None = None) -> int:
        return self.store.total_points(superuser, since)

    def leaderboard(self, since: datetime | None = None, limit: int = 10) -> list[Standing]:
        totals = self.store.points_by_superuser(since)
        badges = self.store.badges_by_superuser()
        ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [  # totals of all time decide the rank, the period decides the order
            Standing(who, self.names.get(who, who), points, self.rank_for(self.total(who)), tuple(badges.get(who, ())))
            for who, points in ordered
        ]

    def answered_fast(self, escalation: Escalation, at: datetime) -> bool:
        return (at - escalation.created_at).total_seconds() <= self.settings.fast_minutes * 60


@dataclass
class Candidate:
    """A member who writes trusted answers often: a superuser candidate."""

    author: str
    author_id: str
    answers: int = 0
    accepted: int = 0
    kudos_answers: int = 0
    topics: Counter[str] = field(default_factory=Counter)


def suggest_superusers(
    entries: Sequence[KnowledgeEntry], superusers: Sequence[Superuser], *, min_answers: int = 3, limit: int = 10
) -> list[Candidate]:
    """Non-superusers ranked by their trusted answers in the knowledge base (accepted ones first). A superuser's
    other accounts (their Slack or Discord id in a chat export) are the superuser, never a candidate."""
    existing = People(superusers).all_accounts()
    people: dict[str, Candidate] = {}
    for entry in entries:
        if not entry.author_id or entry.author_id in existing or entry.source == "captured":
            continue
        person = people.setdefault(entry.author_id, Candidate(entry.author, entry.author_id))
        person.answers += 1
        person.accepted += "accepted answer" in entry.trust_reasons
        person.kudos_answers += any(r.endswith(" kudos") for r in entry.trust_reasons)
        person.topics[entry.channel or "general"] += 1
    ranked = sorted(people.values(), key=lambda c: (-c.accepted, -c.answers, c.author))
    return [c for c in ranked if c.answers >= min_answers][:limit]
