"""Bootstrap intervals over queries: how much a score would move with another sample of questions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

T = TypeVar("T")
ROUNDS = 1000


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def text(self, digits: int = 3) -> str:
        if math.isnan(self.value):
            return "n/a"
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _percentiles(samples: list[float], value: float, level: float) -> Interval:
    kept = np.asarray([s for s in samples if not math.isnan(s)])
    if math.isnan(value) or not len(kept):
        return Interval(value, math.nan, math.nan)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(kept, [tail, 100 - tail])
    return Interval(value, float(low), float(high))


def bootstrap(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    rounds: int = ROUNDS,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile interval of `statistic` over queries drawn with replacement (nan resamples skipped)."""
    if rounds <= 0:
        raise ValueError(f"rounds must be greater than 0, got {rounds}")
    value = statistic(items) if items else math.nan
    if not items:
        return Interval(value, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    n = len(items)
    samples = [statistic([items[i] for i in rng.integers(0, n, n)]) for _ in range(rounds)]
    return _percentiles(samples, value, level)


def paired_difference(
    first: Sequence[float],
    second: Sequence[float],
    rounds: int = ROUNDS,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Mean of first - second over the same queries, with a paired bootstrap interval."""
    if len(first) != len(second):
        raise ValueError(f"paired scores need the same queries, got {len(first)} and {len(second)}")
    diffs = [a - b for a, b in zip(first, second, strict=True)]
    return bootstrap(diffs, lambda d: float(np.mean(d)), rounds, level, seed)
