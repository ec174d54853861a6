"""The metric arithmetic against values worked out by hand."""

import math

import pytest

from peerbot.bots.evaluation.metrics import (
    GatePoint,
    auroc,
    coverage_at_precision,
    gate_curve,
    mean_average_precision,
    precision_at_coverage,
    reciprocal_rank,
    semeval_average_precision,
    threshold_for_precision,
)


def test_reciprocal_rank_counts_only_the_top_ten() -> None:
    assert reciprocal_rank(["x", "a"], {"a": 1}) == 0.5
    assert reciprocal_rank([f"x{i}" for i in range(10)] + ["a"], {"a": 1}) == 0.0


def test_semeval_average_precision_as_the_official_scorer() -> None:
    # relevant at ranks 2 and 4: (1/2 + 2/4) / 2 found, not divided by the 3 relevant ones
    assert semeval_average_precision(["x", "a", "y", "b"], {"a": 1, "b": 2, "c": 1}) == pytest.approx(0.5)
    # relevant only below rank 10: counted, with AP 0
    assert semeval_average_precision([f"x{i}" for i in range(10)] + ["a"], {"a": 1}) == 0.0
    # no relevant candidate at all: left out of MAP
    assert semeval_average_precision(["x", "y"], {"a": 1}) is None
    assert mean_average_precision([1.0, None, 0.5]) == pytest.approx(0.75)
    assert math.isnan(mean_average_precision([None]))


def test_auroc_with_ties() -> None:
    assert auroc([0.9, 0.8, 0.1, 0.95], [True, False, False, False]) == pytest.approx(2 / 3)
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert math.isnan(auroc([0.5], [True]))


def test_gate_curve_precision_coverage_and_threshold() -> None:
    points = [
        GatePoint(0.9, True, True),
        GatePoint(0.8, False, False),  # unanswerable, answered from 0.8 down
        GatePoint(0.7, True, True),
        GatePoint(0.7, False, True),  # tie: both enter at 0.7
        GatePoint(-math.inf, False, True),  # nothing retrieved: never answered
    ]
    curve = gate_curve(points)
    assert [(c.threshold, c.coverage, c.precision) for c in curve] == [
        (0.9, pytest.approx(1 / 4), 1.0),
        (0.8, pytest.approx(1 / 4), 0.5),
        (0.7, pytest.approx(3 / 4), 0.5),
    ]
    assert coverage_at_precision(curve, 0.85) == pytest.approx(1 / 4)
    assert coverage_at_precision(curve, 0.5) == pytest.approx(3 / 4)
    assert precision_at_coverage(curve, 0.5) == 0.5
    assert precision_at_coverage(curve, 1.0) is None
    assert threshold_for_precision(curve, 0.85) == 0.9
    assert threshold_for_precision(curve, 1.01) is None
