"""Discourse live (`type = "discourse_api"`): `peerbot index --source forum` against a fake Discourse pulls every
topic once, then only what changed; an edited topic is served edited, a deleted one is gone, a read-restricted
category stays private, a 429 is waited out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.errors import SourceError
from tests.conftest import make_settings
from tests.indexer.fake_discourse import KEY, FakeDiscourse, topic

TOPICS = 40  # two pages of latest.json


@pytest.fixture
def forum() -> Iterator[FakeDiscourse]:
    fake = FakeDiscourse().start()
    for n in range(1, TOPICS + 1):
        answers = [{"text": f"Reset gadget {n} with the pin.", "accepted": n % 2 == 0, "likes": 0}]
        answers.append({"text": f"Or unplug gadget {n}.", "likes": 7 if n % 5 == 0 else 1, "username": "fan"})
        fake.add(
            topic(n, f"Gadget {n} does not respond", f"My gadget {n} stopped.", answers, category=7 if n == 2 else 1)
        )
    yield fake
    fake.stop()


def settings_for(root: Path, fake: FakeDiscourse) -> Settings:
    source = {"name": "forum", "type": "discourse_api", "path": "forum-cache", "options": {"url": fake.url}}
    return make_settings(root, sources=[source])


def entries(settings: Settings) -> dict[str, str]:
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return {e.thread_id: f"{e.visibility} {e.answer}" for e in kb.entries}


def test_pulls_everything_then_only_what_changed(
    tmp_path: Path, forum: FakeDiscourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCOURSE_API_KEY", KEY)
    settings = settings_for(tmp_path, forum)
    embedder = wiring.open_embedder(settings)
    forum.rate_limits.append("0.05")  # the first request: 429, Retry-After
    first = wiring.reindex(settings, embedder, only="forum")
    assert first.entries == 24  # 20 accepted (even), and 5, 15, 25, 35: a reply with 7 likes (>= min_kudos 5)
    assert len(forum.fetched_topics()) == TOPICS
    assert forum.requests[0] == forum.requests[1]  # retried after the 429
    served = entries(settings)
    assert served["4"] == "public Reset gadget 4 with the pin."
    assert served["2"].startswith("private")  # the read-restricted Staff category

    forum.topics[4]["post_stream"]["posts"][1]["cooked"] = "<p>Hold the pin of gadget 4 for 10 seconds.</p>"
    forum.bump(4)  # edited
    forum.delete(6)
    forum.requests.clear()
    second = wiring.reindex(settings, embedder, only="forum")
    assert forum.fetched_topics() == ["/t/4.json?print=true"]  # only the bumped one
    assert (second.changed, second.removed, second.added) == (1, 1, 0)
    served = entries(settings)
    assert served["4"] == "public Hold the pin of gadget 4 for 10 seconds." and "6" not in served


def test_a_missing_api_key_names_the_variable(
    tmp_path: Path, forum: FakeDiscourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCOURSE_API_KEY", raising=False)
    settings = settings_for(tmp_path, forum)
    with pytest.raises(SourceError, match="set DISCOURSE_API_KEY to the forum's API key"):
        wiring.reindex(settings, wiring.open_embedder(settings), only="forum")
    monkeypatch.setenv("DISCOURSE_API_KEY", "wrong")
    with pytest.raises(SourceError, match=re.escape("/categories.json: HTTP 403")):
        wiring.reindex(settings, wiring.open_embedder(settings), only="forum")
