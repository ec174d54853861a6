"""The dashboard's rewards section and CSV exports, on a seeded SQLite file after a real rewards round."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.rewards import Rewards
from peerbot.bots.state import StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import NOW, TOKEN, seed

BEARER = {"authorization": f"Bearer {TOKEN}"}
REWARDS = [
    {"name": "Gift card", "points": 15, "kind": "voucher", "pool": "gift"},
    {"name": "Thanks", "points": 10, "kind": "thanks"},
    {"name": "Club", "rank": "Expert", "kind": "club"},
]


def test_rewards_per_month_stock_and_members_closest_to_the_next_tier(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rewards=REWARDS)
    wiring.reindex(settings, wiring.open_embedder(settings))
    store = StateStore(settings.state_url, clock=lambda: NOW)
    seed(store)  # Mara 17 points, Devon 12
    store.import_codes("gift", ["GIFT-1", "GIFT-2", "GIFT-3", "GIFT-4", "GIFT-5"])
    Rewards.from_settings(store, settings).sweep(datetime(2026, 3, 10, 12, 0))
    client = TestClient(
        create_app(DashboardData(settings, wiring.open_embedder(settings), store, clock=lambda: NOW), TokenAuth(TOKEN))
    )

    page = client.get("/", headers=BEARER)
    assert page.status_code == 200
    section = page.text.split('<section id="rewards">', 1)[1].split("</section>", 1)[0]
    assert (
        '<tr><td>2026-03</td><td class="n">1</td><td class="n">0</td><td class="n">2</td><td class="n">3</td></tr>'
        in section
    )
    assert '<tr><td>gift</td><td class="n">4</td><td class="n">1</td><td class="n">0</td></tr>' in section
    rows = section.split('<table id="next-tier">', 1)[1]
    assert rows.index("Devon Okafor") < rows.index("Mara Quinn")  # 3 to go before 83
    assert '<td>Gift card (15)</td><td class="n">3</td>' in rows and '<td>Club (100)</td><td class="n">83</td>' in rows
    assert "GIFT-1" not in page.text  # codes never appear on the dashboard

    exported = client.get("/export/next_tier.csv", headers=BEARER)
    assert list(csv.reader(io.StringIO(exported.text))) == [
        ["superuser", "name", "points", "next_tier", "threshold", "missing"],
        ["u-devon", "Devon Okafor", "12", "Gift card", "15", "3"],
        ["u-mara", "Mara Quinn", "17", "Club", "100", "83"],
    ]
    stock = client.get("/export/voucher_stock.csv", headers=BEARER)
    assert stock.text.splitlines()[1] == "gift,4,1,5,0"
    assert "GIFT" not in client.get("/export/rewards_by_month.csv", headers=BEARER).text
