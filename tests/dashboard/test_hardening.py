"""The dashboard under attack and misuse, over HTTP (issue 13, points 11, 12 and 15): formula injection in
CSV exports, per-login server-side sessions, a 10 MB question, an FAQ CSV written by Excel."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.auth import COOKIE, TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import EscalationRow, QuestionRow, StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import DAY2, NOW, TOKEN, form_csrf, log_in, seed
from tests.factories import CLI_CONFIG

BEARER = {"authorization": f"Bearer {TOKEN}"}
HTML = {"accept": "text/html"}
Run = Callable[..., subprocess.CompletedProcess[str]]
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB=1", "\rCR=1"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 12, 0)

    def __call__(self) -> datetime:
        return self.now


def client_for(settings: Settings, auth: TokenAuth | None = None, base_url: str = "http://testserver") -> TestClient:
    store = StateStore(settings.state_url)
    data = DashboardData(settings, wiring.open_embedder(settings), store, clock=lambda: NOW)
    return TestClient(create_app(data, auth or TokenAuth(TOKEN)), base_url=base_url, follow_redirects=False)


def add_question(settings: Settings, text: str, *, asker: str = "mallory", escalate: bool = True) -> None:
    store = StateStore(settings.state_url)
    with store._session() as s:  # the test writes the tables directly
        row = QuestionRow(
            created_at=DAY2, platform="slack", channel="C1", asker=asker, text=text, outcome="escalate", confidence=0.1
        )
        s.add(row)
        s.flush()
        if escalate:
            s.add(
                EscalationRow(
                    question_id=row.id, status="open", urgent=True, created_at=DAY2, updated_at=DAY2,
                    platform="slack", channel="C1", asker=asker, question=text,
                )
            )  # fmt: skip


# ---- point 11: formula injection -----------------------------------------------------------------------------


def test_csv_exports_neutralise_formulas(indexed: Settings) -> None:
    seed(StateStore(indexed.state_url))
    for text in FORMULAS:
        add_question(indexed, text, asker=text)
    client = client_for(indexed)
    questions = list(csv.DictReader(io.StringIO(client.get("/export/questions.csv", headers=BEARER).text)))
    texts = [q["text"] for q in questions]
    for text in FORMULAS:
        assert "'" + text in texts and text not in texts
    assert {q["asker"] for q in questions} >= {"'" + t for t in FORMULAS}
    assert "How do I reset a bulb" in texts  # ordinary text is unchanged
    for name in ("escalations", "content_gaps", "questions_by_day", "outcomes"):
        rows = list(csv.reader(io.StringIO(client.get(f"/export/{name}.csv", headers=BEARER).text)))
        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], name
        assert not [c for c in cells if c.startswith("-") and not _number(c)], name


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# ---- point 12: sessions and page sizes ------------------------------------------------------------------------


def login(client: TestClient) -> str:
    response = log_in(client)
    assert response.status_code == 303
    return str(response.cookies[COOKIE])


def test_each_login_gets_its_own_random_session_and_logout_revokes_it(indexed: Settings) -> None:
    client = client_for(indexed)
    first, second = login(client), login(client)
    assert first != second and TOKEN not in first
    assert client.get("/?days=0", cookies={COOKIE: first}).status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, first)
    csrf = form_csrf(client, "/?days=0")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403  # a form from elsewhere
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    client.cookies.clear()
    assert client.get("/?days=0", cookies={COOKIE: first}).status_code == 401  # revoked on the server
    assert client.get("/?days=0", cookies={COOKIE: second}).status_code == 200  # other logins stay


def test_sessions_expire_after_the_configured_time(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, dashboard={"session_hours": 2})
    clock = Clock()
    client = client_for(
        settings, TokenAuth(TOKEN, lifetime=timedelta(hours=settings.dashboard.session_hours), clock=clock)
    )
    response = log_in(client)
    cookie = str(response.cookies[COOKIE])
    assert "max-age=7200" in response.headers["set-cookie"].lower()
    client.cookies.clear()
    clock.now += timedelta(hours=1, minutes=59)
    assert client.get("/?days=0", cookies={COOKIE: cookie}).status_code == 200
    clock.now += timedelta(minutes=2)
    assert client.get("/?days=0", cookies={COOKIE: cookie}).status_code == 401


def test_the_session_cookie_is_secure_over_https(indexed: Settings) -> None:
    https = client_for(indexed, base_url="https://dashboard.example")
    assert "secure" in log_in(https).headers["set-cookie"].lower()
    http = client_for(indexed)
    assert "secure" not in log_in(http).headers["set-cookie"].lower()


def test_a_10_mb_question_does_not_bloat_every_page(indexed: Settings) -> None:
    seed(StateStore(indexed.state_url))
    huge = "warranty " + "x" * (10 * 1024 * 1024)
    add_question(indexed, huge)
    add_question(indexed, "warranty " + huge[:5000])
    client = client_for(indexed)
    for path in ("/?days=0", "/search?q=warranty"):
        page = client.get(path, headers=BEARER)
        assert page.status_code == 200 and len(page.content) < 200_000, (path, len(page.content))
    form = client.get("/faq/new?question=" + "q" * 50_000, headers=BEARER)
    assert form.status_code == 200 and "q" * 2001 not in form.text
    assert huge in client.get("/export/questions.csv", headers=BEARER).text  # exports keep the whole text


def test_session_hours_is_validated(tmp_path: Path) -> None:
    from peerbot.errors import ConfigError

    with pytest.raises(ConfigError, match=r"dashboard\.session_hours"):
        make_settings(tmp_path, dashboard={"session_hours": "12"})


# ---- point 15: an FAQ CSV written by Excel ---------------------------------------------------------------------


def test_faq_form_writes_under_the_real_columns_of_an_excel_csv(tmp_path: Path, peerbot: Run) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_bytes(
        "\ufeffQuestion,Answer,Author\r\nCan I dim the hub light?,Yes: Settings > Hub > LED.,Team\r\n".encode()
    )
    settings = make_settings(
        tmp_path,
        sources=[
            {"name": "forum", "type": "jsonl", "path": "community.jsonl"},
            {"name": "faq", "type": "faq", "path": "faq.csv"},
        ],
    )
    saved = client_for(settings).post(
        "/faq",
        data={"question": "Does music sync work with Spotify?", "answer": "Not yet: it is planned.", "author": "Lumo"},
        headers=BEARER,
    )
    assert saved.status_code == 200, saved.text
    text = faq.read_bytes().decode("utf-8-sig")
    assert ",,," not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[-1] == {
        "Question": "Does music sync work with Spotify?",
        "Answer": "Not yet: it is planned.",
        "Author": "Lumo",
    }
    assert rows[0]["Question"] == "Can I dim the hub light?"

    (tmp_path / "config.toml").write_text(CLI_CONFIG + '\n[[sources]]\nname = "faq"\ntype = "faq"\npath = "faq.csv"\n')
    indexed = peerbot("index")
    assert indexed.returncode == 0 and "skipped" not in indexed.stderr, indexed.stderr
    asked = peerbot("ask", "Does music sync work with Spotify?")
    assert "Not yet: it is planned." in asked.stdout and "Lumo" in asked.stdout
