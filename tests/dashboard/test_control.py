"""The control room over HTTP (issue #18): accounts with roles, CSRF, the audit log, hiding and editing knowledge
entries (seen by a real console bot on the same state store), and answering an escalation from the inbox."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.runtime import serve
from peerbot.bots.state import StateStore
from tests.conftest import make_settings
from tests.dashboard.conftest import TOKEN, form_csrf, log_in

PASSWORD = "correct-horse-battery"
RESET = "How do I factory reset a bulb?"
RESET_ENTRY = "forum:reset-bulb"


@dataclass
class Room:
    settings: Settings
    bot: Bot  # the chat bot, as `peerbot chat` runs it (its own store)
    client: TestClient  # the dashboard, on a store of its own over the same SQLite file

    def chat(self, lines: str, asker: str = "alice") -> str:
        out = io.StringIO()
        asyncio.run(serve(self.bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
        return out.getvalue()


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    settings = make_settings(tmp_path)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb)
    store = StateStore(settings.state_url)
    accounts = Accounts(store)
    accounts.add("mo", "moderator", PASSWORD)
    accounts.add("vi", "viewer", PASSWORD)
    accounts.add("ad", "admin", PASSWORD)
    data = DashboardData(settings, embedder, store)
    client = TestClient(create_app(data, TokenAuth(TOKEN, accounts=accounts)), follow_redirects=False)
    yield Room(settings, bot, client)
    bot.close()
    store.close()


def entry_page(entry_id: str) -> str:
    return f"/kb/entry?id={quote(entry_id, safe='')}"


def post_form(client: TestClient, page: str, action: str, **fields: str) -> int:
    """Submit a form the way the page does: with the CSRF token it carries."""
    return client.post(action, data={"csrf": form_csrf(client, page), **fields}).status_code


def test_accounts_log_in_by_name_with_argon2_hashed_passwords(room: Room) -> None:
    store = StateStore(room.settings.state_url)
    stored = store.admin_account("mo")
    assert stored is not None and stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert log_in(room.client, "wrong-password-1", name="mo").status_code == 401
    assert log_in(room.client, PASSWORD, name="nobody").status_code == 401
    assert log_in(room.client, PASSWORD, name="mo").status_code == 303
    assert 'id="who">mo · moderator<' in room.client.get("/kb").text
    forged = room.client.post("/login", data={"csrf": "made-up", "name": "mo", "password": PASSWORD})
    assert forged.status_code == 403  # the login form is CSRF-protected too


def test_roles_and_csrf_guard_every_change(room: Room) -> None:
    hide = {"id": RESET_ENTRY, "hidden": "1"}
    assert room.client.post("/kb/hide", data=hide).status_code == 401  # not logged in
    log_in(room.client, PASSWORD, name="vi")
    assert room.client.get("/kb").status_code == 200  # a viewer reads
    assert "Hide: stop serving it" not in room.client.get(entry_page(RESET_ENTRY)).text
    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/hide", **hide) == 403  # but changes nothing
    assert room.client.get("/admins").status_code == 403
    log_in(room.client, PASSWORD, name="mo")
    assert room.client.post("/kb/hide", data={**hide, "csrf": "not-the-token"}).status_code == 403
    assert room.client.post("/kb/hide", data=hide).status_code == 403  # no token at all
    assert room.client.get("/admins").status_code == 403
    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/hide", **hide) == 303
    log_in(room.client, PASSWORD, name="ad")
    accounts = room.client.get("/admins").text
    assert "mo</td><td>moderator" in accounts and "$argon2" not in accounts


def test_a_moderator_hides_an_entry_and_the_running_bot_stops_serving_it_at_once(room: Room) -> None:
    assert "Power-cycle the bulb" in room.chat(RESET + "\n")
    log_in(room.client, PASSWORD, name="mo")
    listing = room.client.get("/kb", params={"q": "reset"}).text
    assert RESET_ENTRY in listing and "Knowledge base: 1 entry" in listing
    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/hide", id=RESET_ENTRY, hidden="1") == 303
    assert 'id="entry-hidden"' in room.client.get(entry_page(RESET_ENTRY)).text

    transcript = room.chat(RESET + "\n")  # the same running bot, no restart, no reindex
    assert "Power-cycle the bulb" not in transcript
    asyncio.run(room.bot.reindex())  # a reindex reads the source again: still hidden
    assert "Power-cycle the bulb" not in room.chat(RESET + "\n")
    assert RESET_ENTRY in room.client.get("/kb", params={"show": "hidden"}).text

    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/hide", id=RESET_ENTRY, hidden="0") == 303
    assert "Power-cycle the bulb" in room.chat(RESET + "\n")  # reversible

    audit = room.client.get("/audit").text
    assert audit.count(">hide entry<") == 1 and audit.count(">unhide entry<") == 1
    assert re.search(r"<td>mo</td><td class=\"action\">hide entry</td><td>entry forum:reset-bulb</td>", audit)
    assert "hidden: False" in audit and "hidden: True" in audit  # before and after


def test_an_edited_answer_is_served_and_kept_across_reindexes(room: Room) -> None:
    log_in(room.client, PASSWORD, name="mo")
    edited = "Hold the bulb's switch: off and on five times, one second apart. It blinks twice when reset."
    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/answer", id=RESET_ENTRY, answer=edited) == 303
    assert "blinks twice when reset" in room.chat(RESET + "\n")
    asyncio.run(room.bot.reindex())
    transcript = room.chat(RESET + "\n")
    assert "blinks twice when reset" in transcript and "until it blinks." not in transcript
    page = room.client.get(entry_page(RESET_ENTRY)).text
    assert "Edited by mo" in page and "until it blinks." in page  # the source's text stays visible
    assert post_form(room.client, entry_page(RESET_ENTRY), "/kb/answer", id=RESET_ENTRY, answer=" ") == 303
    assert "until it blinks." in room.chat(RESET + "\n")  # restored


def test_not_helpful_entries_are_listed_first(room: Room) -> None:
    room.chat(RESET + "\nHub keeps dropping off wifi every night\n")
    store = StateStore(room.settings.state_url)
    wifi = next(q for q in store.questions_since() if q.entry_id == "forum:wifi")
    store.record_feedback(wifi.id, "alice", "unhelpful")
    log_in(room.client, PASSWORD, name="vi")
    rows = re.findall(r'<tr data-entry="([^"]+)"', room.client.get("/kb").text)
    assert rows[0] == "forum:wifi" and rows[1] == RESET_ENTRY  # the one with a vote first, then the served one


def test_an_escalation_answered_from_the_inbox_reaches_the_asker(room: Room) -> None:
    transcript = room.chat("sourdough pizza recipe?\n")
    assert "escalation #1" in transcript
    log_in(room.client, PASSWORD, name="mo")
    inbox = room.client.get("/inbox").text
    assert 'data-escalation="1"' in inbox and "step 1 of 3" in inbox
    assert post_form(room.client, "/inbox/1", "/inbox/1/assign", superuser="u-devon") == 303
    assert "Devon Okafor" in room.client.get("/inbox/1").text
    answer = "Use a pizza stone at 250 C for 8 minutes."
    assert post_form(room.client, "/inbox/1", "/inbox/1/answer", answer=answer, as_superuser="u-devon") == 303

    delivered = room.chat("")  # the running bot's next timer tick posts it in the asker's conversation
    assert "[to the asker] A community expert, Devon Okafor, answered your question (escalation #1)" in delivered
    assert answer in delivered
    assert answer not in room.chat("")  # once
    assert post_form(room.client, "/inbox/1", "/inbox/1/answer", answer="again") == 409  # no longer waiting
    assert "solved" in room.chat("/solved\n").lower()  # the asker confirms as after a chat answer
    assert "Use a pizza stone" in room.chat("sourdough pizza recipe?\n")  # and it joined the knowledge base
    audit = room.client.get("/audit").text
    assert "claim escalation" in audit and "answer escalation" in audit


def test_an_answer_from_the_inbox_reaches_every_asker_who_joined(room: Room) -> None:
    assert "escalation #1" in room.chat("sourdough pizza recipe?\n")
    joined = room.chat("sourdough pizza recipe?\n", asker="bob")
    assert "2 people asked this" in joined and "escalation #2" not in joined
    log_in(room.client, PASSWORD, name="mo")
    answer = "Use a pizza stone at 250 C for 8 minutes."
    assert post_form(room.client, "/inbox/1", "/inbox/1/answer", answer=answer, as_superuser="u-devon") == 303
    delivered = room.chat("")
    assert delivered.count("[to the asker] A community expert, Devon Okafor, answered your question") == 2


def test_the_done_note_shows_only_the_dashboard_own_words(room: Room) -> None:
    log_in(room.client, PASSWORD, name="vi")
    page = room.client.get(entry_page(RESET_ENTRY), params={"done": "Your account is locked: call 555-0100"}).text
    assert "555-0100" not in page and 'id="done"' not in page


def test_closing_a_waiting_escalation_tells_the_asker(room: Room) -> None:
    room.chat("sourdough pizza recipe?\n")
    log_in(room.client, PASSWORD, name="mo")
    assert post_form(room.client, "/inbox/1", "/inbox/1/close") == 303
    assert 'id="esc-status">expired<' in room.client.get("/inbox/1").text
    assert "The community team closed escalation #1" in room.chat("")


def test_admins_add_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from peerbot.cli import app

    settings = make_settings(tmp_path)
    (tmp_path / "config.toml").write_text('[state]\nurl = "sqlite:///state.db"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    added = runner.invoke(app, ["admins", "add", "lee", "--role", "moderator", "--password-stdin"], input=PASSWORD)
    assert added.exit_code == 0, added.output
    assert "lee\tmoderator" in runner.invoke(app, ["admins", "list"]).output
    refused = runner.invoke(app, ["admins", "add", "lee", "--password-stdin"], input=PASSWORD)
    assert refused.exit_code != 0
    store = StateStore(settings.state_url)
    assert Accounts(store).verify("lee", PASSWORD) == "moderator"
    assert store.audit_log()[0].action == "add account"


def test_the_conversation_log_shows_what_the_bot_did_and_why(room: Room) -> None:
    room.chat(RESET + "\nsourdough pizza recipe?\n")
    store = StateStore(room.settings.state_url)
    reset = next(q for q in store.questions_since() if q.outcome == "answer")
    store.record_feedback(reset.id, "alice", "solved")
    log_in(room.client, PASSWORD, name="vi")
    everything = room.client.get("/log").text
    assert "Conversations: 2 questions" in everything and 'class="pill">solved<' in everything
    escalated = room.client.get("/log", params={"outcome": "escalate"}).text
    assert "Conversations: 1 question" in escalated and "sourdough pizza" in escalated and RESET not in escalated
    assert "Conversations: 0 questions" in room.client.get("/log", params={"platform": "slack"}).text
    assert "Conversations: 0 questions" in room.client.get("/log", params={"since": "2999-01-01"}).text
    assert "Conversations: 2 questions" in room.client.get("/log", params={"asker": "alice", "since": "x"}).text
    detail = room.client.get(f"/log/{reset.id}").text
    assert 'id="log-outcome">answer<' in detail and "How do I factory reset a bulb" in detail
    assert "meaning" in detail and "trust" in detail  # the matches with their reasons


def test_the_what_would_the_bot_answer_search_leaves_hidden_entries_out(room: Room) -> None:
    log_in(room.client, PASSWORD, name="mo")
    shown = re.compile(r">How do I factory reset a bulb</")
    assert shown.search(room.client.get("/search", params={"q": RESET}).text)
    post_form(room.client, entry_page(RESET_ENTRY), "/kb/hide", id=RESET_ENTRY, hidden="1")
    assert not shown.search(room.client.get("/search", params={"q": RESET}).text)
