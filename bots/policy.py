"""Answer, suggest or escalate: the decision on a ranked list of matches."""

from __future__ import annotations

from dataclasses import dataclass

from peerbot.bots.conversation import Outcome
from peerbot.knowledge.entries import Match


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.6
    suggest: float = 0.3
    max_suggestions: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.suggest <= self.answer <= 1:
            raise ValueError(f"need 0 <= suggest <= answer <= 1, got suggest={self.suggest}, answer={self.answer}")


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    matches: list[Match]  # the answer, the suggestions, or the near misses shown to superusers


def decide(matches: list[Match], thresholds: Thresholds) -> Decision:
    if matches and matches[0].confidence >= thresholds.answer:
        return Decision(Outcome.ANSWER, matches[:1])
    helpful = [m for m in matches if m.confidence >= thresholds.suggest][: thresholds.max_suggestions]
    if helpful:
        return Decision(Outcome.SUGGEST, helpful)
    return Decision(Outcome.ESCALATE, matches[:3])
