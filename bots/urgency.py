"""Upset customers get a person: VADER sentiment flags complaints and angry messages as urgent."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER's compound score: -1 (furious) .. +1 (delighted)."""
    return float(_analyzer().polarity_scores(text[:2000])["compound"])


def is_urgent(text: str, threshold: float) -> bool:
    return sentiment(text) <= threshold
