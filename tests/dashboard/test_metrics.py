"""Every dashboard number, on a state store filled with known events (see conftest.seed)."""

from __future__ import annotations

from datetime import date

import pytest

from peerbot.bots.config import Settings
from peerbot.bots.dashboard import metrics
from peerbot.bots.dashboard.metrics import Period
from peerbot.bots.state import StateStore
from peerbot.bots.urgency import sentiment
from tests.dashboard.conftest import DAY2, URGENT_TEXT


def test_each_question_has_one_outcome_class(seeded: StateStore) -> None:
    classes = {q.id: c for q, c in metrics.outcome_by_question(seeded)}
    assert classes == {
        1: "answered_solved",
        2: "answered_no_feedback",
        3: "answered_unhelpful",
        4: "suggested",
        5: "escalated",
        6: "escalated",
        7: "unanswered",
        8: "unanswered",  # answered, but urgent: a person follows up
        9: "unanswered",  # the asker asked for a person, who has claimed it
    }


def test_outcome_shares_and_deflection_rate(seeded: StateStore) -> None:
    o = metrics.outcomes(seeded)
    assert o.total == 9
    assert o.counts == {
        "answered_solved": 1,
        "answered_no_feedback": 1,
        "answered_unhelpful": 1,
        "suggested": 1,
        "escalated": 2,
        "unanswered": 3,
        "out_of_scope": 0,
        "throttled": 0,
    }
    assert o.deflected == 2
    assert o.deflection_rate == pytest.approx(2 / 9)
    assert o.share("escalated") == pytest.approx(2 / 9)


def test_nobody_pinged_by_design_is_not_unanswered(seeded: StateStore) -> None:
    """Out of scope and throttled questions are their own classes: the community did not leave them unanswered."""
    from peerbot.bots.schema import QuestionRow

    with seeded._session() as s:  # the test writes the table directly, like conftest.seed
        for qid, outcome in ((10, "out_of_scope"), (11, "throttled")):
            s.add(
                QuestionRow(
                    id=qid, created_at=DAY2, platform="slack", channel="C1", asker="u", text="?", outcome=outcome
                )
            )
    o = metrics.outcomes(seeded)
    assert (o.counts["out_of_scope"], o.counts["throttled"], o.counts["unanswered"], o.total) == (1, 1, 3, 11)
    assert metrics.OUTCOME_LABELS["out_of_scope"] == "outside the community's topics, nobody pinged"


def test_deflection_over_time(seeded: StateStore) -> None:
    days = metrics.deflection_by_day(seeded)
    assert [(d.day, d.questions, d.deflected) for d in days] == [(date(2026, 3, 1), 4, 2), (date(2026, 3, 2), 5, 0)]
    assert days[0].rate == 0.5


def test_questions_per_day_by_platform_and_channel(seeded: StateStore) -> None:
    rows = [(r.day.isoformat(), r.platform, r.channel, r.questions) for r in metrics.questions_by_day(seeded)]
    assert rows == [
        ("2026-03-01", "console", "(direct)", 1),
        ("2026-03-01", "discord", "D1", 1),
        ("2026-03-01", "slack", "C1", 2),
        ("2026-03-02", "discord", "D1", 2),
        ("2026-03-02", "slack", "C1", 3),
    ]


def test_period_keeps_only_recent_questions(seeded: StateStore) -> None:
    recent = Period(DAY2)
    assert metrics.outcomes(seeded, recent).total == 5
    assert metrics.outcomes(seeded, recent).deflected == 0
    assert len(metrics.questions_by_day(seeded, recent)) == 2


def test_escalation_states_and_times(seeded: StateStore, dash_settings: Settings) -> None:
    stats = metrics.escalation_stats(seeded, dash_settings)
    assert stats.by_status == {"open": 1, "claimed": 1, "answered": 1, "resolved": 1, "expired": 1}
    assert stats.total == 5
    assert stats.first_answer == metrics.Timing(2, 60.0, 92.0)  # answers after 20 and 100 minutes
    assert stats.resolution == metrics.Timing(1, 60.0, 60.0)


def test_escalations_per_superuser(seeded: StateStore, dash_settings: Settings) -> None:
    work = {w.superuser: w for w in metrics.escalation_stats(seeded, dash_settings).per_superuser}
    mara, devon = work["u-mara"], work["u-devon"]
    assert (mara.name, mara.claimed, mara.answered, mara.resolved) == ("Mara Quinn", 1, 1, 1)
    assert mara.first_answer == metrics.Timing(1, 20.0, 20.0)
    assert (devon.claimed, devon.answered, devon.resolved) == (2, 1, 0)
    assert devon.first_answer.median == 100.0


def test_percentile_is_linear_and_empty_is_none() -> None:
    assert metrics.percentile([10, 20, 30, 40], 50) == 25.0
    assert metrics.percentile([10, 20, 30, 40], 90) == pytest.approx(37.0)
    assert metrics.percentile([], 90) is None


def test_leaderboard_points_badges_and_deflection_credit(seeded: StateStore, dash_settings: Settings) -> None:
    rows = metrics.leaderboard(seeded, dash_settings)
    assert [(r.superuser, r.points, r.rank, r.badges, r.deflections) for r in rows] == [
        ("u-mara", 17, "Newcomer", ("First Answer",), 0),
        ("u-devon", 12, "Newcomer", ("First Answer",), 1),
    ]
    recent = metrics.leaderboard(seeded, dash_settings, Period(DAY2))
    assert [(r.superuser, r.points, r.deflections) for r in recent] == [("u-mara", 17, 0), ("u-devon", 9, 0)]


def test_sentiment_per_day_and_negative_count(seeded: StateStore) -> None:
    days = metrics.sentiment_by_day(seeded, threshold=-0.5)
    assert [(d.day, d.questions, d.negative) for d in days] == [(date(2026, 3, 1), 4, 0), (date(2026, 3, 2), 5, 1)]
    day2 = [
        "warranty claim for an old bulb",
        "warranty claim for an old hub",
        "music sync for parties",
        URGENT_TEXT,
        "standby power of bulbs",
    ]
    assert days[1].mean == pytest.approx(round(sum(sentiment(t) for t in day2) / 5, 4))
    assert sentiment(URGENT_TEXT) <= -0.5


def test_urgent_escalations(seeded: StateStore) -> None:
    assert [(e.id, e.question, e.status) for e in metrics.urgent_escalations(seeded)] == [(4, URGENT_TEXT, "open")]


def test_empty_store_gives_zeros(dash_settings: Settings) -> None:
    store = StateStore(dash_settings.state_url)
    assert metrics.outcomes(store).deflection_rate == 0.0
    stats = metrics.escalation_stats(store, dash_settings)
    assert stats.total == 0 and stats.first_answer == metrics.Timing(0, None, None)
    assert [r.points for r in metrics.leaderboard(store, dash_settings)] == [0, 0]
