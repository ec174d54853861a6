"""Route an escalation to the superusers whose past trusted answers are closest to the question."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from peerbot.bots.config import Superuser
from peerbot.bots.identity import People
from peerbot.knowledge.entries import Audience, Match

HALF_LIFE_DAYS = 365.0  # an answer from a year ago counts half as much as one from today
RELATED = 0.1  # a past answer counts towards expertise only if it is at least this likely to match
ROUTING_AUDIENCE = Audience(public=False, staff=True)  # when routing retrieves on its own (no answer retrieval)
ROUTING_DEPTH = 30  # matches that count towards expertise: the answer's retrieval goes this deep


def _recency(date: str | None, now: datetime) -> float:
    if not date:
        return 0.5
    try:
        when = datetime.fromisoformat(date.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return 0.5
    age_days = max(0.0, (now - when).total_seconds() / 86400)
    return math.pow(0.5, age_days / HALF_LIFE_DAYS)


def expertise(matches: Sequence[Match], superusers: Sequence[Superuser], now: datetime) -> dict[str, float]:
    """Each superuser's score: closeness x trust x recency of their answers to similar questions (the matches
    the question's retrieval found: routing does not search again). An answer counts for its author's person,
    whichever account wrote it: the community export's (community_id) or a chat platform's (slack_id, discord_id)."""
    scores = {s.community_id: 0.0 for s in superusers}
    people = People(superusers)
    for match in matches:
        author = people.person_of(match.entry.author_id)
        if author is not None and match.confidence >= RELATED:
            scores[author] += match.confidence * match.entry.trust * _recency(match.entry.date, now)
    return scores


def rank_experts(
    matches: Sequence[Match],
    superusers: Sequence[Superuser],
    *,
    now: datetime,
    unavailable: set[str],
    load: dict[str, int],
) -> list[tuple[Superuser, float]]:
    """Available superusers and their expertise, best first; ties (no matching answers) least busy first."""
    available = [s for s in superusers if s.community_id not in unavailable]
    scores = expertise(matches, available, now)
    ranked = sorted(available, key=lambda s: (-scores[s.community_id], load.get(s.community_id, 0)))
    return [(s, scores[s.community_id]) for s in ranked]
