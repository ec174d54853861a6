"""Issue #18, point 7, in headless Chromium against the dashboard on uvicorn: charts people can read (dates under
the x axis, a tooltip with the value and its sample size on every bar and point, ticks still legible on a phone),
no page wider than a 390 px phone, content gaps apart from complaints and marked answered, and the return report
printing on one A4 page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import StateStore
from tests.dashboard.conftest import NOW, TOKEN, seed, serving
from tests.dashboard.test_report import add_week

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PAGES = ("/?days=0", "/roi", "/log", "/inbox?view=all", "/kb", "/held", "/search?q=hub+wifi", "/audit")
DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}$")  # "Mar 4"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")


@pytest.fixture
def server(indexed: Settings) -> Iterator[str]:
    store = StateStore(indexed.state_url)
    seed(store)  # March 1 and 2
    add_week(store)  # March 4
    data = DashboardData(indexed, wiring.open_embedder(indexed), store, clock=lambda: NOW)
    with serving(create_app(data, TokenAuth(TOKEN))) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser: Any, width: int) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, extra_http_headers={"authorization": f"Bearer {TOKEN}"}
    )
    return context.new_page()


def test_charts_show_dates_and_a_tooltip_with_value_and_sample_size(server: str, browser: Any) -> None:
    page = open_page(browser, 1400)
    page.goto(f"{server}/?days=0")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(charts.count()):
        ticks = charts.nth(i).locator("text.tick.x").all_text_contents()
        if charts.nth(i).get_attribute("data-chart") != "outcome shares":  # one bar of shares: no x axis
            assert ticks and all(DATE.match(t) for t in ticks), ticks  # dates, not timestamps or "03-01"
        marks = charts.nth(i).locator("rect.bar, circle.point")
        assert marks.count() > 0
        for k in range(marks.count()):  # every bar and point says what it is when hovered
            assert re.search(r"\d", marks.nth(k).locator("title").text_content() or "")
    deflection = page.locator('svg[data-chart="deflection rate"] circle.point title').all_text_contents()
    assert deflection == [
        "Mar 1 deflection rate: 50% (2 of 4 questions)",
        "Mar 2 deflection rate: 0% (0 of 5 questions)",
        "Mar 4 deflection rate: 33% (2 of 6 questions)",
    ]
    bars = page.locator('svg[data-chart="questions per day"] rect.bar title').all_text_contents()
    assert "Mar 4 slack: 6 of 6" in bars
    shares = page.locator('svg[data-chart="outcome shares"] rect.bar title').all_text_contents()
    assert "answered and solved: 20% (3 of 15)" in shares
    assert "(4 of 15 questions answered by the bot" in page.locator("#questions .card").nth(1).inner_text()
    page.hover('svg[data-chart="deflection rate"] circle.point >> nth=2')  # the browser shows the title on hover
    assert page.locator('svg[data-chart="deflection rate"] circle.point:hover').count() == 1


def test_a_phone_never_scrolls_sideways_and_still_reads_the_ticks(server: str, browser: Any) -> None:
    page = open_page(browser, 390)
    for path in PAGES:
        page.goto(server + path)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, f"{path} is {width} px wide on a {inner} px screen"
    page.goto(f"{server}/?days=0")
    chart = page.locator('svg[data-chart="questions per day"]')
    visible = [t for t in chart.locator("text.tick.x").all() if t.is_visible()]
    assert [t.text_content() for t in visible] == ["Mar 1", "Mar 4"]  # every other label hidden: no overlap
    heights = [t.bounding_box()["height"] for t in visible]
    assert min(heights) >= 9, heights  # ticks at least about 9 px tall on the phone, not 5


def test_gaps_apart_from_complaints_and_marked_answered_once_accepted(server: str, browser: Any) -> None:
    page = open_page(browser, 1400)
    page.goto(f"{server}/?days=0")
    answered = page.locator("#gaps tr.gap.answered")
    assert answered.count() >= 1
    pill = answered.first.locator(".pill.done")
    assert pill.inner_text() == "answered" and "accepted" in (pill.get_attribute("title") or "")
    assert answered.first.locator("a").count() == 0  # no "write an FAQ entry": the answer is in the knowledge base
    topics = page.locator("#gaps tr.gap td:first-child b").all_inner_texts()
    assert topics and not {"does", "hey", "hi", "quick"} & {w for t in topics for w in t.split(", ")}


def test_the_report_prints_on_one_a4_page_and_fits_a_phone(server: str, browser: Any) -> None:
    page = open_page(browser, 390)
    response = page.request.get(f"{server}/roi/report.html")
    assert response.headers["content-disposition"].startswith("attachment;")
    page.set_content(response.text())
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner
    assert page.locator("table").count() == 2 and page.locator("#topics li").count() >= 1
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one A4 page
