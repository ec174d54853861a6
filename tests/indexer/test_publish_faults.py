"""Publishing under faults, through real `peerbot` processes (issue 13, points 7 and 8).

A build that suddenly loses most entries is refused; a process SIGKILLed at a named step of publish or
prune (the PEERBOT_FAULT hook) leaves the previous version serving, and the next run cleans up after it.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from peerbot.knowledge.index_files import CURRENT, MANIFEST, VERSIONS, current_version
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, reply, thread, write_jsonl

Run = Callable[..., subprocess.CompletedProcess[str]]
RESET = "how do I factory reset a bulb"


def community(extra: int = 0) -> list[dict[str, object]]:
    more = [
        thread(f"x{i}", f"extra question number {i}", "", [reply(f"extra answer {i}", accepted=True)])
        for i in range(extra)
    ]
    return [*SMALL_COMMUNITY, *more]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(CLI_CONFIG.replace('"hashing-256"', '"hashing-256"\nkeep_versions = 2'))
    write_jsonl(tmp_path / "community.jsonl", community(6))  # 10 trusted entries
    return tmp_path


def index_dir(folder: Path) -> Path:
    return folder / "index"


def leftovers(folder: Path) -> list[str]:
    """Everything a killed build can leave behind: temp pointers, staging folders, half-pruned versions."""
    root = index_dir(folder)
    found = [p.name for p in root.glob(f".{CURRENT}.*")]
    for version in (root / VERSIONS).iterdir():
        manifest = version / MANIFEST
        if version.name.startswith("."):
            found.append(version.name)
        elif not manifest.exists():
            found.append(f"{version.name} (no manifest)")
        else:
            files = json.loads(manifest.read_text())["files"]
            found += [f"{version.name}/{name} missing" for name in files if not (version / name).exists()]
    return found


# ---- point 7: a shrunken build is refused unless --force ----------------------------------------------------


def test_a_build_that_drops_most_entries_is_refused_and_the_old_version_serves(folder: Path, peerbot: Run) -> None:
    assert peerbot("index").returncode == 0
    serving = current_version(index_dir(folder))
    renamed = [{**t, "replies": [{**r, "text": "", "body": r["text"]} for r in t["replies"]]} for t in community(6)]
    write_jsonl(folder / "community.jsonl", renamed[:3])  # a renamed column and a cut-off export
    refused = peerbot("index")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "refusing to publish" in refused.stderr and "0 entries" in refused.stderr and "10" in refused.stderr
    assert "--force" in refused.stderr and "index.max_drop_share" in refused.stderr
    assert current_version(index_dir(folder)) == serving
    assert "Power-cycle" in peerbot("ask", RESET).stdout

    write_jsonl(folder / "community.jsonl", community(0))  # 4 of 10 entries: a drop of 60%
    assert peerbot("index").returncode == 2
    forced = peerbot("index", "--force")
    assert forced.returncode == 0, forced.stderr
    assert current_version(index_dir(folder)) != serving and "4 trusted entries" in forced.stderr


def test_the_share_is_configurable_and_validated(folder: Path, peerbot: Run) -> None:
    assert peerbot("index").returncode == 0
    config = folder / "config.toml"
    base = config.read_text()
    config.write_text(base.replace("keep_versions = 2", "keep_versions = 2\nmax_drop_share = 0.7"))
    write_jsonl(folder / "community.jsonl", community(0))  # a drop of 60%: allowed at 0.7
    assert peerbot("index").returncode == 0
    for bad, says in (("1.5", "less than or equal to 1"), ("'30%'", "expected a number")):
        config.write_text(base.replace("keep_versions = 2", f"keep_versions = 2\nmax_drop_share = {bad}"))
        result = peerbot("index")
        assert result.returncode == 2 and "index.max_drop_share" in result.stderr and says in result.stderr


# ---- point 8: kills at named steps; leftovers cleaned; a missing CURRENT ------------------------------------


@pytest.mark.parametrize("point", ["publish:staged", "publish:renamed", "publish:pointer", "prune:partial"])
def test_kill_at_a_named_step_then_the_next_run_recovers(
    folder: Path, peerbot: Run, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    for extra in (6, 7):  # two versions: the next publish prunes one
        write_jsonl(folder / "community.jsonl", community(extra))
        assert peerbot("index").returncode == 0
    before = current_version(index_dir(folder))
    write_jsonl(folder / "community.jsonl", community(8))
    monkeypatch.setenv("PEERBOT_FAULT", point)
    killed = peerbot("index")
    monkeypatch.delenv("PEERBOT_FAULT")
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)  # alive until the hook fired
    assert f"fault point {point}: killing this process" in killed.stderr

    asked = peerbot("ask", RESET)  # whatever the step, a version serves without a rebuild
    assert "Power-cycle" in asked.stdout and "No index yet" not in asked.stderr
    if point in ("publish:staged", "publish:renamed", "publish:pointer"):
        assert current_version(index_dir(folder)) == before

    recovered = peerbot("index")
    assert recovered.returncode == 0, recovered.stderr
    assert "12 trusted entries" in recovered.stderr
    assert leftovers(folder) == []
    assert len(list((index_dir(folder) / VERSIONS).iterdir())) == 2  # keep_versions


def test_killed_leftovers_from_older_builds_are_cleaned(folder: Path, peerbot: Run) -> None:
    """What a build killed by older code (no hooks) could leave: the next run removes all of it."""
    assert peerbot("index").returncode == 0
    root = index_dir(folder)
    serving = current_version(root)
    (root / f".{CURRENT}.{'ab' * 16}").write_text("000099-nothing\n")
    half = root / VERSIONS / "000000-20200101T000000"  # a prune killed after the manifest went
    half.mkdir()
    (half / "vectors.faiss").write_bytes(b"\0" * 10)
    (root / VERSIONS / ".tmp-deadbeef").mkdir()
    assert peerbot("index").returncode == 0
    assert leftovers(folder) == [] and not half.exists()
    assert current_version(root) != serving


@pytest.mark.parametrize("pointer", ["missing", "empty"])
def test_a_missing_or_empty_current_serves_the_newest_version(folder: Path, peerbot: Run, pointer: str) -> None:
    assert peerbot("index").returncode == 0
    write_jsonl(folder / "community.jsonl", community(7))
    assert peerbot("index").returncode == 0
    newest = current_version(index_dir(folder))
    if pointer == "missing":
        (index_dir(folder) / CURRENT).unlink()
    else:
        (index_dir(folder) / CURRENT).write_text("")
    asked = peerbot("ask", "--json", "extra question number 6")
    assert asked.returncode == 0 and "No index yet" not in asked.stderr
    assert json.loads(asked.stdout)["matches"][0]["title"] == "extra question number 6"  # only the newest has it
    assert current_version(index_dir(folder)) == newest
    rebuilt = peerbot("index")
    assert rebuilt.returncode == 0 and "0 embedded anew" in rebuilt.stderr
