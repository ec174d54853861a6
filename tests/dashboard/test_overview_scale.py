"""The overview page at scale: its counts come from SQL but must equal classifying every question one by one,
its content gaps are the topics of a bounded sample of the latest unanswered questions, and what reads every
question of the period is computed at most every 5 minutes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard import metrics, service
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.metrics import Period
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import EscalationRow, FeedbackRow, QuestionRow, StateStore
from tests import pg
from tests.dashboard.conftest import DAY1, NOW, TOKEN, seed
from tests.dashboard.test_web import BEARER, make_client

OUTCOMES = ("answer", "suggest", "escalate", "out_of_scope", "throttled", "invalid")
STATUSES = ("open", "claimed", "answered", "resolved", "expired")
VERDICTS = ("solved", "unhelpful", "human")


def one_by_one(store: StateStore, period: Period) -> Counter[metrics.ClassKey]:
    return Counter(
        (q.created_at.date(), q.platform, q.channel or "(direct)", c)
        for q, c in metrics.outcome_by_question(store, period)
    )


def add_mixed(store: StateStore) -> StateStore:
    """400 questions with every outcome, none to three escalations in any state (a person's answer after an
    expiry, and the other way round) and none to three verdicts, some without a channel."""
    rng = random.Random(3)
    with store._session() as s:  # the test writes the tables directly, like conftest.seed
        for qid in range(100, 500):
            channel = rng.choice(["C1", "C2", None, ""])
            s.add(
                QuestionRow(
                    id=qid, created_at=DAY1 + timedelta(hours=rng.randrange(24 * 9)), channel=channel,
                    platform=rng.choice(["slack", "discord"]), asker="u", text=f"q{qid}", outcome=rng.choice(OUTCOMES),
                )
            )  # fmt: skip
            s.flush()
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                s.add(
                    EscalationRow(
                        question_id=qid, status=rng.choice(STATUSES), platform="slack", channel=channel, asker="u",
                        question=f"q{qid}", urgent=rng.random() < 0.2, created_at=DAY1 + timedelta(hours=qid % 200),
                        claimed_by=rng.choice([None, "u-mara", "u-devon"]), answered_by=rng.choice([None, "u-mara"]),
                        answered_at=DAY1 + timedelta(hours=qid % 200, minutes=qid % 90),
                    )
                )  # fmt: skip
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                s.add(FeedbackRow(question_id=qid, user="u", verdict=rng.choice(VERDICTS)))
    return store


@pytest.fixture(params=pg.BACKENDS)
def mixed(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    """The 400 mixed questions on SQLite and on PostgreSQL (date() and the union differ)."""
    return add_mixed(StateStore(pg.database_url(str(request.param), tmp_path)))


@pytest.mark.parametrize("since", [None, DAY1 + timedelta(days=4)])
def test_counts_from_sql_equal_classifying_each_question(mixed: StateStore, since: object) -> None:
    period = Period(since)  # type: ignore[arg-type]
    counts = metrics.class_counts(mixed, period)
    assert counts == one_by_one(mixed, period)
    assert sum(counts.values()) == len(mixed.questions_since(period.since))
    assert set(k[3] for k in counts) >= {"escalated", "unanswered", "answered_solved", "answered_unhelpful"}


@pytest.mark.parametrize("since", [None, DAY1 + timedelta(days=4)])
def test_escalation_numbers_from_columns_equal_those_from_records(
    mixed: StateStore, dash_settings: Settings, since: object
) -> None:
    period = Period(since)  # type: ignore[arg-type]
    urgent = mixed.urgent_escalations_since(period.since, limit=10)
    assert urgent == metrics.urgent_escalations(mixed, period)[:10] and len(urgent) == 10
    timings = mixed.escalation_timings_since(period.since)
    assert metrics.escalation_stats(mixed, dash_settings, period, timings) == metrics.escalation_stats(
        mixed, dash_settings, period
    )


def test_seeded_classes_by_day(seeded: StateStore) -> None:
    counts = metrics.class_counts(seeded)
    assert counts[(DAY1.date(), "console", "(direct)", "suggested")] == 1
    assert counts[(DAY1.date(), "slack", "C1", "answered_solved")] == 1
    assert sum(n for (_, _, _, c), n in counts.items() if c == "unanswered") == 3


def gaps_section(page: str) -> str:
    return page[page.index('<section id="gaps">') : page.index("</section>", page.index('<section id="gaps">'))]


def test_topics_come_from_the_latest_unanswered_questions(indexed: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded unanswered questions, oldest first: q3 (unhelpful), q5 and q6 (warranty), q7 (music sync), q9
    (asked for a person). With a sample of 2 only q7 and q9 are clustered, and the page says so."""
    store = StateStore(indexed.state_url)
    seed(store)
    monkeypatch.setattr(service, "GAP_SAMPLE", 2)
    client: TestClient = make_client(indexed)
    page = client.get("/?days=0", headers=BEARER).text
    gaps = gaps_section(page)
    assert 'id="gap-sample"' in gaps and "latest 2 such questions" in gaps
    assert "music sync for parties" in gaps and "standby power of bulbs" in gaps
    assert "warranty claim" not in gaps
    assert '<b id="total-questions">9</b>' in page  # the counts are of every question, not of the sample


def test_no_sample_note_when_every_unanswered_question_is_clustered(indexed: Settings) -> None:
    seed(StateStore(indexed.state_url))
    gaps = gaps_section(make_client(indexed).get("/?days=0", headers=BEARER).text)
    assert 'id="gap-sample"' not in gaps and "warranty claim" in gaps


def test_the_numbers_are_kept_five_minutes_and_the_gate_is_live(indexed: Settings) -> None:
    store = StateStore(indexed.state_url)
    seed(store)
    now = [NOW]
    data = DashboardData(indexed, wiring.open_embedder(indexed), store, clock=lambda: now[0])
    client = TestClient(create_app(data, TokenAuth(TOKEN)))
    assert '<b id="total-questions">9</b>' in client.get("/?days=0", headers=BEARER).text
    with store._session() as s:
        s.add(QuestionRow(id=50, created_at=DAY1, platform="slack", channel="C1", asker="u",
                          text="brand new question about firmware", outcome="escalate"))  # fmt: skip
    wiring.learned_gate(indexed, store).reset(by="admin")
    now[0] = NOW + timedelta(minutes=4)
    page = client.get("/?days=0", headers=BEARER).text
    assert '<b id="total-questions">9</b>' in page and "firmware" not in gaps_section(page)
    assert "reset by admin" in page  # the gate is read on every request
    now[0] = NOW + timedelta(minutes=5)
    page = client.get("/?days=0", headers=BEARER).text
    assert '<b id="total-questions">10</b>' in page and "brand new question about firmware" in gaps_section(page)


def test_new_gate_labels_are_counted_within_five_minutes(indexed: Settings) -> None:
    store = StateStore(indexed.state_url)
    seed(store)
    now = [NOW]
    client = TestClient(
        create_app(DashboardData(indexed, wiring.open_embedder(indexed), store, clock=lambda: now[0]), TokenAuth(TOKEN))
    )
    assert '<b id="gate-labels">4</b>' in client.get("/?days=0", headers=BEARER).text
    with store._session() as s:
        s.add(FeedbackRow(question_id=2, user="user2", verdict="solved", created_at=DAY1 + timedelta(hours=2)))
    now[0] = NOW + timedelta(minutes=4)
    assert '<b id="gate-labels">4</b>' in client.get("/?days=0", headers=BEARER).text
    now[0] = NOW + timedelta(minutes=5)
    assert '<b id="gate-labels">5</b>' in client.get("/?days=0", headers=BEARER).text
