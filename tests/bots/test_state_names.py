"""The names cache (issue #18, point 2) on every backend: upserted, renamed, found by name for the log's filters,
and forgotten with the member."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerbot.bots.state import StateStore
from peerbot.bots.state_control import LogFilter
from tests import pg
from tests.factories import Clock


@pytest.fixture(params=pg.BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return pg.database_url(str(request.param), tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[StateStore]:
    made = StateStore(url, clock=clock)
    yield made
    made.close()


def ask(store: StateStore, platform: str, channel: str, asker: str, text: str) -> int:
    return store.record_question(platform=platform, channel=channel, asker=asker, text=text, outcome="answer")


def test_names_are_upserted_and_a_rename_wins(store: StateStore, url: str, clock: Clock) -> None:
    written = store.remember_names("slack", [("channel", "C0HELP", "help"), ("member", "U0MARA", "Mara Quinn")])
    assert written == 2
    assert store.remember_names("slack", [("member", "U0MARA", "Mara Q."), ("member", "U0NONE", None)]) == 1
    other = StateStore(url, clock=clock)  # another replica reads what this one wrote, and renames
    try:
        found = other.names_of(
            [("slack", "channel", "C0HELP"), ("slack", "member", "U0MARA"), ("discord", "member", "U0MARA")]
        )
        assert found == {("slack", "channel", "C0HELP"): "help", ("slack", "member", "U0MARA"): "Mara Q."}
        assert other.remember_names("slack", [("member", "U0MARA", "Mara Quinn")]) == 1
    finally:
        other.close()
    assert store.names_of([("slack", "member", "U0MARA")]) == {("slack", "member", "U0MARA"): "Mara Quinn"}
    assert store.ids_named("member", "mara quinn") == ["U0MARA"]


def test_the_log_filters_by_a_channel_or_member_name_as_well_as_by_id(store: StateStore) -> None:
    store.remember_names("slack", [("channel", "C0HELP", "help"), ("member", "U0ZOE", "Zoë Ångström")])
    store.remember_names("discord", [("channel", "111", "help"), ("member", "222", "Devon")])
    ask(store, "slack", "C0HELP", "U0ZOE", "How do I reset a bulb?")
    ask(store, "discord", "111", "222", "Hub offline")
    ask(store, "slack", "C0RANDOM", "U0ZOE", "Which bulb fits?")

    def texts(**filters: str) -> list[str]:
        found, total, _, _ = store.conversation_log(LogFilter(**filters))  # type: ignore[arg-type]
        assert total == len(found)
        return sorted(q.text for q in found)

    assert texts(channel="#help") == ["How do I reset a bulb?", "Hub offline"]  # both platforms' #help
    assert texts(channel="HELP") == texts(channel="#help")
    assert texts(channel="C0RANDOM") == ["Which bulb fits?"]  # ids still work
    assert texts(asker="zoë ångström") == ["How do I reset a bulb?", "Which bulb fits?"]  # any case, not only ASCII
    assert texts(asker="@Devon") == ["Hub offline"]
    assert texts(asker="nobody by that name") == []


def test_forgetting_a_member_forgets_their_name(store: StateStore) -> None:
    store.remember_names("slack", [("member", "U0MARA", "Mara Quinn"), ("channel", "C0HELP", "help")])
    ask(store, "slack", "C0HELP", "U0MARA", "How do I reset a bulb?")
    store.forget_author("U0MARA")
    assert store.names_of([("slack", "member", "U0MARA"), ("slack", "channel", "C0HELP")]) == {
        ("slack", "channel", "C0HELP"): "help"
    }
    store.remember_names("slack", [("member", "U0DEV", "Devon Okafor")])
    store.forget_author("devon okafor")  # by name, any case, as `peerbot forget` takes it
    assert store.names_of([("slack", "member", "U0DEV")]) == {}
