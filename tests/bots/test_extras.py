"""An optional part whose extra is not installed is refused with the pip command that installs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from peerbot.bots.extras import require_extra
from peerbot.errors import MissingExtra

HIDE_AND_RUN = "import sys; sys.modules[{module!r}] = None; from peerbot.__main__ import main; main()"


def peerbot_without(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `peerbot` command in a process where `module` cannot be imported, as if its extra was not installed."""
    env = {**os.environ, "PEERBOT_DASHBOARD_TOKEN": "a-long-enough-dashboard-token-for-tests-0123456789"}
    code = HIDE_AND_RUN.format(module=module)
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.parametrize("module", ["fastapi", "uvicorn", "jinja2"])
def test_dashboard_without_its_extra_names_the_extra(tmp_path: Path, module: str) -> None:
    result = peerbot_without(module, "dashboard", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: the dashboard needs {module}: pip install 'peerbot[dashboard]'"


def test_require_extra_carries_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra) as raised:
        require_extra("postgres", "PostgreSQL")
    assert (raised.value.package, raised.value.extra, raised.value.feature) == ("psycopg", "postgres", "PostgreSQL")
