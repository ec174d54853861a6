"""The control room in headless Chromium (issue #18), clicked through as a moderator would: log in, hide an entry
and see the console bot stop serving it, answer an escalation from the inbox and see the asker get it."""

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

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
PASSWORD = "correct-horse-battery"


@dataclass
class Live:
    url: str
    bot: Bot

    def chat(self, lines: str) -> str:
        """`peerbot chat` with these lines (in a thread of its own: Playwright's loop runs in this one)."""
        out = io.StringIO()
        console = ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker="alice")
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, serve(self.bot, console)).result(timeout=120)
        return out.getvalue()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    import uvicorn

    settings = make_settings(tmp_path)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    bot = wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0])
    store = StateStore(settings.state_url)
    accounts = Accounts(store)
    accounts.add("mo", "moderator", PASSWORD)
    app = create_app(DashboardData(settings, embedder, store), TokenAuth(TOKEN, accounts=accounts))
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield Live(f"http://127.0.0.1:{port}", bot)
    uv.should_exit = True
    thread.join(timeout=10)
    bot.close()
    store.close()


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
