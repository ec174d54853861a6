"""The dashboard's numbers, read from the state store. Every function is a plain query over a period.

Each question falls in exactly one outcome class, decided in this order:
- it has an escalation (no trusted answer, the asker asked for a person, or an urgent follow-up):
  `escalated` when a person answered it, else `unanswered` (open, claimed or expired);
- the bot answered it: `answered_solved` (the asker said it solved it), `answered_unhelpful`
  (reported not helpful), or `answered_no_feedback`;
- the bot suggested threads: `suggested`;
- the bot said it is outside the community's topics and pinged nobody: `out_of_scope`; the asker had reached
  the hourly escalation limit and nobody was pinged: `throttled` (neither is a question the community left
  unanswered).
Deflected = answered by the bot without a person and not reported unhelpful (`answered_solved` +
`answered_no_feedback`); the deflection rate is deflected / questions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import numpy as np

from peerbot.bots.config import Settings
from peerbot.bots.conversation import HUMAN_ANSWERED, EscalationStatus, Outcome, Verdict
from peerbot.bots.recognition import Recognition
from peerbot.bots.state import AskedQuestion, Escalation, StateStore
from peerbot.bots.state_reports import EscalationTiming
from peerbot.bots.urgency import sentiment

OUTCOMES = (
    "answered_solved",
    "answered_no_feedback",
    "answered_unhelpful",
    "suggested",
    "escalated",
    "unanswered",
    "out_of_scope",
    "throttled",
)
OUTCOME_LABELS = {
    "answered_solved": "answered and solved",
    "answered_no_feedback": "answered, no feedback",
    "answered_unhelpful": "answered, reported unhelpful",
    "suggested": "suggested threads",
    "escalated": "escalated, a person answered",
    "unanswered": "unanswered (open or expired)",
    "out_of_scope": "outside the community's topics, nobody pinged",
    "throttled": "over the asker's escalation limit, nobody pinged",
}
DEFLECTED = frozenset({"answered_solved", "answered_no_feedback"})
ESCALATION_STATES = tuple(EscalationStatus)


@dataclass(frozen=True)
class Period:
    """The questions and escalations created at or after `since` (all of them when None)."""

    since: datetime | None = None


ALL_TIME = Period()


def _questions(store: StateStore, period: Period) -> list[AskedQuestion]:
    return store.questions_since(period.since)


def _escalations(store: StateStore, period: Period) -> list[Escalation]:
    return store.escalations_since(period.since)


def _verdicts(store: StateStore) -> dict[int, set[str]]:
    return store.verdicts_by_question()


def _escalation_status(store: StateStore) -> dict[int, str]:
    """Per question, the best status of its escalations (a person's answer wins)."""
    best: dict[int, str] = {}
    for question_id, status in store.escalation_statuses():
        if question_id not in best or status in HUMAN_ANSWERED:
            best[question_id] = status
    return best


def classify(question: AskedQuestion, verdicts: set[str], escalation: str | None) -> str:
    return outcome_class(question.outcome, verdicts, escalation)


def outcome_class(outcome: str, verdicts: set[str] | frozenset[str], escalation: str | None) -> str:
    """The class of a question with this recorded outcome, feedback verdicts and best escalation status."""
    if escalation is not None:
        return "escalated" if escalation in HUMAN_ANSWERED else "unanswered"
    if outcome == Outcome.ANSWER:
        if Verdict.SOLVED in verdicts:
            return "answered_solved"
        return "answered_unhelpful" if Verdict.UNHELPFUL in verdicts else "answered_no_feedback"
    if outcome == Outcome.SUGGEST:
        return "suggested"
    if outcome == Outcome.OUT_OF_SCOPE:
        return "out_of_scope"
    if outcome == Outcome.THROTTLED:
        return "throttled"
    return "unanswered"


def outcome_by_question(store: StateStore, period: Period = ALL_TIME) -> list[tuple[AskedQuestion, str]]:
    verdicts, escalations = _verdicts(store), _escalation_status(store)
    return [(q, classify(q, verdicts.get(q.id, set()), escalations.get(q.id))) for q in _questions(store, period)]


ClassKey = tuple[date, str, str, str]  # day, platform, channel ("(direct)" when none), outcome class


def class_counts(store: StateStore, period: Period = ALL_TIME) -> Counter[ClassKey]:
    """Questions per day, platform, channel and outcome class, the same as classifying each question: counted
    in SQL by recorded outcome, then the questions that have an escalation or feedback (fetched apart, a small
    share) moved from their recorded outcome's class to the class they really have."""
    counts: Counter[ClassKey] = Counter()
    for (day, platform, channel, outcome), n in store.question_groups_since(period.since):
        counts[(day, platform, channel or "(direct)", outcome_class(outcome, frozenset(), None))] += n
    marked: dict[int, tuple[tuple[date, str, str, str], set[str], set[str]]] = {}
    for question_id, (day, platform, channel, outcome), kind, value in store.question_marks_since(period.since):
        _, statuses, verdicts = marked.setdefault(
            question_id, ((day, platform, channel or "(direct)", outcome), set(), set())
        )
        (statuses if kind == "escalation" else verdicts).add(value)
    for (day, platform, channel, outcome), statuses, verdicts in marked.values():
        best = next((s for s in statuses if s in HUMAN_ANSWERED), next(iter(statuses), None))
        counts[(day, platform, channel, outcome_class(outcome, frozenset(), None))] -= 1
        counts[(day, platform, channel, outcome_class(outcome, verdicts, best))] += 1
    return +counts


@dataclass
class Outcomes:
    counts: dict[str, int]
    total: int

    @property
    def deflected(self) -> int:
        return sum(n for k, n in self.counts.items() if k in DEFLECTED)

    @property
    def deflection_rate(self) -> float:
        return self.deflected / self.total if self.total else 0.0

    def share(self, outcome: str) -> float:
        return self.counts.get(outcome, 0) / self.total if self.total else 0.0


def outcomes(store: StateStore, period: Period = ALL_TIME, counts: Counter[ClassKey] | None = None) -> Outcomes:
    classes: Counter[str] = Counter()
    for (_, _, _, outcome), n in (class_counts(store, period) if counts is None else counts).items():
        classes[outcome] += n
    return Outcomes({k: classes.get(k, 0) for k in OUTCOMES}, sum(classes.values()))


@dataclass(frozen=True)
class DayRate:
    day: date
    questions: int
    deflected: int

    @property
    def rate(self) -> float:
        return self.deflected / self.questions if self.questions else 0.0


def deflection_by_day(
    store: StateStore, period: Period = ALL_TIME, counts: Counter[ClassKey] | None = None
) -> list[DayRate]:
    questions: Counter[date] = Counter()
    deflected: Counter[date] = Counter()
    for (day, _, _, outcome), n in (class_counts(store, period) if counts is None else counts).items():
        questions[day] += n
        deflected[day] += n if outcome in DEFLECTED else 0
    return [DayRate(d, questions[d], deflected[d]) for d in sorted(questions)]


@dataclass(frozen=True)
class DayCount:
    day: date
    platform: str
    channel: str
    questions: int


def questions_by_day(
    store: StateStore, period: Period = ALL_TIME, classes: Counter[ClassKey] | None = None
) -> list[DayCount]:
    """Questions per day, platform and channel (channel "(direct)" when there is none)."""
    counts: Counter[tuple[date, str, str]] = Counter()
    for (day, platform, channel, _), n in (class_counts(store, period) if classes is None else classes).items():
        counts[(day, platform, channel)] += n
    return [DayCount(d, p, c, n) for (d, p, c), n in sorted(counts.items())]


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 60 if end is not None else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default); None for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else None


@dataclass(frozen=True)
class Timing:
    count: int
    median: float | None  # minutes
    p90: float | None

    @classmethod
    def of(cls, minutes: Sequence[float]) -> Timing:
        return cls(len(minutes), percentile(minutes, 50), percentile(minutes, 90))


@dataclass(frozen=True)
class SuperuserWork:
    superuser: str
    name: str
    claimed: int
    answered: int
    resolved: int
    first_answer: Timing


@dataclass
class EscalationStats:
    by_status: dict[str, int]
    first_answer: Timing  # escalation opened -> a person's answer
    resolution: Timing  # escalation opened -> resolved (the asker or a superuser accepted the answer)
    per_superuser: list[SuperuserWork] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def escalation_stats(
    store: StateStore,
    settings: Settings,
    period: Period = ALL_TIME,
    escalations: Sequence[Escalation | EscalationTiming] | None = None,
) -> EscalationStats:
    rows = _escalations(store, period) if escalations is None else escalations
    by_status = Counter(r.status for r in rows)
    answered = [m for r in rows if (m := _minutes(r.created_at, r.answered_at)) is not None]
    resolved = [m for r in rows if (m := _minutes(r.created_at, r.resolved_at)) is not None]
    names = {s.community_id: s.name for s in settings.superusers}
    others = {who for r in rows if (who := r.answered_by or r.claimed_by) is not None and who not in names}
    people = [*names, *sorted(others)]
    work = []
    for who in people:
        mine = [r for r in rows if r.answered_by == who]
        minutes = [m for r in mine if (m := _minutes(r.created_at, r.answered_at)) is not None]
        work.append(
            SuperuserWork(
                who,
                names.get(who, who),
                sum(r.claimed_by == who for r in rows),
                len(mine),
                sum(r.status == EscalationStatus.RESOLVED for r in mine),
                Timing.of(minutes),
            )
        )
    return EscalationStats(
        {s: by_status.get(s, 0) for s in ESCALATION_STATES}, Timing.of(answered), Timing.of(resolved), work
    )


@dataclass(frozen=True)
class LeaderRow:
    superuser: str
    name: str
    points: int
    rank: str
    badges: tuple[str, ...]
    deflections: int  # bot answers built on their content that solved someone's question


def leaderboard(store: StateStore, settings: Settings, period: Period = ALL_TIME) -> list[LeaderRow]:
    """Every configured superuser (and anyone else with points), most points in the period first."""
    recognition = Recognition(store, settings.recognition, settings.superusers)
    standings = {s.superuser: s for s in recognition.leaderboard(period.since, limit=10_000)}
    deflections = store.award_counts("deflection", period.since)
    rows = [
        LeaderRow(st.superuser, st.name, st.points, st.rank, st.badges, deflections.get(st.superuser, 0))
        for st in standings.values()
    ]
    for su in settings.superusers:
        if su.community_id not in standings:
            total = recognition.total(su.community_id)
            rows.append(LeaderRow(su.community_id, su.name, 0, recognition.rank_for(total), (), 0))
    return sorted(rows, key=lambda r: (-r.points, -r.deflections, r.name))


@dataclass(frozen=True)
class DaySentiment:
    day: date
    questions: int
    mean: float  # VADER compound, -1..1
    negative: int  # questions at or below the urgent threshold


@lru_cache(maxsize=100_000)
def _sentiment(text: str) -> float:
    return sentiment(text)


def sentiment_by_day(store: StateStore, threshold: float, period: Period = ALL_TIME) -> list[DaySentiment]:
    scores: dict[date, list[float]] = defaultdict(list)
    for at, text in store.question_texts_since(period.since):
        scores[at.date()].append(_sentiment(text))
    return [
        DaySentiment(d, len(v), round(sum(v) / len(v), 4), sum(x <= threshold for x in v))
        for d, v in sorted(scores.items())
    ]


def urgent_escalations(store: StateStore, period: Period = ALL_TIME) -> list[Escalation]:
    """Urgent escalations, newest first."""
    return [r for r in reversed(_escalations(store, period)) if r.urgent]
