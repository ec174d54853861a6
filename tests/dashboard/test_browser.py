"""Headless Chromium against the dashboard on uvicorn: the login, the numbers, the charts, the refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import StateStore
from tests.dashboard.conftest import NOW, TOKEN, seed, serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")


@pytest.fixture
def server(indexed: Settings) -> Iterator[str]:
    store = StateStore(indexed.state_url)
    seed(store)
    data = DashboardData(indexed, wiring.open_embedder(indexed), store, clock=lambda: NOW)
    with serving(create_app(data, TokenAuth(TOKEN))) as url:
        yield url


def test_dashboard_in_a_real_browser(server: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            refused = page.request.get(f"{server}/export/questions.csv")
            assert refused.status == 401
            page.goto(f"{server}/?days=0")
            assert "/login" in page.url and page.locator("#password").is_visible()
            assert "Mara Quinn" not in page.content()
            page.fill("#password", "wrong-token")
            page.click("#login")
            assert page.locator("#login-error").inner_text() == "That token is not right."
            page.fill("#password", TOKEN)
            page.click("#login")
            page.wait_for_selector("#total-questions")
            assert page.url == f"{server}/?days=0"
            assert page.locator("#total-questions").inner_text() == "9"
            assert page.locator("#deflection-rate").inner_text() == "22%"
            assert page.locator("#esc-resolved").inner_text() == "1"
            assert page.locator("#median-first-answer").inner_text() == "60 min"
            assert page.locator("#leaderboard tr").count() == 3
            charts = page.locator("svg.chart")
            assert charts.count() == 4
            for i in range(charts.count()):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 200 and box["height"] > 50
                assert charts.nth(i).locator("rect, polyline").count() > 0
            page.fill("#knowledge input[name=q]", "hub keeps dropping off wifi every night")
            page.click("#knowledge button")
            page.wait_for_selector("#decision")
            assert page.locator("td.confidence").count() >= 1
            assert "meaning" in page.locator("#result").inner_text()
            csv = page.request.get(f"{server}/export/outcomes.csv")
            assert csv.status == 200 and "deflected,2,0.2222" in csv.text()
        finally:
            browser.close()
