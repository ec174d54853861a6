"""Channel and member names on the dashboard (issue #18, point 2), through the real Slack adapter: the name of the
channel from the conversations.info the adapter asks anyway, the asker's from users.info; the dashboard's log,
question page and inbox, read over HTTP, show them with the id in a tooltip, and its filters take them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.state import StateStore
from tests.adapters.fake_slack import ASKER, PUBLIC_HELP, FakeSlack, Harness, message, running_slack
from tests.dashboard.conftest import TOKEN, log_in

RESET = "How do I factory reset a bulb"
NO_MATCH = "Can I pay with bitcoin on mars?"


def named_workspace(fake: FakeSlack) -> None:
    fake.conversations[PUBLIC_HELP] = {**fake.conversations[PUBLIC_HELP], "name": "help"}
    fake.users[ASKER] = "Alex <b>Asker</b>"  # a display name is the member's own text: shown, never markup


@contextmanager
def dashboard(settings: Settings) -> Iterator[TestClient]:
    """The dashboard on the bot's SQLite file, logged in with the setup token."""
    store = StateStore(settings.state_url)
    try:
        data = DashboardData(settings, wiring.open_embedder(settings), store)
        client = TestClient(create_app(data, TokenAuth(TOKEN)), follow_redirects=False)
        log_in(client)
        yield client
    finally:
        store.close()


async def ask(slack: Harness, text: str) -> None:
    posts = len(slack.fake.called("chat.postMessage"))
    await slack.event(message(text))
    await slack.fake.wait_for("chat.postMessage", count=posts + 1, channel=PUBLIC_HELP)
    await slack.settle()


ALEX = '<span class="named" title="UASKER">Alex &lt;b&gt;Asker&lt;/b&gt;</span>'
HELP = '<span class="named" title="CHELP">#help</span>'


async def test_a_question_shows_its_channel_and_member_names_in_the_dashboard(tmp_path: Path) -> None:
    async with running_slack(tmp_path, prepare=named_workspace) as slack:
        await ask(slack, RESET)
        await ask(slack, NO_MATCH)  # escalated: the inbox shows the names too
        assert len(slack.fake.called("users.info", user=ASKER)) == 1  # cached for the second question
        with dashboard(slack.settings) as web:
            log = web.get("/log").text
            assert log.count(HELP) == 2 and log.count(ALEX) == 2
            assert "<b>Asker</b>" not in log
            assert '<option value="CHELP">#help (slack)</option>' in log  # the channel menu names it
            assert "Conversations: 2 questions" in web.get("/log", params={"channel": "#help"}).text
            assert "Conversations: 2 questions" in web.get("/log", params={"asker": "alex <b>asker</b>"}).text
            assert "Conversations: 0 questions" in web.get("/log", params={"asker": "Devon"}).text
            page = web.get("/log/1").text
            assert f'id="log-member">{ALEX}' in page and f'id="log-channel">{HELP}' in page
            inbox = web.get("/inbox", params={"view": "all"}).text
            assert HELP in inbox and ALEX in inbox
            escalation = web.get("/inbox/1").text
            assert f'id="esc-member">{ALEX}' in escalation and f'id="esc-channel">{HELP}' in escalation
            assert HELP in web.get("/", params={"days": 0}).text  # the overview's questions by channel


async def test_a_failed_name_lookup_still_answers_and_the_log_shows_the_id(tmp_path: Path) -> None:
    def failing(fake: FakeSlack) -> None:
        named_workspace(fake)
        fake.errors["users.info"] = ["missing_scope"]  # an app installed before users:read was asked for

    async with running_slack(tmp_path, prepare=failing) as slack:
        await ask(slack, RESET)
        [answer] = slack.fake.posts(channel=PUBLIC_HELP)
        assert "Power-cycle" in answer["text"]
        with dashboard(slack.settings) as web:
            row = web.get("/log").text
            assert '<td class="member">UASKER</td>' in row and HELP in row


async def test_a_hanging_users_info_does_not_hold_the_answer_and_fills_the_cache_later(tmp_path: Path) -> None:
    held = asyncio.Event()

    def slow(fake: FakeSlack) -> None:
        named_workspace(fake)
        fake.holds["users.info"] = held

    async with running_slack(tmp_path, prepare=slow) as slack:
        try:
            await ask(slack, RESET)  # answered while users.info has not answered
            with dashboard(slack.settings) as web:
                assert '<td class="member">UASKER</td>' in web.get("/log").text and ALEX not in web.get("/log").text
        finally:
            held.set()
        await slack.fake.wait_for("users.info")
        await ask(slack, "Hub keeps dropping off wifi")
        assert len(slack.fake.called("users.info")) == 1  # the look-up went on in the background and filled the cache
        with dashboard(slack.settings) as web:
            assert web.get("/log").text.count(ALEX) == 2  # a name is the member's: their earlier question shows it too
