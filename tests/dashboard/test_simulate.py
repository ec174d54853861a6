"""`peerbot simulate` drives the real bot on a simulated clock: questions, feedback, escalations, answers."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard import metrics
from peerbot.bots.simulate import SimClock, run_simulation, simulate
from peerbot.bots.state import EscalationRow, FeedbackRow, PointsRow, QuestionRow, StateStore
from peerbot.errors import ConfigError

END = datetime(2026, 3, 10, 12, 0)


def test_simulated_traffic_fills_every_table(indexed: Settings) -> None:
    embedder = wiring.open_embedder(indexed)
    kb, _ = wiring.load_knowledge(indexed, embedder)
    clock = SimClock(END)
    report = simulate(wiring.make_bot(indexed, embedder, kb, clock=clock), clock, days=4, per_day=12, seed=3, end=END)
    store = StateStore(indexed.state_url)
    with store._session() as s:  # the test reads the tables directly
        days = {d.date() for d in s.scalars(select(QuestionRow.created_at))}
        questions = s.scalar(select(func.count()).select_from(QuestionRow))
        statuses = set(s.scalars(select(EscalationRow.status)))
        verdicts = set(s.scalars(select(FeedbackRow.verdict)))
        points = set(s.scalars(select(PointsRow.reason)))
    assert questions == report.questions >= 30
    assert len(days) == 4 and max(days) <= END.date()
    assert {"answer", "escalate"} <= set(report.outcomes)
    assert {"resolved"} <= statuses and "solved" in verdicts
    assert {"claimed", "answered"} <= points
    assert report.claimed >= report.answered > 0
    assert metrics.outcomes(store).total == questions
    assert not wiring.captured_path(indexed).exists()  # simulated answers never become knowledge


def test_run_simulation_refuses_a_store_with_questions(indexed: Settings) -> None:
    embedder = wiring.open_embedder(indexed)
    summary = run_simulation(indexed, embedder, days=1, per_day=3, seed=1)
    assert summary.startswith("simulated ") and "questions over 1 days" in summary
    with pytest.raises(ConfigError, match="--force"):
        run_simulation(indexed, embedder, days=1, per_day=3, seed=1)
    assert run_simulation(indexed, embedder, days=1, per_day=3, seed=2, force=True).startswith("simulated ")


def test_bad_arguments_are_refused(indexed: Settings) -> None:
    with pytest.raises(ValueError, match="days"):
        simulate(None, SimClock(END), days=0)  # type: ignore[arg-type]
