"""Replies held for "Show everyone": once, for the asker only, for a bounded time and number."""

from __future__ import annotations

import pytest

from peerbot.adapters.held import HeldReplies


def test_a_held_reply_is_taken_once_by_its_asker() -> None:
    held: HeldReplies[str] = HeldReplies()
    key = held.hold("alice", "the answer")
    assert held.take(key, "bob") is None  # not theirs, and still there for alice
    assert held.take(key, "alice") == "the answer"
    assert held.take(key, "alice") is None


def test_held_replies_expire_and_the_oldest_go_first() -> None:
    now = [0.0]
    held: HeldReplies[int] = HeldReplies(limit=2, seconds=60, clock=lambda: now[0])
    first, second, third = held.hold("a", 1), held.hold("a", 2), held.hold("a", 3)
    assert held.take(first, "a") is None  # pushed out by the third
    now[0] = 61.0
    assert held.take(second, "a") is None  # expired
    assert held.take(third, "a") is None


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="limit must be at least 1"):
        HeldReplies(limit=0)
