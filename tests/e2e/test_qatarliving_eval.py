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
        [sys.executable, "-m", "peerbot", "eval", str(QATARLIVING), "--split", "dev", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sizes"]["queries"] == 48 and data["sizes"]["unanswerable"] == 7
    ours, dense = data["systems"]
    assert ours["mrr10"] >= dense["mrr10"] and ours["recall10"] >= dense["recall10"]
    assert ours["answered_precision"] >= 0.8
    assert ours["unanswerable_answered"] <= 0.15
