"""`peerbot eval` on the real SemEval Qatar Living data (../shared/data), next to the dense baseline."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import QATARLIVING, REPO

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.mark.skipif(not QATARLIVING.exists(), reason=f"{QATARLIVING} is absent (shared data not checked out)")
def test_eval_dev_split_beats_dense_baseline(tmp_path: Path) -> None:
    env = {**os.environ, "PEERBOT_CONFIG": str(REPO / "config.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "peerbot", "eval", str(QATARLIVING), "--split", "dev", "--self-calibrate", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sizes"]["queries"] == 48 and data["sizes"]["unanswerable"] == 7
    assert data["warnings"] == []
    ours, selfcal, dense = data["systems"][:3]
    fusion = data["systems"][4]
    assert selfcal["system"] == "peerbot, self-calibrated gate" and 0.3 < data["self_calibration"]["threshold"] < 0.95
    assert selfcal["answered_precision"] >= 0.8
    assert fusion["system"].startswith("BM25 + dense fusion") and ours["mrr10"] >= fusion["mrr10"] - 0.05
    assert ours["intervals"]["answered_precision"]["low"] <= ours["answered_precision"]
    assert ours["mrr10"] >= dense["mrr10"] and ours["recall10"] >= dense["recall10"]
    assert ours["answered_precision"] >= 0.8
    assert ours["unanswerable_answered"] <= 0.15


@pytest.mark.skipif(not QATARLIVING.exists(), reason=f"{QATARLIVING} is absent (shared data not checked out)")
def test_candidates_protocol_beats_search_engine_order(tmp_path: Path) -> None:
    env = {**os.environ, "PEERBOT_CONFIG": str(REPO / "config.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "peerbot", "eval", str(QATARLIVING), "--protocol", "candidates", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    maps = {c["system"]: c for c in json.loads(result.stdout)["candidates"]}
    ours, ir = maps["peerbot (hybrid + calibrated gate)"], maps["IR baseline (search engine order)"]
    assert ours["queries_counted"] == ir["queries_counted"] > 30
    assert ours["map"]["value"] > ir["map"]["value"]
