"""The return on the community (issue #18, point 6) on the seeded store: known deflections, costs and times."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.roi import community_return
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import QuestionRow, StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import NOW, TOKEN, seed

BEARER = {"authorization": f"Bearer {TOKEN}"}


def test_the_return_counts_complete_days_and_marks_today_partial(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, dashboard={"case_cost": 40, "case_minutes": 30, "currency": "€"})
    store = StateStore(settings.state_url)
    seed(store)  # nine questions on March 1 and 2: two deflected, two human answers (20 and 100 minutes)
    with store._session() as s:
        s.add(QuestionRow(created_at=NOW - timedelta(hours=1), platform="slack", channel="C1", asker="z",
                          text="today", outcome="answer", confidence=0.9))  # fmt: skip
    (week, month), today = community_return(store, settings, NOW)
    assert (week.current.questions, week.previous.questions) == (0, 9)  # March 3-9 against February 24 - March 2
    assert week.change("deflected") == -1.0
    m = month.current
    assert (m.questions, m.deflected, m.hours_saved, m.cost_saved) == (9, 2, 1.0, 80.0)
    assert (m.human_answers, m.by_superusers, m.median_minutes) == (2, 2, 60.0)
    assert month.change("deflected") is None  # nothing before to compare with: no made-up trend
    assert today.partial and (today.questions, today.deflected) == (1, 1)

    data = DashboardData(settings, wiring.open_embedder(settings), store, clock=lambda: NOW)
    client = TestClient(create_app(data, TokenAuth(TOKEN)))
    page = client.get("/roi", headers=BEARER).text
    assert '<b class="cost">€80</b>' in page and '<b class="hours">1.0 h</b>' in page
    assert "questions deflected by peer answers (n=9)" in page and "<nav>" in page
    assert re.search(r'id="roi-today"><td>today so far \(partial day: not a trend\)</td>\s*<td class="n">1</td>', page)
    assert 'href="/roi/report.html" id="roi-download"' in page  # the report: tests/dashboard/test_report.py
