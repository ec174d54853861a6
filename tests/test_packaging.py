"""The built wheel: optional parts are extras, the Slack manifest and a sample config ship inside it, and
`peerbot init` run from the unpacked wheel writes them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OUT_OF_TREE = (".git", ".venv", "tests", ".*cache*", "build", "dist", "*.egg-info", "__pycache__", ".peerbot")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel . --no-deps --no-build-isolation` on a copy of the tree (the checkout stays untouched)."""
    root = tmp_path_factory.mktemp("wheel")
    src = Path(shutil.copytree(REPO, root / "src", symlinks=True, ignore=shutil.ignore_patterns(*OUT_OF_TREE)))
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(root / "dist"),
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [found] = (root / "dist").glob("peerbot-*.whl")
    return found


def test_the_wheel_ships_the_manifest_the_sample_config_and_the_licence(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert (
            archive.read("peerbot/adapters/slack_manifest.yaml") == (REPO / "adapters/slack_manifest.yaml").read_bytes()
        )
        assert archive.read("peerbot/config.sample.toml") == (REPO / "config.toml").read_bytes()
        metadata = Parser().parsestr(
            archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
        )
    assert "peerbot/py.typed" in names and any(n.endswith("licenses/LICENSE") for n in names)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("Classifier") and metadata.get_all("Project-URL")
    assert {"slack", "discord", "dashboard", "postgres", "all", "dev"} <= set(metadata.get_all("Provides-Extra"))
    required = metadata.get_all("Requires-Dist")
    for optional in ("fastapi", "uvicorn", "jinja2", "python-multipart", "psycopg", "pytest", "ruff", "mypy"):
        unconditional = [r for r in required if r.startswith(optional) and "extra ==" not in r]
        assert not unconditional, f"{optional} must be an extra, not a dependency: {unconditional}"


def test_peerbot_init_works_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}  # the unpacked wheel, not the checkout
    env.pop("PEERBOT_CONFIG", None)
    run = [sys.executable, "-m", "peerbot"]
    where = subprocess.run(
        [sys.executable, "-c", "import peerbot; print(peerbot.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip() == str(site / "peerbot" / "__init__.py")
    result = subprocess.run([*run, "init", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bot" / "config.toml").read_bytes() == (REPO / "config.toml").read_bytes()
    assert (tmp_path / "bot" / "slack_manifest.yaml").read_bytes() == (
        REPO / "adapters/slack_manifest.yaml"
    ).read_bytes()
