"""A state store (a real SQLite file) filled with known events, and the numbers the dashboard must show."""

from __future__ import annotations

import asyncio
import io
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.runtime import serve
from peerbot.bots.state import BadgeRow, EscalationRow, FeedbackRow, PointsRow, QuestionRow, StateStore
from tests.conftest import make_settings

NOW = datetime(2026, 3, 10, 12, 0)
DAY1 = datetime(2026, 3, 1, 9, 0)
DAY2 = datetime(2026, 3, 2, 10, 0)
URGENT_TEXT = "This is the worst! The hub died again and nobody helps. Furious."
TOKEN = "test-token-0123456789"


def _at(minutes: float, base: datetime = DAY2) -> datetime:
    return base + timedelta(minutes=minutes)


def seed(store: StateStore) -> None:
    """Nine questions over two days; five escalations in every state; points, badges, feedback.

    outcome classes: answered_solved q1, answered_no_feedback q2, answered_unhelpful q3, suggested q4,
    escalated q5 q6, unanswered q7 (expired) q8 (urgent, open) q9 (asked a human, claimed).
    """
    questions = [
        (1, DAY1, "slack", "C1", "How do I reset a bulb", "answer"),
        (2, DAY1, "slack", "C1", "Hub keeps dropping off wifi", "answer"),
        (3, DAY1, "discord", "D1", "music sync mode for a party", "answer"),
        (4, DAY1, "console", None, "Which bulb fits a lamp", "suggest"),
        (5, DAY2, "slack", "C1", "warranty claim for an old bulb", "escalate"),
        (6, DAY2, "discord", "D1", "warranty claim for an old hub", "escalate"),
        (7, DAY2, "slack", "C1", "music sync for parties", "escalate"),
        (8, DAY2, "slack", "C1", URGENT_TEXT, "answer"),
        (9, DAY2, "discord", "D1", "standby power of bulbs", "answer"),
    ]
    escalations: list[dict[str, Any]] = [
        {"id": 1, "question_id": 5, "status": "resolved", "claimed_by": "u-mara", "claimed_at": _at(5)},
        {"id": 2, "question_id": 6, "status": "answered", "claimed_by": "u-devon", "claimed_at": _at(30)},
        {"id": 3, "question_id": 7, "status": "expired"},
        {"id": 4, "question_id": 8, "status": "open", "urgent": True},
        {"id": 5, "question_id": 9, "status": "claimed", "claimed_by": "u-devon", "claimed_at": _at(50)},
    ]
    escalations[0].update(answered_by="u-mara", answer="Use the order page.", answered_at=_at(20), resolved_at=_at(60))
    escalations[1].update(answered_by="u-devon", answer="Send it back.", answered_at=_at(100))
    with store._session() as s:  # the test reads the tables directly
        for qid, when, platform, channel, text, outcome in questions:
            s.add(
                QuestionRow(
                    id=qid, created_at=when + timedelta(minutes=qid), platform=platform, channel=channel,
                    asker=f"user{qid}", text=text, outcome=outcome, confidence=0.5,
                )
            )  # fmt: skip
        s.flush()
        for e in escalations:
            q = questions[e["question_id"] - 1]
            s.add(
                EscalationRow(
                    created_at=DAY2, updated_at=DAY2, platform=q[2], channel=q[3], asker="x", question=q[4], **e
                )
            )
        s.add_all(
            [
                FeedbackRow(question_id=1, user="user1", verdict="solved", created_at=_at(30, DAY1)),
                FeedbackRow(question_id=3, user="user3", verdict="unhelpful", created_at=_at(30, DAY1)),
                FeedbackRow(question_id=9, user="user9", verdict="human", created_at=_at(40)),
                FeedbackRow(question_id=5, user="user5", verdict="solved", created_at=_at(60)),
            ]
        )
        points = [
            ("u-mara", 2, "claimed", "esc1", _at(5)),
            ("u-mara", 5, "answered", "esc1", _at(20)),
            ("u-mara", 10, "accepted", "esc1", _at(60)),
            ("u-devon", 2, "claimed", "esc2", _at(30)),
            ("u-devon", 5, "answered", "esc2", _at(100)),
            ("u-devon", 2, "claimed", "esc5", _at(50)),
            ("u-devon", 3, "deflection", "q1", _at(30, DAY1)),
        ]
        s.add_all(PointsRow(superuser=w, points=p, reason=r, ref=ref, created_at=t) for w, p, r, ref, t in points)
        s.add_all(
            [
                BadgeRow(superuser="u-mara", badge="First Answer", earned_at=_at(20)),
                BadgeRow(superuser="u-devon", badge="First Answer", earned_at=_at(100)),
            ]
        )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def form_csrf(client: Any, path: str = "/login") -> str:
    """The CSRF token a page's forms carry (the login form's comes with its own cookie)."""
    found = CSRF.search(client.get(path, headers={"accept": "text/html"}).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def log_in(client: Any, password: str = TOKEN, name: str = "", next: str = "/") -> Any:
    """Log in through the form as a browser does: fetch it (its CSRF cookie and field), then post it."""
    csrf = form_csrf(client)
    return client.post("/login", data={"csrf": csrf, "name": name, "password": password, "next": next})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The dashboard app on a real HTTP server on 127.0.0.1 (uvicorn in a thread), for a real browser: its URL."""
    import uvicorn

    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@dataclass
class Live:
    """The dashboard served for a browser beside a running console bot on the same state store."""

    url: str
    bot: Bot

    def chat(self, lines: str, asker: str = "alice") -> str:
        """`peerbot chat` with these lines (in a thread of its own: Playwright's loop runs in this one)."""
        out = io.StringIO()
        console = ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, serve(self.bot, console)).result(timeout=120)
        return out.getvalue()


@contextmanager
def live_room(settings: Settings, moderator: str, password: str) -> Iterator[Live]:
    """Index the settings' community, start the bot and the dashboard with one moderator account."""
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    bot = wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0])
    store = StateStore(settings.state_url)
    accounts = Accounts(store)
    accounts.add(moderator, "moderator", password)
    try:
        with serving(create_app(DashboardData(settings, embedder, store), TokenAuth(TOKEN, accounts=accounts))) as url:
            yield Live(url, bot)
    finally:
        bot.close()
        store.close()


class KeywordEmbedder:
    """Deterministic vectors: one axis per topic word, so clusters are known exactly."""

    name = "keywords"
    dimension = 4
    words = ("warranty", "music", "power", "reset")

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        out = np.full((len(texts), self.dimension), 0.01, dtype=np.float32)
        for i, text in enumerate(texts):
            for j, word in enumerate(self.words):
                out[i, j] += word in text.lower()
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def dash_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def seeded(dash_settings: Settings) -> StateStore:
    store = StateStore(dash_settings.state_url)
    seed(store)
    return store


@pytest.fixture
def indexed(dash_settings: Settings) -> Settings:
    wiring.reindex(dash_settings, wiring.open_embedder(dash_settings))
    return dash_settings
