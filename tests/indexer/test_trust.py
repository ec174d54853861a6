import json

import pytest

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.entries import KnowledgeEntry

POLICY = TrustPolicy(min_kudos=5, superusers=frozenset({"u-mara"}))


def post(**kw: object) -> Post:
    base = {"id": "p", "author": "Sam", "author_id": "u-sam", "text": "do this"}
    return Post(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"accepted": True}, "accepted answer"),
        ({"score": 5}, "5 kudos"),
        ({"author_id": "u-mara", "author": "Mara Quinn"}, "by superuser Mara Quinn"),
        ({"label": "good"}, "labelled good"),
    ],
)
def test_trusted_signals(kwargs: dict[str, object], reason: str) -> None:
    trust, reasons = POLICY.assess(post(**kwargs))
    assert trust > 0 and reason in reasons


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"score": 4},
        {"label": "bad", "accepted": True},
        {"score": -1, "author_id": "u-mara"},
        {"text": "  ", "accepted": True},
    ],
)
def test_untrusted(kwargs: dict[str, object]) -> None:
    assert POLICY.assess(post(**kwargs)) == (0.0, ())


def test_more_signals_more_trust() -> None:
    accepted = POLICY.assess(post(accepted=True))[0]
    both = POLICY.assess(post(accepted=True, author_id="u-mara", score=30))[0]
    assert 0 < accepted < both < 1


def test_entry_takes_best_reply_and_keeps_provenance() -> None:
    thread = Thread(
        id="t1",
        title="Hub offline",
        body="help @everyone",
        url="https://c/t1",
        channel="beta",
        visibility="private",
        replies=(
            post(id="a", text="meh", score=6),
            post(id="b", text="the fix", accepted=True, author="Ann", author_id="u-ann"),
        ),
    )
    entry = POLICY.entry_for(thread, "forum")
    assert entry is not None
    assert (entry.answer, entry.author, entry.thread_id, entry.url, entry.visibility) == (
        "the fix",
        "Ann",
        "t1",
        "https://c/t1",
        "private",
    )
    assert entry.id == "forum:t1"
    assert "@everyone" not in entry.body


def test_thread_without_trusted_reply_gives_no_entry() -> None:
    thread = Thread(id="t", title="q", body="", replies=(post(score=1), post(label="bad", accepted=True)))
    assert POLICY.entry_for(thread, "s") is None


def test_min_kudos_validated() -> None:
    with pytest.raises(ValueError, match="min_kudos"):
        TrustPolicy(min_kudos=0)


def test_an_entry_keeps_its_threads_other_trusted_replies_for_pinning() -> None:
    replies = (
        post(id="weak", text="maybe reboot"),  # untrusted: never a candidate
        post(id="kudos", text="use the 2.4 GHz band", score=6),
        post(id="best", text="give it a fixed IP", accepted=True),
        post(id="mara", text="move the hub", author="Mara Quinn", author_id="u-mara", provenance="learned live"),
        *(post(id=f"k{i}", text=f"tip {i}", score=5) for i in range(4)),
    )
    entry = POLICY.entry_for(Thread(id="t", title="Hub offline", body="", replies=replies), "forum")
    assert entry is not None and entry.answer == "give it a fixed IP"
    assert [r.id for r in entry.alternatives] == ["mara", "kudos", "k0", "k1"]  # most trusted first, at most 4
    assert entry.alternatives[0].trust_reasons == ("by superuser Mara Quinn", "learned live")
    assert KnowledgeEntry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry  # as entries.jsonl keeps it
    alone = POLICY.entry_for(Thread(id="u", title="Reset", body="", replies=(post(accepted=True),)), "forum")
    assert alone is not None and alone.alternatives == () and "alternatives" not in alone.to_dict()
