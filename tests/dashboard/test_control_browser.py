"""The control room in headless Chromium (issue #18), clicked through as a moderator would: log in, hide an entry
and see the console bot stop serving it, answer an escalation from the inbox and see the asker get it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.dashboard.conftest import Live, live_room
from tests.dashboard.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_room(make_settings(tmp_path), "mo", PASSWORD) as room:
        yield room


def test_a_moderator_curates_and_answers_in_a_real_browser(live: Live) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    assert "Power-cycle the bulb" in live.chat("How do I factory reset a bulb?\n")
    assert "escalation #1" in live.chat("sourdough pizza recipe?\n")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{live.url}/kb")
            page.fill("#name", "mo")
            page.fill("#password", PASSWORD)
            page.click("#login")
            page.wait_for_selector("#kb-table")
            assert page.locator("#who").inner_text() == "mo · moderator"
            page.fill("#kb-q", "reset")
            page.click("#kb-search")
            page.click("#kb-table a:has-text('factory reset')")
            page.wait_for_selector("#hide")
            page.click("#hide")
            page.wait_for_selector("#entry-hidden")
            assert "the bot no longer serves it" in page.locator("#done").inner_text()

            assert "Power-cycle the bulb" not in live.chat("How do I factory reset a bulb?\n")

            page.click("#nav-inbox")
            page.click("#inbox-table a:has-text('#1')")
            page.fill("#inbox-answer", "Use a pizza stone at 250 C for 8 minutes.")
            page.select_option("#answer-as", "u-mara")
            page.click("#send-answer")
            page.wait_for_selector("#done")
            assert page.locator("#esc-status").inner_text() == "answered"
            assert page.locator("#esc-answer").inner_text() == "Use a pizza stone at 250 C for 8 minutes."

            delivered = live.chat("")
            assert "[to the asker] A community expert, Mara Quinn, answered your question (escalation #1)" in delivered
            assert "pizza stone" in delivered

            page.goto(f"{live.url}/audit")
            actions = page.locator("td.action").all_inner_texts()
            assert actions[:2] == ["answer escalation", "hide entry"]
            page.set_viewport_size({"width": 390, "height": 800})  # a phone: the page does not overflow sideways
            page.goto(f"{live.url}/inbox?view=all")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the inbox is {width}px wide on a 390px screen"
        finally:
            browser.close()
