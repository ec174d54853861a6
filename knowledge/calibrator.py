"""A logistic model over retrieval signals: turns them into a calibrated probability of a right answer.

Fit with `peerbot calibrate` on a labelled split (scikit-learn); applied with numpy at query time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from peerbot.errors import ConfigError

FEATURES = ("cosine", "cosine_lead", "bm25_relative", "title_similarity", "word_overlap", "query_length")
# More of these never makes a match less likely: their weights are kept >= 0, so the model cannot
# learn an artefact of one community (collinear signals pulling in opposite directions).
MONOTONE = frozenset({"cosine", "cosine_lead", "bm25_relative", "title_similarity", "word_overlap"})
DEFAULT_PATH = Path(__file__).with_name("calibrator.json")


@dataclass(frozen=True)
class Calibrator:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    trained_on: str = ""

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ValueError("calibrator features, mean, scale and coef must have the same length")

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """rows: (n, len(features)) in the order of self.features."""
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each feature's share of the logit for one row (for the ranking reasons)."""
        z = (row - np.asarray(self.mean)) / np.asarray(self.scale)
        return {name: float(v) for name, v in zip(self.features, z * np.asarray(self.coef), strict=True)}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Calibrator:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            calibrator = cls(
                features=tuple(data["features"]),
                mean=tuple(data["mean"]),
                scale=tuple(data["scale"]),
                coef=tuple(data["coef"]),
                intercept=float(data["intercept"]),
                trained_on=str(data.get("trained_on", "")),
            )
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ConfigError(
                f"[answer].calibrator: cannot read {path} ({exc}); run `peerbot calibrate` to make one"
            ) from exc
        if calibrator.features != FEATURES:
            raise ConfigError(
                f"[answer].calibrator: {path} was fit on features {list(calibrator.features)}, "
                f"this version uses {list(FEATURES)}: run `peerbot calibrate` again"
            )
        return calibrator


def fit_calibrator(rows: np.ndarray, labels: np.ndarray, trained_on: str, l2: float = 1.0) -> Calibrator:
    """L2-regularised logistic regression with non-negative weights on the MONOTONE signals."""
    from scipy.optimize import minimize

    if len(set(labels.tolist())) < 2:
        raise ValueError("calibration needs both right and wrong candidates")
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)
    z = (rows - mean) / scale
    y = labels.astype(np.float64)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        logits = z @ w + b
        p = 1.0 / (1.0 + np.exp(-logits))
        nll = np.sum(np.logaddexp(0, logits) - y * logits) + 0.5 * l2 * float(w @ w)
        grad_w = z.T @ (p - y) + l2 * w
        return float(nll), np.append(grad_w, np.sum(p - y))

    bounds = [(0.0, None) if name in MONOTONE else (None, None) for name in FEATURES] + [(None, None)]
    result = minimize(loss, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return Calibrator(
        features=FEATURES,
        mean=tuple(float(x) for x in mean),
        scale=tuple(float(x) for x in scale),
        coef=tuple(float(x) for x in result.x[:-1]),
        intercept=float(result.x[-1]),
        trained_on=trained_on,
    )
