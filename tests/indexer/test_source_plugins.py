"""Third-party source types: a distribution registers one under the `peerbot.sources` entry point and `peerbot index`
reads with it, without anyone editing the registry. The distribution here is a dist-info folder on sys.path."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerbot.bots.config import parse_settings
from peerbot.errors import ConfigError
from peerbot.indexer.sources.registry import SOURCE_TYPES, SourceTypes
from tests.factories import CLI_CONFIG

PLUGIN = '''
"""A wiki export: each .wiki file holds "Q: question" and "A: answer" lines, written by one author."""

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource


class WikiOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    author: str = "Wiki"


class WikiSource(FileSource[WikiOptions]):
    default_name = "wiki"
    options_model = WikiOptions
    suffixes = (".wiki",)
    help = "a folder of .wiki pages"

    def read_file(self, file: Path) -> Iterator[Thread]:
        text = self.read_text(file) or ""
        lines = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
        if "Q" not in lines or "A" not in lines:
            self.report(file, "file", "needs a Q: and an A: line")
            return
        author = self.options.author
        answer = Post(id=file.stem + ":a", author=author, author_id=author, text=lines["A"], accepted=True)
        yield Thread(id=file.stem, title=lines["Q"], body="", author=author, author_id=author, replies=(answer,))
'''


def install_plugin(root: Path, entry_points: str, module: str = PLUGIN) -> Path:
    """A distribution as pip would leave it: the module and its dist-info folder with entry_points.txt."""
    site = root / "site"
    (site / "peerbot_wiki-1.0.dist-info").mkdir(parents=True)
    (site / "peerbot_wiki.py").write_text(module, encoding="utf-8")
    info = site / "peerbot_wiki-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: peerbot-wiki\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    return site


@pytest.fixture
def on_path() -> Iterator[list[Path]]:
    """Folders put on sys.path (and PYTHONPATH, for child processes) for one test."""
    added: list[Path] = []
    yield added
    for folder in added:
        sys.path.remove(str(folder))
    sys.modules.pop("peerbot_wiki", None)


def add_to_path(folder: Path, added: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(folder))
    added.append(folder)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]))


def test_peerbot_index_reads_a_third_party_source(tmp_path: Path, peerbot, on_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = install_plugin(tmp_path, "[peerbot.sources]\nwiki = peerbot_wiki:WikiSource\n")
    add_to_path(site, on_path, monkeypatch)
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "hub-reset.wiki").write_text(
        "Q: How do I reset the Lumo hub to factory settings?\nA: Hold the hub's pin button for 15 seconds.\n",
        encoding="utf-8",
    )
    (tmp_path / "kb" / "broken.wiki").write_text("nothing useful\n", encoding="utf-8")
    config = CLI_CONFIG.replace(
        'name = "forum"\ntype = "jsonl"\npath = "community.jsonl"',
        'name = "handbook"\ntype = "wiki"\npath = "kb"\noptions = { author = "Support team" }',
    )
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")

    indexed = peerbot("index")
    assert indexed.returncode == 0, indexed.stderr
    assert "1 trusted entries from 1 threads" in indexed.stderr
    assert "broken.wiki:file: needs a Q: and an A: line" in indexed.stderr
    answer = peerbot("ask", "How do I reset the Lumo hub to factory settings?")
    assert answer.returncode == 0, answer.stderr
    assert "Hold the hub's pin button for 15 seconds" in answer.stdout and "Support team" in answer.stdout


def test_a_plugin_type_has_its_own_options_checked(tmp_path: Path, on_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    add_to_path(install_plugin(tmp_path, "[peerbot.sources]\nwiki = peerbot_wiki:WikiSource\n"), on_path, monkeypatch)
    assert "wiki" in SOURCE_TYPES and SOURCE_TYPES["wiki"].help == "a folder of .wiki pages"
    spec = {"name": "handbook", "type": "wiki", "path": "kb", "options": {"colour": "red"}}
    with pytest.raises(ConfigError, match=r"source 'handbook': options\.colour: extra inputs"):
        parse_settings({"sources": [spec]}, tmp_path)


def test_a_plugin_cannot_replace_a_built_in_type(tmp_path: Path, on_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    add_to_path(install_plugin(tmp_path, "[peerbot.sources]\nfaq = peerbot_wiki:WikiSource\n"), on_path, monkeypatch)
    assert SOURCE_TYPES["faq"].help.startswith("a curated FAQ")
    assert list(SOURCE_TYPES).count("faq") == 1


def test_a_plugin_that_cannot_be_imported_is_named(tmp_path: Path, on_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = install_plugin(
        tmp_path, "[peerbot.sources]\nwiki = peerbot_wiki:WikiSource\n", module="import missing_dep\n"
    )
    add_to_path(site, on_path, monkeypatch)
    with pytest.raises(
        ConfigError, match=r"source type 'wiki' \(peerbot_wiki:WikiSource, from peerbot-wiki\)"
    ) as raised:
        SourceTypes()["wiki"]
    assert "missing_dep" in str(raised.value)
