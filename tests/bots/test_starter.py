"""`peerbot init [DIR]` writes the starter config.toml and the Slack app manifest, and never overwrites unasked."""

from __future__ import annotations

import tomllib
from pathlib import Path

from peerbot.bots.config import load_settings

REPO = Path(__file__).resolve().parents[2]


def test_init_writes_a_config_that_loads_and_the_slack_manifest(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    result = peerbot("init", "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert sorted(p.name for p in site.iterdir()) == ["config.toml", "slack_manifest.yaml"]
    assert (site / "slack_manifest.yaml").read_bytes() == (REPO / "adapters" / "slack_manifest.yaml").read_bytes()
    assert "[[sources]]" in (site / "config.toml").read_text(encoding="utf-8")
    settings = load_settings(site / "config.toml")
    assert settings.sources[0].type == "demo" and settings.superusers
    assert "wrote" in result.stderr and "config.toml" in result.stderr


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text('[community]\nname = "Mine"\n', encoding="utf-8")
    refused = peerbot("init")
    assert refused.returncode == 2
    assert "config.toml already exists: pass --force to overwrite it" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8")) == {"community": {"name": "Mine"}}
    assert not (tmp_path / "slack_manifest.yaml").exists()  # nothing half-written

    forced = peerbot("init", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Lumo Community" in (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert (tmp_path / "slack_manifest.yaml").exists()
