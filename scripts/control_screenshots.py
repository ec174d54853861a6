"""The README's control-room screenshots (issue #18): the demo community with 14 simulated days through the real
bot and model, answers held for approval (`curation.approve_before_serving` on), a moderator who hid one entry,
edited another and pinned another reply of a third, one escalation answered from the inbox (its accepted answer
held); then headless Chromium (Debian's /usr/bin/chromium) saves each page at 1400 px wide into docs/.

    PYTHONPATH=. .venv/bin/python scripts/control_screenshots.py      # about 2 minutes on CPU
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
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.control import ControlRoom
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.simulate import run_simulation
from peerbot.bots.state import StateStore

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "screenshot-password"


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="peerbot-shots-"))
    config = (REPO / "config.toml").read_text(encoding="utf-8")
    (root / "config.toml").write_text(config.replace("approve_before_serving = false", "approve_before_serving = true"))
    settings = load_settings(root / "config.toml")
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    print(run_simulation(settings, embedder, days=14, per_day=25, seed=7))
    store = StateStore(settings.state_url)
    accounts = Accounts(store)
    accounts.add("sam", "moderator", PASSWORD)
    data = DashboardData(settings, embedder, store)
    room = ControlRoom(data)
    entries, _ = room.entries()
    room.set_hidden(entries[0].entry.id, True, "sam")
    room.edit_answer(entries[1].entry.id, entries[1].entry.answer + "\n\nUpdated for firmware 5.2.", "sam")
    kb, _ = wiring.load_knowledge(settings, embedder)
    several = next(entry for entry in kb.entries if entry.alternatives)  # a thread with more than one trusted reply
    room.pin(several.id, several.alternatives[0].id, "sam")
    waiting = room.inbox("waiting")
    if waiting:
        local = "Yes: the hub keeps schedules locally."
        answered = room.answer(waiting[0].escalation.id, local, "sam", "u-priya")
        capture = wiring.make_bot(settings, embedder, kb, store=store).capture  # the asker accepted it: held
        assert capture is not None
        capture.capture(answered, local, "Priya Raman", "u-priya", time.strftime("%Y-%m-%d"))
    server = uvicorn.Server(uvicorn.Config(create_app(data, TokenAuth(None, accounts=accounts)), port=8765))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = "http://127.0.0.1:8765"
    pages = {
        "control-kb.png": "/kb",
        "control-entry.png": f"/kb/entry?id={entries[1].entry.id}",
        "control-inbox.png": "/inbox?view=all",
        "control-escalation.png": f"/inbox/{waiting[1].escalation.id}" if len(waiting) > 1 else "/inbox",
        "control-pinned.png": f"/kb/entry?id={several.id}",
        "control-held.png": "/held",
        "control-audit.png": "/audit",
        "control-log.png": "/log",
        "control-roi.png": "/roi",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/login")
        page.fill("#name", "sam")
        page.fill("#password", PASSWORD)
        page.click("#login")
        for name, path in pages.items():
            page.goto(url + path)
            page.screenshot(path=str(REPO / "docs" / name), full_page=False)
            print("wrote", REPO / "docs" / name)
        browser.close()
    server.should_exit = True
    store.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
