"""Curation over HTTP (issue #18 point 1): a moderator pins another trusted reply of a thread and the running console
bot serves it (kept across reindexes, unpinned again); with `curation.approve_before_serving` an answer captured from
an escalation and a thread learned live wait in the dashboard's held list until a moderator approves or rejects them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Question
from peerbot.bots.dashboard.accounts import Accounts
from peerbot.bots.dashboard.auth import TokenAuth
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web import create_app
from peerbot.bots.runtime import serve
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.jsonl import ThreadRecord
from tests.conftest import make_settings
from tests.dashboard.conftest import TOKEN, form_csrf, log_in
from tests.factories import SMALL_COMMUNITY, reply, thread

PASSWORD = "correct-horse-battery"
PAIR = "How do I pair the motion sensor with a Zigbee hub?"
PAIR_ENTRY = "forum:pair-sensor"
BEST = "Hold the sensor's reset pin for 10 seconds until it blinks amber."
PINNED = "Open the app, Add device, Zigbee, and scan the code on the back."
COMMUNITY = [
    *SMALL_COMMUNITY,
    thread(
        "pair-sensor",
        "How do I pair the motion sensor with a Zigbee hub",
        "The sensor does not show up in my hub.",
        [
            reply(BEST, "Pat Peer", accepted=True, rid="r-best"),
            reply(PINNED, "Devon Okafor", author_id="u-devon", rid="r-devon"),
            reply("Try turning it off and on.", rid="r-weak"),  # not trusted: never offered
        ],
    ),
]
RENAME = "How do I rename a bulb in the app?"
EVIL = "@everyone <script>alert(1)</script> see [Official page](https://evil.example) <!channel>"
COMMUNITY.append(
    thread(
        "rename-bulb",
        "How do I rename a bulb in the app",
        "The names are all Bulb 1, Bulb 2.",
        [
            reply("Long-press the bulb's tile, then Settings, Name.", accepted=True, rid="r-fine"),
            reply(EVIL, "<!here> Eve", score=9, rid="r-evil"),
        ],
    )
)
PIZZA = "sourdough pizza recipe?"
STONE = "Use a pizza stone at 250 C for 8 minutes."


@dataclass
class Room:
    settings: Settings
    bot: Bot
    client: TestClient

    def chat(self, lines: str, asker: str = "alice") -> str:
        out = io.StringIO()
        asyncio.run(serve(self.bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
        return out.getvalue()

    def post(self, page: str, action: str, **fields: str) -> int:
        return self.client.post(action, data={"csrf": form_csrf(self.client, page), **fields}).status_code


@pytest.fixture
def make_room(tmp_path: Path) -> Iterator[Callable[..., Room]]:
    made: list[tuple[Bot, StateStore]] = []

    def make(**overrides: Any) -> Room:
        settings = make_settings(tmp_path, COMMUNITY, **overrides)
        embedder = wiring.open_embedder(settings)
        wiring.reindex(settings, embedder)
        bot = wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0])
        store = StateStore(settings.state_url)
        accounts = Accounts(store)
        accounts.add("mo", "moderator", PASSWORD)
        accounts.add("vi", "viewer", PASSWORD)
        client = TestClient(
            create_app(DashboardData(settings, embedder, store), TokenAuth(TOKEN, accounts=accounts)),
            follow_redirects=False,
        )
        made.append((bot, store))
        return Room(settings, bot, client)

    yield make
    for bot, store in made:
        bot.close()
        store.close()


ENTRY_PAGE = "/kb/entry?id=forum%3Apair-sensor"


def test_a_pinned_reply_is_served_for_its_thread_until_unpinned(make_room: Callable[..., Room]) -> None:
    room = make_room()
    assert BEST in room.chat(PAIR + "\n")
    log_in(room.client, PASSWORD, name="vi")
    page = room.client.get(ENTRY_PAGE).text
    assert "Trusted replies in this thread" in page and PINNED in page and "Pin this answer" not in page
    assert "Try turning it off" not in page  # an untrusted reply is no candidate
    assert room.post(ENTRY_PAGE, "/kb/pin", id=PAIR_ENTRY, reply="r-devon") == 403  # a viewer cannot pin

    log_in(room.client, PASSWORD, name="mo")
    assert room.post(ENTRY_PAGE, "/kb/pin", id=PAIR_ENTRY, reply="r-weak") == 409  # not a trusted reply
    assert room.post(ENTRY_PAGE, "/kb/pin", id=PAIR_ENTRY, reply="r-devon") == 303
    page = room.client.get(ENTRY_PAGE).text
    assert 'id="entry-pinned"' in page and page.index('data-reply="r-devon"') < page.index(
        'data-reply=""'
    )  # pinned: first
    assert '<td id="entry-author">Devon Okafor (u-devon)</td>' in page  # the served reply's author, not Pat's
    assert "pinned by the community team" in page.split('id="entry-author"')[1].split("</table>")[0]

    transcript = room.chat(PAIR + "\n")  # the same running bot, no restart: served at once
    assert PINNED in transcript and BEST not in transcript
    assert "— Devon Okafor (pinned by the community team, by superuser Devon Okafor)" in transcript
    reply_ = asyncio.run(room.bot.handle(Question(text=PAIR, asker="bob")))  # what `ask --json` reports
    assert reply_ is not None and any("pinned by the community team" in r for r in reply_.matches[0].reasons)

    asyncio.run(room.bot.reindex())  # kept across a reindex (by entry id and reply id)
    assert PINNED in room.chat(PAIR + "\n")
    assert "Power-cycle the bulb" in room.chat("How do I factory reset a bulb?\n")  # other threads as they were

    assert room.post(ENTRY_PAGE, "/kb/pin", id=PAIR_ENTRY, reply="") == 303  # unpin
    transcript = room.chat(PAIR + "\n")
    assert BEST in transcript and "pinned by the community team" not in transcript
    audit = room.client.get("/audit").text
    assert audit.count(">pin answer<") == 1 and audit.count(">unpin answer<") == 1
    assert "pinned_reply: r-devon" in audit


def test_a_pinned_reply_from_untrusted_text_stays_inert(make_room: Callable[..., Room]) -> None:
    room = make_room()
    log_in(room.client, PASSWORD, name="mo")
    page_url = "/kb/entry?id=forum%3Arename-bulb"
    page = room.client.get(page_url).text
    assert "<script>alert" not in page and "Official page (https://evil.example)" in page
    assert room.post(page_url, "/kb/pin", id="forum:rename-bulb", reply="r-evil") == 303
    transcript = room.chat(RENAME + "\n")
    assert "Official page (https://evil.example)" in transcript  # the pinned reply is served
    assert "@everyone" not in transcript and "<!channel>" not in transcript and "<!here>" not in transcript
    assert "<script>alert" not in room.client.get(page_url).text


def test_a_captured_answer_waits_for_approval_then_is_served(make_room: Callable[..., Room]) -> None:
    room = make_room(curation={"approve_before_serving": True})
    assert "escalation #1" in room.chat(PIZZA + "\n")
    assert "Mara Quinn" in room.chat(f"/answer 1 {STONE}\n", asker="u-mara")
    room.chat("/solved\n")  # the asker says it solved it: captured, but held
    assert STONE not in room.chat(PIZZA + "\n", asker="bob")  # not served: another escalation instead

    log_in(room.client, PASSWORD, name="vi")
    held = room.client.get("/held").text
    assert 'data-held="captured:esc-1"' in held and STONE in held and "a moderator decides" in held
    refused = room.post("/held", "/held/decide", kind="captured", key="captured:esc-1", decision="approve")
    assert refused == 403

    log_in(room.client, PASSWORD, name="mo")
    assert room.post("/held", "/held/decide", kind="captured", key="captured:esc-1", decision="approve") == 303
    assert "Nothing is waiting" in room.client.get("/held").text
    assert STONE in room.chat(PIZZA + "\n", asker="carol")  # served at once by the running bot
    asyncio.run(room.bot.reindex())
    assert STONE in room.chat(PIZZA + "\n", asker="dan")  # and after a reindex
    assert room.post("/held", "/held/decide", kind="captured", key="captured:esc-1", decision="reject") == 409
    audit = room.client.get("/audit").text
    assert ">hold answer<" in audit and ">approve answer<" in audit and "held: True" in audit


def test_a_rejected_captured_answer_is_never_served(make_room: Callable[..., Room]) -> None:
    room = make_room(curation={"approve_before_serving": True})
    room.chat(PIZZA + "\n")
    accepted = room.chat(f"/answer 1 {STONE}\n/accept 1\n", asker="u-mara")
    assert "once a moderator approves it" in accepted
    log_in(room.client, PASSWORD, name="mo")
    assert room.post("/held", "/held/decide", kind="captured", key="captured:esc-1", decision="reject") == 303
    asyncio.run(room.bot.reindex())
    assert STONE not in room.chat(PIZZA + "\n", asker="bob")
    assert 'id="entry-hidden"' in room.client.get("/kb/entry?id=captured%3Aesc-1").text  # hidden: reversible
    assert ">reject answer<" in room.client.get("/audit").text


def test_without_the_setting_a_captured_answer_is_served_at_once(make_room: Callable[..., Room]) -> None:
    room = make_room()
    room.chat(PIZZA + "\n")
    assert "now part of the knowledge base" in room.chat(f"/answer 1 {STONE}\n/accept 1\n", asker="u-mara")
    assert STONE in room.chat(PIZZA + "\n", asker="bob")


def _learned(key: str, answer: str) -> ThreadRecord:
    record = thread(
        key,
        "Can the hub run on battery during a power cut",
        "Power went out and the hub died.",
        [reply(answer, "Mara Quinn", author_id="u-mara", score=9, accepted=True, rid=f"{key}-r")],
        channel="CHELP",
    )
    return ThreadRecord.model_validate(record)


def test_a_thread_learned_live_waits_for_approval_even_from_a_superuser(make_room: Callable[..., Room]) -> None:
    room = make_room(curation={"approve_before_serving": True})
    assert room.bot.live is not None
    battery = "Plug the hub into a USB power bank: it runs about six hours."
    learned = asyncio.run(room.bot.live.learn(_learned("T1", battery), "slack", "CHELP"))
    assert learned.status == "pending"  # a superuser's accepted answer with kudos, held all the same
    question = "Can the hub run on battery during a power cut?\n"
    assert battery not in room.chat(question)
    rejected_text = "Wrap the hub in foil."
    asyncio.run(room.bot.live.learn(_learned("T2", rejected_text), "slack", "CHELP"))

    log_in(room.client, PASSWORD, name="mo")
    held = room.client.get("/held").text
    assert 'data-held="live:T1"' in held and battery in held and "learned live on slack" in held
    assert room.post("/held", "/held/decide", kind="live", key="T2", decision="reject") == 303
    assert room.post("/held", "/held/decide", kind="live", key="T1", decision="approve") == 303
    assert "Nothing is waiting" in room.client.get("/held").text

    transcript = room.chat(question)  # the bot's next timer tick picks the approval up
    assert battery in transcript and rejected_text not in transcript
    asyncio.run(room.bot.live.learn(_learned("T2", rejected_text), "slack", "CHELP"))  # a later re-read
    assert StateStore(room.settings.state_url).live_thread("T2").status == "retracted"  # type: ignore[union-attr]
    audit = room.client.get("/audit").text
    assert ">approve live thread<" in audit and ">reject live thread<" in audit
