"""The answer gate learns from use: askers' verdicts move the community's answer threshold, a bounded step at a time.

Each judged reply is a label at the confidence it got (bots/state_gate.py): "This solved it" on an answer or a
suggestion is a right top match; "Not helpful" or "Ask a human" a wrong one; an escalation whose human answer was
accepted a question the top match did not solve. With at least `min_labels` new labels since the last step:

- raise the threshold by `step` when the labels at or above it were answered right less often than
  `target_precision` (and at least `min_labels` of them are there);
- lower it by `step` when the labels down to one step below it reach `target_precision` and enough of them
  (a quarter of `min_labels`, at least 3) lie in that step.

Never more than `max_shift` from the configured threshold, never below the suggest threshold. Every step is a row
in the store (shown in `peerbot gate`, `ask --json` and the dashboard); `peerbot gate --reset` goes back to the
configured threshold and forgets the labels before it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peerbot.bots.policy import Thresholds
from peerbot.bots.schema_gate import GateLabel, GateStep

if TYPE_CHECKING:
    from peerbot.bots.state import StateStore

RAISED, LOWERED, RESET = "raised", "lowered", "reset"
EPSILON = 1e-9


@dataclass(frozen=True)
class GateRule:
    enabled: bool = True
    min_labels: int = 20
    step: float = 0.02
    max_shift: float = 0.1
    target_precision: float = 0.85

    def __post_init__(self) -> None:
        if self.min_labels < 1:
            raise ValueError(f"min_labels must be at least 1, got {self.min_labels}")
        if not 0 < self.step <= self.max_shift <= 1:
            raise ValueError(f"need 0 < step <= max_shift <= 1, got step={self.step}, max_shift={self.max_shift}")
        if not 0 < self.target_precision <= 1:
            raise ValueError(f"target_precision must be in (0, 1], got {self.target_precision}")

    @property
    def min_near(self) -> int:
        return max(3, self.min_labels // 4)


@dataclass(frozen=True)
class Proposal:
    kind: str
    offset: float
    labels: int
    precision: float


def precision(labels: list[GateLabel]) -> float | None:
    return sum(label.right for label in labels) / len(labels) if labels else None


def propose(labels: list[GateLabel], fresh: int, base: Thresholds, offset: float, rule: GateRule) -> Proposal | None:
    """The next step, if the labels (since the last reset; `fresh` of them since the last step) call for one."""
    if fresh < rule.min_labels:
        return None
    threshold = base.answer + offset
    above = [label for label in labels if label.confidence >= threshold]
    judged = precision(above)
    if len(above) >= rule.min_labels and judged is not None and judged < rule.target_precision:
        if offset + rule.step <= rule.max_shift + EPSILON and threshold + rule.step <= 1 + EPSILON:
            return Proposal(RAISED, offset + rule.step, len(above), judged)
        return None
    lower = threshold - rule.step
    widened = [label for label in labels if label.confidence >= lower]
    near = len(widened) - len(above)
    judged = precision(widened)
    if (
        offset - rule.step >= -rule.max_shift - EPSILON
        and lower >= base.suggest - EPSILON
        and near >= rule.min_near
        and len(widened) >= rule.min_labels
        and judged is not None
        and judged >= rule.target_precision
    ):
        return Proposal(LOWERED, offset - rule.step, len(widened), judged)
    return None


@dataclass(frozen=True)
class GateStatus:
    answer_threshold: float
    configured: float
    offset: float
    learning: bool
    labels: int  # since the last reset
    precision: float | None  # of those labels at or above the current threshold
    needed: int  # new labels still needed before the next step can be decided
    last: GateStep | None

    @property
    def reason(self) -> str:
        if self.last is None or self.last.kind == RESET or abs(self.offset) < EPSILON:
            how = "the configured threshold"
            if self.last is not None and self.last.kind == RESET:
                how += f" (reset by {self.last.by} on {self.last.created_at:%Y-%m-%d %H:%M})"
        else:
            moved = abs(self.last.offset - self.last.previous)
            how = (
                f"configured {self.configured:.2f}, {self.last.kind} by {moved:.2f}"
                f" on {self.last.created_at:%Y-%m-%d %H:%M} after {self.last.labels} labels"
                + (f" answered right {self.last.precision:.0%}" if self.last.precision is not None else "")
            )
        learn = (
            f"learning from feedback: {self.labels} labels, {self.needed} more before the next step"
            if self.learning
            else "learning from feedback is off"
        )
        return f"answers at confidence >= {self.answer_threshold:.2f}: {how}; {learn}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer_threshold": round(self.answer_threshold, 4),
            "configured": self.configured,
            "offset": round(self.offset, 4),
            "learning": self.learning,
            "labels": self.labels,
            "precision": None if self.precision is None else round(self.precision, 4),
            "needed": self.needed,
            "reason": self.reason,
        }


class LearnedGate:
    """The community's answer threshold: the configured one plus the offset its feedback has earned."""

    def __init__(self, store: StateStore, base: Thresholds, rule: GateRule | None = None) -> None:
        self.store = store
        self.base = base
        self.rule = rule or GateRule()

    def _apply(self, offset: float) -> Thresholds:
        answer = min(1.0, max(self.base.suggest, self.base.answer + offset))
        return dataclasses.replace(self.base, answer=answer)

    def thresholds(self) -> Thresholds:
        """What the answer pipeline decides with now (read from the store: every replica agrees)."""
        if not self.rule.enabled:
            return self.base
        last = self.store.last_gate_step()
        return self._apply(last.offset if last else 0.0)

    def _since_reset(self) -> tuple[GateStep | None, list[GateLabel]]:
        last = self.store.last_gate_step()
        reset = self.store.last_gate_step(RESET)
        labels = self.store.gate_labels(since=reset.created_at if reset else None)
        return last, labels

    def learn(self) -> GateStep | None:
        """Take one step if the labels call for one; the new step, else None."""
        if not self.rule.enabled:
            return None
        newest = self.store.last_gate_step()
        if self.store.gate_labels_at_most(newest.created_at if newest else None) < self.rule.min_labels:
            return None  # too few new labels for a step: every timer tick ends here, without reading them all
        last, labels = self._since_reset()
        offset = last.offset if last else 0.0
        fresh = sum(1 for label in labels if last is None or label.created_at > last.created_at)
        proposal = propose(labels, fresh, self.base, offset, self.rule)
        if proposal is None:
            return None
        return self.store.add_gate_step(
            last.id if last else 0,
            offset=proposal.offset,
            previous=offset,
            kind=proposal.kind,
            labels=proposal.labels,
            precision=proposal.precision,
            by="feedback",
        )

    def reset(self, by: str) -> GateStep | None:
        """Back to the configured threshold; labels before now are no longer used."""
        last = self.store.last_gate_step()
        return self.store.add_gate_step(
            last.id if last else 0,
            offset=0.0,
            previous=last.offset if last else 0.0,
            kind=RESET,
            labels=0,
            precision=None,
            by=by,
        )

    def status(self) -> GateStatus:
        last, labels = self._since_reset()
        offset = last.offset if last and self.rule.enabled else 0.0
        current = self._apply(offset).answer
        fresh = sum(1 for label in labels if last is None or label.created_at > last.created_at)
        return GateStatus(
            answer_threshold=current,
            configured=self.base.answer,
            offset=current - self.base.answer,
            learning=self.rule.enabled,
            labels=len(labels),
            precision=precision([label for label in labels if label.confidence >= current]),
            needed=max(0, self.rule.min_labels - fresh),
            last=last,
        )
