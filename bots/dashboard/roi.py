"""The return on the community (issue #18, point 6): questions deflected by peer answers, the staff hours and cost
they saved (`dashboard.case_cost`, `dashboard.case_minutes`), the superusers' share of human answers and the median
time to a human answer, for the last 7 and 30 complete days against the period before, with sample sizes. Today
is shown apart, marked partial, so a day that has only begun never reads as a spike or a drop."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peerbot.bots.config import Settings
from peerbot.bots.state import StateStore


@dataclass(frozen=True)
class Window:
    label: str
    start: datetime
    end: datetime
    questions: int
    deflected: int
    human_answers: int  # escalations a person answered (first answer in the window)
    by_superusers: int  # of those, by a configured superuser
    median_minutes: float | None  # to the first human answer
    hours_saved: float
    cost_saved: float
    partial: bool = False

    @property
    def last_day(self) -> datetime:
        return self.end - timedelta(microseconds=1)

    @property
    def deflection_rate(self) -> float | None:
        return self.deflected / self.questions if self.questions else None

    @property
    def superuser_share(self) -> float | None:
        return self.by_superusers / self.human_answers if self.human_answers else None


@dataclass(frozen=True)
class Trend:
    current: Window
    previous: Window

    def change(self, name: str) -> float | None:
        """Relative change from the previous window; None when there is nothing to compare with."""
        now, before = getattr(self.current, name), getattr(self.previous, name)
        if now is None or not before:
            return None
        return float(now - before) / float(before)


def minutes_text(value: float | None) -> str:
    """A duration in minutes as people read it: "42 min", "2.5 h"; "–" for none."""
    if value is None:
        return "–"
    if value < 90:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h"


def _window(
    label: str,
    start: datetime,
    end: datetime,
    days: list[tuple[date, int, int]],
    answers: list[tuple[datetime, float, bool]],
    settings: Settings,
    partial: bool = False,
) -> Window:
    inside = [(n, k) for day, n, k in days if start.date() <= day < end.date() or (partial and day == start.date())]
    deflected = sum(k for _, k in inside)
    waits = [(minutes, superuser) for at, minutes, superuser in answers if start <= at < end]
    return Window(
        label=label,
        start=start,
        end=end,
        questions=sum(n for n, _ in inside),
        deflected=deflected,
        human_answers=len(waits),
        by_superusers=sum(1 for _, s in waits if s),
        median_minutes=statistics.median(m for m, _ in waits) if waits else None,
        hours_saved=deflected * settings.dashboard.case_minutes / 60,
        cost_saved=deflected * settings.dashboard.case_cost,
        partial=partial,
    )


def community_return(store: StateStore, settings: Settings, now: datetime) -> tuple[list[Trend], Window]:
    """The last 7 and 30 complete days, each against the period before, and today so far (partial)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    earliest = midnight - timedelta(days=60)
    days = store.deflection_per_day(earliest)  # counted in SQL: one pass, whatever the number of questions
    superusers = {s.community_id for s in settings.superusers}
    answers = [
        (answered, (answered - created).total_seconds() / 60, who in superusers)
        for answered, created, who in store.human_answers_since(earliest)
    ]
    trends = []
    for n in (7, 30):
        current = _window(f"last {n} days", midnight - timedelta(days=n), midnight, days, answers, settings)
        before = midnight - timedelta(days=n)
        previous = _window(f"the {n} before", before - timedelta(days=n), before, days, answers, settings)
        trends.append(Trend(current, previous))
    today = _window("today so far", midnight, now + timedelta(seconds=1), days, answers, settings, partial=True)
    return trends, today
