"""The README's screenshots for issue #18, point 7: the overview's charts on a 390 px phone and the one-page return
report, on the demo community with 14 simulated days through the real bot and model; headless Chromium (Debian's
/usr/bin/chromium) saves them into docs/.

    PYTHONPATH=. .venv/bin/python scripts/chart_screenshots.py      # about 2 minutes on CPU
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from peerbot.bots import app as wiring
from peerbot.bots.config import load_settings
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.simulate import run_simulation
from peerbot.bots.state import StateStore

REPO = Path(__file__).resolve().parents[1]
TOKEN = "screenshot-token-123"


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="peerbot-charts-"))
    shutil.copy(REPO / "config.toml", root / "config.toml")
    settings = load_settings(root / "config.toml")
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    print(run_simulation(settings, embedder, days=14, per_day=25, seed=7))
    store = StateStore(settings.state_url)
    data = DashboardData(settings, embedder, store)
    server = uvicorn.Server(uvicorn.Config(create_app(data, TokenAuth(TOKEN)), port=8767, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = "http://127.0.0.1:8767"
    headers = {"authorization": f"Bearer {TOKEN}"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        phone = browser.new_page(viewport={"width": 390, "height": 844}, extra_http_headers=headers)
        phone.goto(f"{url}/?days=14")
        phone.evaluate("document.querySelector('#questions .grid').scrollIntoView()")
        phone.screenshot(path=str(REPO / "docs" / "dashboard-phone.png"))
        desk = browser.new_page(viewport={"width": 900, "height": 700}, extra_http_headers=headers)
        desk.set_content(desk.request.get(f"{url}/roi/report.html").text())
        desk.screenshot(path=str(REPO / "docs" / "return-report.png"))
        browser.close()
    print("wrote docs/dashboard-phone.png and docs/return-report.png")
    server.should_exit = True
    store.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
