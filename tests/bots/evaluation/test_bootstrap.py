"""Bootstrap intervals: they bracket the value, shrink with more queries, and are reproducible."""

import math

import numpy as np
import pytest

from peerbot.bots.evaluation.bootstrap import bootstrap, paired_difference


def mean(xs: object) -> float:
    return float(np.mean(list(xs)))  # type: ignore[call-overload]


def test_interval_brackets_the_mean_and_narrows_with_more_queries() -> None:
    small = bootstrap([1.0, 0.0] * 10, mean)
    large = bootstrap([1.0, 0.0] * 500, mean)
    assert small.value == large.value == 0.5
    assert small.low < 0.5 < small.high
    assert large.high - large.low < (small.high - small.low) / 3
    assert bootstrap([1.0, 0.0] * 10, mean) == small  # same seed, same interval


def test_paired_difference_excludes_zero_only_when_one_side_wins_consistently() -> None:
    better = paired_difference([1.0] * 30, [0.0] * 20 + [1.0] * 10)
    assert better.value == pytest.approx(2 / 3) and better.excludes_zero()
    tie = paired_difference([1.0, 0.0] * 15, [0.0, 1.0] * 15)
    assert tie.value == 0.0 and not tie.excludes_zero()
    with pytest.raises(ValueError, match="same queries"):
        paired_difference([1.0], [1.0, 0.0])


def test_undefined_statistic_gives_nan_interval() -> None:
    empty = bootstrap([], mean)
    assert math.isnan(empty.value) and empty.text() == "n/a"
