"""Every Source runs the same contract: threads out, bad records reported with file and place, the rest kept."""

import json
from pathlib import Path

import pytest

from peerbot.errors import SourceError
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from tests.factories import reply, thread, write_jsonl


def jsonl_source(tmp_path: Path, broken: bool) -> JsonlThreadSource:
    records: list[object] = [
        thread("a", "First question", "body", [reply("an answer", accepted=True)]),
        thread("b", "Second question", "", [reply("another", score=9)]),
    ]
    if broken:
        records[1:1] = [
            '{"id": "x", "title": ',
            json.dumps({"title": "no id"}),
            json.dumps({"id": "y", "title": "t", "replies": [{"id": 1}]}),
        ]
    return JsonlThreadSource(write_jsonl(tmp_path / "threads.jsonl", records), name="forum")  # type: ignore[arg-type]


def beir_source(tmp_path: Path, broken: bool) -> BeirThreadSource:
    def doc(i: str, title: str) -> dict[str, object]:
        return {
            "_id": i,
            "title": title,
            "text": "body",
            "metadata": {
                "author": "q",
                "category": "cat",
                "answers": [{"id": f"{i}_C1", "author": "x", "text": "answer", "label": "Good"}],
            },
        }

    records: list[object] = [doc("a", "First question"), doc("b", "Second question")]
    if broken:
        records[1:1] = [
            "{broken",
            json.dumps({"title": "no id"}),
            json.dumps({"_id": "y", "metadata": {"answers": [{"author": "no text"}]}}),
        ]
    return BeirThreadSource(write_jsonl(tmp_path / "corpus.jsonl", records), name="beir")  # type: ignore[arg-type]


FACTORIES = [jsonl_source, beir_source]


@pytest.mark.parametrize("make", FACTORIES)
def test_reads_threads_with_replies(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    source = make(tmp_path, broken=False)
    threads = list(source.threads())
    assert [t.id for t in threads] == ["a", "b"]
    assert threads[0].title == "First question" and threads[0].replies[0].text
    assert source.problems == []


@pytest.mark.parametrize("make", FACTORIES)
def test_broken_records_reported_with_line_and_rest_kept(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    source = make(tmp_path, broken=True)
    threads = list(source.threads())
    assert [t.id for t in threads] == ["a", "b"]
    assert [p.record for p in source.problems] == ["line 2", "line 3", "line 4"]
    assert all(p.file.endswith(".jsonl") and p.reason for p in source.problems)


@pytest.mark.parametrize("make", FACTORIES)
def test_missing_file_is_a_source_error(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    source = make(tmp_path, broken=False)
    source.path.unlink()
    with pytest.raises(SourceError, match="cannot open"):
        list(source.threads())


def test_jsonl_reasons_name_the_field(tmp_path: Path) -> None:
    source = jsonl_source(tmp_path, broken=True)
    list(source.threads())
    reasons = [p.reason for p in source.problems]
    assert "not valid JSON" in reasons[0]
    assert reasons[1].startswith("id: field required")
    assert "replies.0" in reasons[2]


def test_beir_labels_become_trust_signals(tmp_path: Path) -> None:
    threads = list(beir_source(tmp_path, broken=False).threads())
    assert threads[0].replies[0].label == "good"
    assert threads[0].channel == "cat"
