"""Curation in headless Chromium (issue #18 point 1), clicked through as a moderator would: pin another trusted reply
of a thread and see the console bot serve it; approve an answer captured from an escalation (held by
`curation.approve_before_serving`) and see the bot serve it only then."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.runtime import serve
from peerbot.bots.state import StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import TOKEN, free_port
from tests.dashboard.test_browser import ARGS, CHROMIUM
from tests.dashboard.test_curation import BEST, COMMUNITY, PAIR, PINNED, PIZZA, STONE

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
PASSWORD = "correct-horse-battery"


@dataclass
class Live:
    url: str
    bot: Bot

    def chat(self, lines: str, asker: str = "alice") -> str:
        """`peerbot chat` with these lines (in a thread of its own: Playwright's loop runs in this one)."""
        out = io.StringIO()
        console = ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, serve(self.bot, console)).result(timeout=120)
        return out.getvalue()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    import uvicorn

    settings = make_settings(tmp_path, COMMUNITY, curation={"approve_before_serving": True})
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    bot = wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0])
    store = StateStore(settings.state_url)
    Accounts(store).add("mo", "moderator", PASSWORD)
    app = create_app(DashboardData(settings, embedder, store), TokenAuth(TOKEN, accounts=Accounts(store)))
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    server = threading.Thread(target=uv.run, daemon=True)
    server.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield Live(f"http://127.0.0.1:{port}", bot)
    uv.should_exit = True
    server.join(timeout=10)
    bot.close()
    store.close()


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
