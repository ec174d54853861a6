"""'Write an FAQ entry' appends to the configured curated-answer source, which the indexer reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerbot.bots.dashboard.faq import NEW_FILE, append_entry, faq_target
from peerbot.indexer.sources.faq import FaqSource
from tests.conftest import make_settings


def test_new_csv_gets_a_header_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    append_entry(path, "How long is the warranty?", "Two years, from the order date.", "Lumo Support")
    append_entry(path, 'Music "sync", with commas?', "Not yet, line 1\nline 2", "Mara")
    threads = list(FaqSource(path).threads())
    assert [t.title for t in threads] == ["How long is the warranty?", 'Music "sync", with commas?']
    assert threads[1].replies[0].text.startswith("Not yet")
    assert threads[0].replies[0].author == "Lumo Support"


def test_existing_csv_keeps_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("question,answer,url,author\nOld?,Yes.,https://x.example,Ann", encoding="utf-8")  # no newline
    append_entry(path, "New?", "Also yes.", "Bo")
    assert path.read_text(encoding="utf-8").splitlines() == [
        "question,answer,url,author",
        "Old?,Yes.,https://x.example,Ann",
        "New?,Also yes.,,Bo",
    ]


def test_markdown_faq_gets_a_heading(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text("# FAQ\n\n## Old?\n\nYes.\n", encoding="utf-8")
    append_entry(path, "New question?", "The answer.", "ignored")
    assert [t.title for t in FaqSource(path).threads()] == ["Old?", "New question?"]


def test_empty_question_or_answer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="question and an answer"):
        append_entry(tmp_path / "faq.csv", "  ", "x", "a")


def test_target_is_the_first_faq_source(tmp_path: Path) -> None:
    assert faq_target(make_settings(tmp_path)) is None
    folder = make_settings(
        tmp_path,
        sources=[
            {"name": "forum", "type": "jsonl", "path": "community.jsonl"},
            {"name": "curated", "type": "faq", "path": "faqs"},
        ],
    )
    assert faq_target(folder) == ("curated", (tmp_path / "faqs" / NEW_FILE).resolve())
    single = make_settings(tmp_path, sources=[{"name": "faq", "type": "faq", "path": "faq.csv"}])
    assert faq_target(single) == ("faq", (tmp_path / "faq.csv").resolve())
