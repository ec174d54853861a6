"""`peerbot init [DIR]`: the files a new installation starts from, shipped inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from peerbot.errors import ConfigError

# (package, resource inside it, the name it is written under)
STARTER_FILES = (
    ("peerbot", "config.sample.toml", "config.toml"),
    ("peerbot.adapters", "slack_manifest.yaml", "slack_manifest.yaml"),
)


def write_starter_files(target: Path, *, force: bool = False) -> list[Path]:
    """Write config.toml and slack_manifest.yaml into target (created if needed); refuse to overwrite unless forced.

    Nothing is written when any of them exists and force is off, so a half-initialised folder never results."""
    planned = [(target / name, files(package).joinpath(resource)) for package, resource, name in STARTER_FILES]
    if not force:
        for path, _ in planned:
            if path.exists():
                raise ConfigError(f"{path} already exists: pass --force to overwrite it", file=path)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path, resource in planned:
            path.write_bytes(resource.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot write the starter files into {target} ({exc.strerror or exc})", file=target) from exc
    return [path for path, _ in planned]
