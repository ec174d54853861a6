"""Curation in headless Chromium (issue #18 point 1), clicked through as a moderator would: pin another trusted reply
of a thread and see the console bot serve it; approve an answer captured from an escalation (held by
`curation.approve_before_serving`) and see the bot serve it only then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.dashboard.conftest import Live, live_room
from tests.dashboard.test_browser import ARGS, CHROMIUM
from tests.dashboard.test_curation import BEST, COMMUNITY, PAIR, PINNED, PIZZA, STONE

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    settings = make_settings(tmp_path, COMMUNITY, curation={"approve_before_serving": True})
    with live_room(settings, "mo", PASSWORD) as room:
        yield room


def test_a_moderator_pins_a_reply_and_approves_a_captured_answer_in_a_real_browser(live: Live) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    assert BEST in live.chat(PAIR + "\n")
    live.chat(PIZZA + "\n")
    live.chat(f"/answer 1 {STONE}\n/accept 1\n", asker="u-mara")  # captured, and held
    assert STONE not in live.chat(PIZZA + "\n", asker="bob")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{live.url}/kb")
            page.fill("#name", "mo")
            page.fill("#password", PASSWORD)
            page.click("#login")
            page.wait_for_selector("#kb-table")
            page.fill("#kb-q", "motion sensor")
            page.click("#kb-search")
            page.click("#kb-table a:has-text('pair the motion sensor')")
            page.click("#replies-table tr[data-reply='r-devon'] button.pin")
            page.wait_for_selector("#entry-pinned")
            assert "pinned" in page.locator("#done").inner_text()
            assert page.locator("#served-answer").inner_text() == PINNED

            transcript = live.chat(PAIR + "\n")
            assert PINNED in transcript and "pinned by the community team" in transcript and BEST not in transcript

            page.click("#nav-held")
            row = page.locator("#held-table tr[data-held='captured:esc-1']")
            assert STONE in row.inner_text()
            row.locator("button.approve").click()
            page.wait_for_selector("#done")
            assert "Nothing is waiting" in page.locator("#held-table").inner_text()

            assert STONE in live.chat(PIZZA + "\n", asker="carol")

            page.goto(f"{live.url}/audit")
            actions = page.locator("td.action").all_inner_texts()
            assert actions[:3] == ["approve answer", "pin answer", "hold answer"]
        finally:
            browser.close()
