"""What an asker's message in the bot's thread says (bots/followup_classifier.py)."""

from __future__ import annotations

import pytest

from peerbot.bots.followup_classifier import Said, classify, normalise


@pytest.mark.parametrize(
    "message",
    [
        "didn't work",
        "Didn’t work.",  # a phone's curly apostrophe
        "That did not work",
        "not helpful",
        "Still broken!!",
        "it still drops off every night",
        "nope",
        "No luck",
        "Wrong answer",
        "That's not it",
        "thanks, but it still doesn't work",  # negative wins over thanks
        "hasn't fixed it",
        "Not solved",
        "I already tried that",
    ],
)
def test_negative(message: str) -> None:
    assert classify(message).said is Said.NEGATIVE


@pytest.mark.parametrize(
    "message",
    [
        "thanks, that fixed it",
        "Thanks!",
        "thank you so much for your help",
        "that worked",
        "Works now 👍",
        "Solved",
        "cheers",
    ],
)
def test_solved(message: str) -> None:
    assert classify(message).said is Said.SOLVED


@pytest.mark.parametrize(
    "message",
    [
        "it's the Android app",
        "error E42 when pairing",
        "thanks, it's the Android app on a Pixel 7",  # thanks that says more is a detail
        "Is this solved in firmware 5.1?",  # a question is never "solved"
        "The hub is a Gen 2 and the router is a Fritzbox",
    ],
)
def test_detail(message: str) -> None:
    said = classify(message)
    assert said.said is Said.DETAIL and said.detail == message


@pytest.mark.parametrize("message", ["ok", "will try, thanks", "Thanks, I'll try that", "let me check", "got it"])
def test_acknowledgement(message: str) -> None:
    assert classify(message).said is Said.ACK


def test_a_negative_that_says_more_carries_the_detail() -> None:
    said = classify("Didn't work, it happened after a power cut and the ring is red.")
    assert said.said is Said.NEGATIVE
    assert said.detail == "Didn't work, it happened after a power cut and the ring is red."
    assert classify("Didn't work, sorry").detail is None  # nothing to search with


def test_normalise_keeps_words_and_numbers_only() -> None:
    assert normalise("Didn’t WORK — error E42!") == "didnt work error e42"
    assert classify("").said is Said.DETAIL and classify("").detail is None
