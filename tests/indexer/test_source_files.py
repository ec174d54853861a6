"""The FileSource base every file-backed source stands on: the SourceError for a path that cannot be read at all
carries the source's name, the path and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerbot.errors import SourceError
from peerbot.indexer.sources.registry import BUILT_IN

FILE_TYPES = [name for name, kind in BUILT_IN.items() if kind.needs_path]


@pytest.mark.parametrize("kind", FILE_TYPES)
def test_a_missing_path_is_a_source_error_with_its_fields(tmp_path: Path, kind: str) -> None:
    spec = BUILT_IN[kind]
    source = spec.factory(tmp_path / "nowhere", "community", spec.options())
    with pytest.raises(SourceError) as raised:
        list(source.threads())
    error = raised.value
    assert error.source == "community" and error.reason
    assert error.path is not None and error.path.is_relative_to(tmp_path / "nowhere")
    assert str(error) == f"source 'community': cannot open {error.path} ({error.reason})"


@pytest.mark.parametrize(("kind", "name", "reason"), [("faq", "notes.txt", "not a .csv, .markdown or .md file")])
def test_a_file_of_the_wrong_kind_is_refused_by_name(tmp_path: Path, kind: str, name: str, reason: str) -> None:
    (tmp_path / name).write_text("hello", encoding="utf-8")
    spec = BUILT_IN[kind]
    with pytest.raises(SourceError) as raised:
        list(spec.factory(tmp_path / name, "faq", spec.options()).threads())
    assert (raised.value.path, raised.value.reason) == (tmp_path / name, reason)
