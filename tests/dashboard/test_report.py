"""The one-page report of the return on the community (issue #18, point 6): downloaded from the dashboard over
HTTP and written by `peerbot digest --html`, with the weekly digest's numbers, self-contained and escaped."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings, load_settings
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.digest import digest_numbers, digest_text
from peerbot.bots.schema import utcnow
from peerbot.bots.state import EscalationRow, FeedbackRow, QuestionRow, StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import NOW, TOKEN, log_in, seed
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, write_jsonl

PASSWORD = "viewer-password-1"
WEEK = datetime(2026, 3, 4, 10, 0)  # inside the last 7 complete days before NOW (March 3-9)
SECRET = "Nimbus prototype leak date?"
CELL = re.compile(r'<td class="n (now|before)">([^<]*)</td>')


def add_week(store: StateStore) -> None:
    """March 4: two questions deflected, three escalated in public (one answered by Mara after 30 minutes, another
    accepted since), one escalated in a private channel."""
    rows = [
        (20, "How do I reset a bulb", "answer", True),
        (21, "Hub keeps dropping off wifi", "answer", True),
        (22, "warranty claim for my cracked hub", "escalate", True),
        (23, "warranty claim for a dead bulb", "escalate", True),
        (24, "music sync for a party tonight", "escalate", True),
        (25, SECRET, "escalate", False),
    ]
    with store._session() as s:
        for qid, text, outcome, public in rows:
            s.add(QuestionRow(id=qid, created_at=WEEK + timedelta(minutes=qid), platform="slack", channel="C1",
                              asker=f"a{qid}", text=text, outcome=outcome, confidence=0.5, public=public))  # fmt: skip
        s.flush()
        s.add_all(FeedbackRow(question_id=q, user=f"a{q}", verdict="solved", created_at=WEEK) for q in (20, 21))
        answered = WEEK + timedelta(minutes=52)
        s.add(EscalationRow(id=20, question_id=22, status="answered", created_at=WEEK + timedelta(minutes=22),
                            updated_at=answered, platform="slack", channel="C1", asker="a22", question="warranty",
                            answered_by="u-mara", answer="Send it back.", answered_at=answered))  # fmt: skip
        s.add(EscalationRow(id=21, question_id=24, status="resolved", created_at=WEEK, updated_at=WEEK, asker="a24",
                            platform="slack", channel="C1", question="music", answered_by="u-devon", answer="Scenes.",
                            answered_at=WEEK + timedelta(hours=3), resolved_at=WEEK + timedelta(hours=4)))  # fmt: skip


def dashboard(settings: Settings, store: StateStore) -> TestClient:
    accounts = Accounts(store)
    accounts.add("vi", "viewer", PASSWORD)
    data = DashboardData(settings, wiring.open_embedder(settings), store, clock=lambda: NOW)
    return TestClient(create_app(data, TokenAuth(TOKEN, accounts=accounts)), follow_redirects=False)


def test_the_report_has_the_weekly_digests_numbers_and_downloads_as_an_attachment(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, dashboard={"case_cost": 40, "case_minutes": 30, "currency": "€",
                                                  "public_url": "https://peerbot.example"})  # fmt: skip
    store = StateStore(settings.state_url)
    seed(store)  # the week before: nine questions, two deflected, two human answers (20 and 100 minutes)
    add_week(store)
    client = dashboard(settings, store)

    assert client.get("/roi/report.html").status_code == 401  # not logged in
    assert client.get("/roi/report.html", headers={"accept": "text/html"}).headers["location"].startswith("/login")
    assert log_in(client, PASSWORD, name="vi").status_code == 303
    assert 'href="/roi/report.html"' in client.get("/roi").text  # the return page's "Download report" link
    response = client.get("/roi/report.html")  # a viewer, as for the return page
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == 'attachment; filename="community-return-2026-03-10.html"'
    report = response.text

    numbers = digest_numbers(store, settings, NOW, wiring.open_embedder(settings))
    digest = digest_text(numbers.week, settings, numbers.gaps)
    week = report[report.index('id="period-last-7-days"') : report.index('id="period-last-30-days"')]
    cells = CELL.findall(week)
    assert [v for k, v in cells if k == "now"] == ["2 of 6 (33%)", "1.0 h", "€80", "100% (2 of 2)", "1.8 h (n=2)"]
    assert [v for k, v in cells if k == "before"] == ["2 of 9 (22%)", "1.0 h", "€80", "100% (2 of 2)", "60 min (n=2)"]
    for _, value in cells:  # every figure of the week, now and before, as the digest says it
        assert value in digest, value
    assert '<td class="n change bad">+75%</td>' in week  # slower to a human answer: worse
    month = report[report.index('id="period-last-30-days"') :]
    assert next(v for k, v in CELL.findall(month) if k == "now") == "4 of 15 (27%)"  # both weeks: March 1-9
    assert 'id="generated">Generated 2026-03-10 12:00 UTC' in report and "Lumo Community" in report
    assert re.search(r"<li><b>warranty, claim, [a-z]+</b> <span class=\"muted\">\(2 questions\)</span></li>", report)
    assert "music" not in report[report.index('id="topics"') :]  # accepted since: no longer a gap
    assert SECRET not in report and "nimbus" not in report.lower()  # asked in private: never in the report
    assert 'href="https://peerbot.example/roi"' in report


def test_the_report_is_one_self_contained_file_with_its_text_escaped(tmp_path: Path) -> None:
    name = '<script>alert(1)</script> "Lumo"'
    settings = make_settings(tmp_path)
    settings = settings.model_copy(update={"community": settings.community.model_copy(update={"name": name})})
    store = StateStore(settings.state_url)
    add_week(store)
    client = dashboard(settings, store)
    report = client.get("/roi/report.html", headers={"authorization": f"Bearer {TOKEN}"}).text
    assert "<script" not in report and "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert not re.search(r"<link|<img|<iframe|src=|@import|url\(", report)  # nothing fetched from anywhere
    assert "http://" not in report and "https://" not in report  # no public_url: no link at all
    assert "@page { size: A4" in report and "@media print" in report


def test_peerbot_digest_writes_the_report(
    tmp_path: Path, peerbot: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    (tmp_path / "config.toml").write_text(CLI_CONFIG + '\n[dashboard]\ncurrency = "€"\n')
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    settings = load_settings(tmp_path / "config.toml")
    store = StateStore(settings.state_url)
    with store._session() as s:
        s.add(QuestionRow(created_at=utcnow() - timedelta(days=3), platform="slack", channel="C1", asker="a",
                          text="How do I reset a bulb", outcome="answer", confidence=0.9))  # fmt: skip
    store.close()

    result = peerbot("digest", "--no-topics", "--html", "return.html")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "The one-page report is in return.html" in result.stderr
    report = (tmp_path / "return.html").read_text(encoding="utf-8")
    assert "<title>Return on the community · Lumo Community · " in report
    assert '<td class="n now">1 of 1 (100%)</td>' in report  # answered, nobody said it did not help: deflected

    result = peerbot("digest", "--no-topics", "--html", "missing/folder/return.html")
    assert result.returncode == 2 and "cannot write missing/folder/return.html" in result.stderr
    assert "Traceback" not in result.stderr
