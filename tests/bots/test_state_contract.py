"""The state store contract: every backend (a SQLite file, a real PostgreSQL) passes the same tests.

Concurrency tests use one StateStore per thread, as separate replicas would, on one database."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from threading import Barrier
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from peerbot.bots.config import EscalationSettings, RecognitionSettings, Superuser
from peerbot.bots.escalation import Escalations
from peerbot.bots.recognition import Recognition
from peerbot.bots.state import MIGRATIONS, Base, StateStore, engine_url
from peerbot.errors import ConfigError
from tests import pg

T = TypeVar("T")
THREADS = 8
START = datetime(2026, 11, 23, 9, 0, 0)
SUPERUSERS = [
    Superuser(name="Mara Quinn", community_id="u-mara"),
    Superuser(name="Devon Okafor", community_id="u-devon"),
    Superuser(name="Priya Raman", community_id="u-priya"),
]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=pg.BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return pg.database_url(str(request.param), tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stores(url: str, clock: Clock) -> Iterator[Callable[[], StateStore]]:
    """Makes stores on the test's database (each one its own engine, like a replica); closes them after."""
    made: list[StateStore] = []

    def make() -> StateStore:
        made.append(StateStore(url, clock=clock))
        return made[-1]

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(stores: Callable[[], StateStore]) -> StateStore:
    return stores()


def together(n: int, work: Callable[[int], T]) -> list[T]:
    """Run work(0..n-1) in n threads released at the same moment."""
    barrier = Barrier(n)

    def run(i: int) -> T:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def ask(store: StateStore, asker: str = "alice", outcome: str = "escalate", **fields: Any) -> int:
    question = {"platform": "console", "channel": None, "thread": "t1", "public": True, "text": "help?"}
    return store.record_question(asker=asker, outcome=outcome, **{**question, **fields})


def escalations(store: StateStore, ladder: tuple[float, ...] = (30.0, 60.0)) -> Escalations:
    return Escalations(store, SUPERUSERS, EscalationSettings(ladder_minutes=list(ladder)))


def open_one(store: StateStore, thread: str = "t1") -> int:
    flow = escalations(store)
    question_id = ask(store, thread=thread)
    opened = flow.open(
        question_id,
        SUPERUSERS,
        SUPERUSERS[:1],
        platform="console",
        channel=None,
        thread=thread,
        asker="alice",
        question="help?",
        near_misses=[{"title": "close", "url": None, "confidence": 0.2, "entry_id": "x"}],
    )
    return opened.escalation_id


# -- questions, feedback, counts ---------------------------------------------------------------------


def test_questions_are_recorded_and_read_back(store: StateStore) -> None:
    first = ask(store, outcome="answer", confidence=0.8, entry_id="forum:wifi", index_version="000001")
    second = ask(store, outcome="suggest", text="x" * 100_000)
    ask(store, asker="bob", outcome="invalid")
    row = store.question(first)
    assert row is not None
    assert (row.outcome, row.confidence, row.entry_id, row.created_at) == ("answer", 0.8, "forum:wifi", START)
    last = store.last_question("console", "alice")
    assert last is not None and last.id == second and len(last.text) == 100_000
    assert store.last_question("console", "bob") is None  # an invalid question is nothing to follow up
    assert store.outcome_counts() == {"answer": 1, "suggest": 1, "invalid": 1}


def test_feedback_is_kept_per_question(store: StateStore) -> None:
    question_id = ask(store)
    store.record_feedback(question_id, "alice", "solved")
    store.record_feedback(question_id, "bob", "unhelpful")
    assert sorted((f.user, f.verdict) for f in store.feedback_for(question_id)) == [
        ("alice", "solved"),
        ("bob", "unhelpful"),
    ]


def test_forgotten_authors_are_kept_once_in_lower_case(store: StateStore) -> None:
    store.forget_author("Sam Member")
    store.forget_author("sam member")
    store.forget_author("u-1042")
    assert sorted(store.forgotten_authors()) == ["sam member", "u-1042"]


def test_json_columns_round_trip(store: StateStore) -> None:
    escalation_id = open_one(store)
    row = store.escalation(escalation_id)
    assert row is not None
    assert row.superusers == ("u-mara",) and row.experts == ("u-mara", "u-devon", "u-priya")
    assert row.near_misses == ({"title": "close", "url": None, "confidence": 0.2, "entry_id": "x"},)


def test_the_store_hands_out_frozen_records_not_rows(store: StateStore) -> None:
    escalation_id = open_one(store)
    question_id = ask(store, outcome="answer")
    store.record_feedback(question_id, "alice", "solved")
    escalation, question = store.escalation(escalation_id), store.question(question_id)
    last, (feedback,) = store.last_question("console", "alice"), store.feedback_for(question_id)
    claimed, row = escalations(store).claim(escalation_id, "u-mara")
    answered = escalations(store).answer(escalation_id, "u-mara", "Try turning it off and on.")
    for record in (escalation, question, last, feedback, row, answered):
        assert record is not None and dataclasses.is_dataclass(record)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.id = 0  # type: ignore[misc]
    assert claimed and row is not None and (row.status, row.claimed_by) == ("claimed", "u-mara")
    assert answered is not None and (answered.status, answered.answer) == ("answered", "Try turning it off and on.")
    assert escalation is not None and escalation.status == "open"  # a record is a snapshot: it never changes


# -- once-only ---------------------------------------------------------------------------------------


def test_an_event_is_first_seen_once(store: StateStore) -> None:
    assert store.first_time("Ev1") is True
    assert store.first_time("Ev1") is False
    assert store.first_time("Ev2") is True


def test_concurrent_redeliveries_are_handled_exactly_once(stores: Callable[[], StateStore]) -> None:
    replicas = [stores() for _ in range(THREADS)]
    for n in range(5):
        firsts = together(THREADS, lambda i, n=n: replicas[i].first_time(f"Ev{n}"))  # type: ignore[misc]
        assert sorted(firsts) == [False] * (THREADS - 1) + [True]


def test_a_claim_has_exactly_one_winner_under_concurrency(stores: Callable[[], StateStore]) -> None:
    replicas = [stores() for _ in range(THREADS)]
    escalation_id = open_one(replicas[0])
    results = together(THREADS, lambda i: escalations(replicas[i]).claim(escalation_id, f"u-{i}")[0])
    assert results.count(True) == 1
    row = replicas[0].escalation(escalation_id)
    assert row is not None and row.status == "claimed" and row.claimed_by == f"u-{results.index(True)}"
    assert row.next_ping_at is None  # claimed: the ladder stops
    assert replicas[0].open_escalations() == 0


def test_answer_and_resolve_happen_once(stores: Callable[[], StateStore]) -> None:
    replicas = [stores() for _ in range(THREADS)]
    escalation_id = open_one(replicas[0])
    answers = together(THREADS, lambda i: escalations(replicas[i]).answer(escalation_id, f"u-{i}", f"answer {i}"))
    winners = [a for a in answers if a is not None]
    assert len(winners) == 1
    row = replicas[0].escalation(escalation_id)
    assert row is not None and row.status == "answered" and row.answer == winners[0].answer
    resolved = together(THREADS, lambda i: escalations(replicas[i]).resolve(escalation_id))
    assert sum(r is not None for r in resolved) == 1
    assert escalations(replicas[0]).counts() == {"resolved": 1}
    assert replicas[0].open_escalation_in("console", "t1") is None


def test_awards_are_recorded_once(stores: Callable[[], StateStore]) -> None:
    replicas = [stores() for _ in range(THREADS)]
    settings = RecognitionSettings()
    notices = together(
        THREADS, lambda i: Recognition(replicas[i], settings, SUPERUSERS).award("u-mara", "answered", "esc1")
    )
    assert sum(bool(n) for n in notices) == 1  # one "First Answer" badge announcement
    recognition = Recognition(replicas[0], settings, SUPERUSERS)
    assert recognition.total("u-mara") == settings.answered_points
    assert recognition.award("u-mara", "answered", "esc1") == []
    assert recognition.award("u-mara", "claimed", "esc1") == []  # 2 points: no new rank or badge
    assert len(replicas[0].export_table("points")[1]) == 2
    assert [(s.superuser, s.points, s.badges) for s in recognition.leaderboard()] == [("u-mara", 7, ("First Answer",))]


def test_each_ladder_step_fires_once_across_replicas(stores: Callable[[], StateStore], clock: Clock) -> None:
    replicas = [stores() for _ in range(THREADS)]
    ids = [open_one(replicas[0], thread=f"t{n}") for n in range(4)]
    pings: list[tuple[int | None, str]] = []
    for minutes in (31, 61 + 31):
        clock.now = START + timedelta(minutes=minutes)
        rounds = together(THREADS, lambda i: escalations(replicas[i]).due())
        pings += [(n.escalation_id, s.community_id) for notices in rounds for n in notices for s in n.superusers]
    expected = [(e, "u-devon") for e in ids] + [(e, "u-priya") for e in ids]
    assert sorted(pings) == sorted(expected)
    rows = [replicas[0].escalation(e) for e in ids]
    assert [(r.level, r.superusers) for r in rows if r] == [(2, ("u-mara", "u-devon", "u-priya"))] * 4


def test_stale_escalations_expire_once(stores: Callable[[], StateStore], clock: Clock) -> None:
    replicas = [stores() for _ in range(THREADS)]
    ids = [open_one(replicas[0], thread=f"t{n}") for n in range(3)]
    clock.now = START + timedelta(hours=73)
    rounds = together(THREADS, lambda i: escalations(replicas[i]).due())
    told = sorted(n.escalation_id or 0 for notices in rounds for n in notices if n.kind == "asker")
    assert told == sorted(ids)
    assert escalations(replicas[0]).counts() == {"expired": 3}


def test_a_periodic_job_runs_on_one_replica_per_period(stores: Callable[[], StateStore], clock: Clock) -> None:
    replicas = [stores() for _ in range(THREADS)]
    day = timedelta(hours=24)
    for hours in (0, 1, 23, 24, 30, 48):
        clock.now = START + timedelta(hours=hours)
        turns = together(THREADS, lambda i: replicas[i].take_turn("housekeeping", f"replica-{i}", day))
        assert turns.count(True) == (1 if hours in (0, 24, 48) else 0), f"at {hours} h"
    assert replicas[0].take_turn("another job", "replica-0", day)  # each job has its own turn


def test_pruning_removes_old_raw_text_and_finished_events_but_keeps_the_counts(store: StateStore, clock: Clock) -> None:
    old = ask(store, text="my card 4111 is blocked", outcome="answer")
    escalated = open_one(store, thread="t-old")
    escalations(store).answer(escalated, "u-mara", "Call the bank's card line.")
    escalations(store).resolve(escalated)
    assert store.take_event("Ev-old", {"text": "x"}, 60)
    store.mark_sent("Ev-old")
    assert store.take_event("Ev-pending", {"text": "y"}, 60)  # its reply was never sent: kept
    clock.now = START + timedelta(days=100)
    recent = ask(store, text="still fresh", outcome="answer")
    assert store.take_event("Ev-new", {"text": "z"}, 60)
    store.mark_sent("Ev-new")

    pruned = store.prune(events_before=clock.now - timedelta(days=7), text_before=clock.now - timedelta(days=90))
    again = store.prune(events_before=clock.now - timedelta(days=7), text_before=clock.now - timedelta(days=90))

    assert (pruned.events, pruned.questions, pruned.escalations) == (1, 2, 1)
    assert again == type(pruned)()  # nothing left to do
    texts = {q.id: q.text for q in store.questions_since()}
    assert texts[recent] == "still fresh" and "4111" not in texts[old]
    row = store.escalation(escalated)
    assert row is not None and "help?" not in row.question and row.answer == "Call the bank's card line."
    assert not store.take_event("Ev-new", {"text": "z"}, 60)  # recent events still deduplicate
    assert not store.take_event("Ev-pending", {"text": "y"}, 3600)  # still there, still held by its taker
    assert escalations(store).counts() == {"resolved": 1}


# -- schema and migrations ---------------------------------------------------------------------------


def head() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    revision = script.get_current_head()
    assert revision is not None
    return revision


def test_migrations_build_exactly_the_models_schema(store: StateStore) -> None:
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_restarting_on_an_existing_database_keeps_everything(url: str, clock: Clock) -> None:
    store = StateStore(url, clock=clock)
    question_id = ask(store)
    store.first_time("Ev1")
    store.close()
    again = StateStore(url, clock=clock)
    assert again.question(question_id) is not None
    assert again.first_time("Ev1") is False
    again.close()


def test_replicas_starting_together_migrate_once(url: str, clock: Clock) -> None:
    started = together(4, lambda _: StateStore(url, clock=clock))
    assert started[0].first_time("Ev1") is True
    for store in started:
        store.close()


def test_a_database_made_by_create_all_is_stamped_and_keeps_its_data(url: str, clock: Clock) -> None:
    """Databases from before migrations: tables made by create_all (the baseline schema), no alembic_version."""
    engine = create_engine(engine_url(url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # the schema create_all made then, without Alembic's bookkeeping
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("DROP TABLE alembic_version"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO questions (created_at, platform, thread, public, asker, text, outcome) "
                "VALUES (:now, 'console', 't1', true, 'alice', 'old question', 'answer')"
            ),
            {"now": START},
        )
        connection.execute(text("INSERT INTO handled_events VALUES ('Ev-old', :now)"), {"now": START})
    engine.dispose()
    store = StateStore(url, clock=clock)
    assert store.outcome_counts() == {"answer": 1}
    assert store.first_time("Ev-old") is False
    assert ask(store) == 2
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()
        assert "alembic_version" in inspect(connection).get_table_names()
    store.close()


def test_an_old_sqlite_file_stays_readable_by_plain_sqlite(tmp_path: Path) -> None:
    """Tests and operators read the SQLite file directly: the migrated file is still the same plain schema."""
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    escalation_id = open_one(store)
    store.close()
    with sqlite3.connect(tmp_path / "state.db") as connection:
        rows = connection.execute("select id, superusers from escalations").fetchall()
    assert rows == [(escalation_id, '["u-mara"]')]


def test_only_sqlite_and_postgresql_are_supported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SQLite or PostgreSQL"):
        StateStore("mysql+pymysql://user@localhost/peerbot")


def test_an_unreachable_database_is_named_without_its_password() -> None:
    port = pg.free_port()  # nothing listens there
    with pytest.raises(
        ConfigError, match=rf"cannot open the state store postgresql\+psycopg://u:\*\*\*@127.0.0.1:{port}/x"
    ):
        StateStore(f"postgresql://u:secret@127.0.0.1:{port}/x")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/peerbot", "postgresql+psycopg://u:p@db:5432/peerbot"),
        ("postgresql://u@db/peerbot", "postgresql+psycopg://u@db/peerbot"),
        ("postgresql+psycopg://u@db/peerbot", "postgresql+psycopg://u@db/peerbot"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgresql_urls_use_psycopg(given: str, used: str) -> None:
    assert engine_url(given) == used
