"""The dashboard app (FastAPI TestClient): login, pages with the seeded numbers, CSV exports, search, FAQ."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard import TOKEN_ENV
from peerbot.bots.dashboard.auth import COOKIE, TokenAuth, token_from_env
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.policy import decide
from peerbot.bots.state import StateStore
from peerbot.errors import ConfigError
from peerbot.knowledge.entries import Audience
from tests.conftest import make_settings
from tests.dashboard.conftest import NOW, TOKEN, log_in, seed

HTML = {"accept": "text/html"}
BEARER = {"authorization": f"Bearer {TOKEN}"}
DECISIONS = {"answer": "answer", "suggest": "suggest threads", "escalate": "escalate to superusers"}


def make_client(settings: Settings) -> TestClient:
    store = StateStore(settings.state_url)
    data = DashboardData(settings, wiring.open_embedder(settings), store, clock=lambda: NOW)
    return TestClient(create_app(data, TokenAuth(TOKEN)), follow_redirects=False)


@pytest.fixture
def client(indexed: Settings) -> TestClient:
    seed(StateStore(indexed.state_url))
    return make_client(indexed)


def test_nothing_is_served_without_the_token(client: TestClient) -> None:
    page = client.get("/?days=0", headers=HTML)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/%3Fdays%3D0"
    for path in ("/", "/search?q=x", "/export/questions.csv", "/faq/new", "/nope"):
        assert client.get(path).status_code == 401
    assert client.post("/faq", data={"question": "q", "answer": "a"}).status_code == 401
    assert client.get("/", headers={"authorization": "Bearer wrong-token"}).status_code == 401
    assert client.get("/", cookies={COOKIE: "forged"}).status_code == 401
    assert client.get("/login").status_code == 200


def test_login_sets_a_session_cookie_that_is_not_the_token(client: TestClient) -> None:
    wrong = log_in(client, "nope")
    assert wrong.status_code == 401 and "not right" in wrong.text
    ok = log_in(client, TOKEN, next="//evil.example/")
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.cookies[COOKIE]
    assert TOKEN not in cookie and "httponly" in ok.headers["set-cookie"].lower()
    assert client.get("/?days=0", cookies={COOKIE: cookie}).status_code == 200


def test_overview_shows_the_seeded_numbers(client: TestClient) -> None:
    page = client.get("/?days=0", headers=BEARER).text
    assert '<b id="total-questions">9</b>' in page
    assert '<b id="deflection-rate">22%</b>' in page
    assert '<b id="esc-open">1</b>' in page and '<b id="esc-expired">1</b>' in page
    assert '<b id="median-first-answer">60 min</b>' in page
    assert "Mara Quinn" in page and "First Answer" in page
    assert page.count('class="gap"') == 2 and page.count('class="gap answered"') == 1  # warranty: accepted (esc 1)
    assert "/faq/new?question=" in page
    assert page.count("<svg") == 4 and page.count('class="bar"') >= 5
    assert "This is the worst!" in page  # the urgent escalation


def test_period_filter(client: TestClient) -> None:
    assert '<b id="total-questions">0</b>' in client.get("/?days=1", headers=BEARER).text
    assert '<b id="total-questions">9</b>' in client.get("/?days=30", headers=BEARER).text


def test_csv_exports(client: TestClient) -> None:
    outcomes = client.get("/export/outcomes.csv", headers=BEARER)
    assert outcomes.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(outcomes.text)))
    assert rows[0] == ["outcome", "questions", "share"]
    assert ["escalated", "2", "0.2222"] in rows and ["deflected", "2", "0.2222"] in rows
    questions = list(csv.DictReader(io.StringIO(client.get("/export/questions.csv", headers=BEARER).text)))
    assert len(questions) == 9 and questions[0]["text"] == "How do I reset a bulb"
    page = client.get("/?days=0", headers=BEARER).text
    for name in ("questions", "escalations", "feedback", "points", "badges", "review_queue", "leaderboard"):
        assert f"/export/{name}.csv" in page
        assert client.get(f"/export/{name}.csv", headers=BEARER).status_code == 200
    assert client.get("/export/content_gaps.csv", headers=BEARER).text.startswith("topic,questions,examples")
    assert client.get("/export/secrets.csv", headers=BEARER).status_code == 404


def test_search_shows_the_bot_decision_and_reasons(client: TestClient, indexed: Settings) -> None:
    question = "hub keeps dropping off wifi every night"
    page = client.get("/search", params={"q": question}, headers=BEARER).text
    embedder = wiring.open_embedder(indexed)
    kb, _ = wiring.load_knowledge(indexed, embedder)
    matches = wiring.make_bot(indexed, embedder, kb).retriever.retrieve(question, Audience(), 5)
    decision = decide(matches, wiring.thresholds(indexed)).outcome.value
    assert f'id="decision">{DECISIONS[decision]}<' in page
    assert "Hub keeps dropping off wifi every night" in page
    assert f"{matches[0].confidence:.0%}" in page
    assert "meaning" in page and "trust" in page  # the retriever's reasons
    assert f'<b id="kb-entries">{len(kb)}</b>' in page


def test_faq_form_appends_to_the_faq_source(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        sources=[
            {"name": "forum", "type": "jsonl", "path": "community.jsonl"},
            {"name": "faq", "type": "faq", "path": "faq.csv"},
        ],
    )
    client = make_client(settings)
    form = client.get("/faq/new", params={"question": "music sync for parties"}, headers=BEARER)
    assert 'value="music sync for parties"' in form.text and "faq.csv" in form.text
    saved = client.post(
        "/faq", data={"question": "Music sync?", "answer": "Not yet.", "author": "Team"}, headers=BEARER
    )
    assert saved.status_code == 200 and 'id="saved"' in saved.text
    assert (tmp_path / "faq.csv").read_text().splitlines() == ["question,answer,author", "Music sync?,Not yet.,Team"]
    assert client.post("/faq", data={"question": "x", "answer": ""}, headers=BEARER).status_code == 400


def test_faq_form_without_a_faq_source_explains_how(client: TestClient) -> None:
    assert 'type = "faq"' in client.get("/faq/new", headers=BEARER).text
    assert client.post("/faq", data={"question": "q", "answer": "a"}, headers=BEARER).status_code == 409


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ConfigError, match=TOKEN_ENV):
        token_from_env()
    monkeypatch.setenv(TOKEN_ENV, "short")
    with pytest.raises(ConfigError, match="too short"):
        token_from_env()
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert token_from_env() == TOKEN
    assert TOKEN not in repr(TokenAuth(TOKEN))


def test_dashboard_command_refuses_without_the_token(
    peerbot: Callable[..., subprocess.CompletedProcess[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    result = peerbot("dashboard", "--port", "1")
    assert result.returncode == 2
    assert TOKEN_ENV in result.stderr


def test_an_empty_store_renders_with_empty_charts(indexed: Settings) -> None:
    page = make_client(indexed).get("/", headers=BEARER)
    assert page.status_code == 200
    assert '<b id="total-questions">0</b>' in page.text and page.text.count("no data yet") == 4
    assert "No urgent escalations." in page.text


def test_search_without_an_index_says_so(dash_settings: Settings) -> None:
    page = make_client(dash_settings).get("/search", params={"q": "anything"}, headers=BEARER)
    assert page.status_code == 200 and "no index yet" in page.text


def test_user_text_is_escaped(client: TestClient) -> None:
    page = client.get("/search", params={"q": "<script>alert(1)</script>"}, headers=BEARER).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    login = client.get("/login", params={"next": '/"><script>x</script>'}).text
    assert "<script>x</script>" not in login


def test_overview_shows_the_answer_gate_and_its_steps(client: TestClient, indexed: Settings) -> None:
    page = client.get("/?days=0", headers=BEARER).text
    assert '<b id="gate-threshold">0.60</b>' in page and '<b id="gate-labels">4</b>' in page  # seeded verdicts
    assert '<b id="gate-precision">–</b>' in page  # every seeded confidence (0.5) is below the gate
    store = StateStore(indexed.state_url)
    wiring.learned_gate(indexed, store).reset(by="admin")
    page = client.get("/?days=0", headers=BEARER).text
    assert '<b id="gate-labels">0</b>' in page and "reset by admin" in page and '<table id="gate-steps">' in page
