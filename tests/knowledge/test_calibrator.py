from pathlib import Path

import numpy as np
import pytest

from peerbot.errors import ConfigError
from peerbot.knowledge.calibrator import FEATURES, MONOTONE, Calibrator, fit_calibrator


def test_shipped_calibrator_loads_and_ranks_strong_matches_higher() -> None:
    calibrator = Calibrator.load()
    weak = [0.3, -0.2, 0.1, 0.3, 0.1, 2.5]
    strong = [0.85, 0.2, 1.0, 0.8, 0.8, 2.5]
    probs = calibrator.probabilities(np.array([weak, strong]))
    assert 0 <= probs[0] < 0.2 < 0.8 < probs[1] <= 1
    assert "train" in calibrator.trained_on


def test_fit_keeps_monotone_weights_non_negative_and_separates_classes() -> None:
    rng = np.random.default_rng(0)
    rows = rng.random((400, len(FEATURES)))
    labels = (rows[:, 0] + 0.2 * rng.random(400) > 0.7).astype(int)
    calibrator = fit_calibrator(rows, labels, "synthetic")
    for name, weight in zip(calibrator.features, calibrator.coef, strict=True):
        if name in MONOTONE:
            assert weight >= 0
    probs = calibrator.probabilities(rows)
    assert probs[labels == 1].mean() > 0.6 > 0.4 > probs[labels == 0].mean()


def test_save_load_round_trip(tmp_path: Path) -> None:
    original = Calibrator.load()
    original.save(tmp_path / "c.json")
    assert Calibrator.load(tmp_path / "c.json") == original


def test_unreadable_calibrator_says_how_to_fix(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="peerbot calibrate"):
        Calibrator.load(bad)
