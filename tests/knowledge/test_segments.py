"""Captured answers go to a small second segment: searched beside the main one at once, merged by the next build."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.indexer.build import build_index
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.calibrator import Calibrator
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.index_files import read_current
from peerbot.knowledge.lexical import Bm25Index
from peerbot.knowledge.retriever import HybridRetriever
from tests.bots.test_escalation_workflow import SUPERUSERS, community, console, start
from tests.conftest import make_settings
from tests.factories import SMALL_COMMUNITY, Clock, write_jsonl

EMBEDDER = HashingEmbedder(256)
NEW = KnowledgeEntry(
    id="captured:esc-1",
    title="Hub on a solar power bank while camping",
    body="Can the hub run from a solar power bank on a camping trip?",
    answer="Yes: any 5 V 2 A USB power bank runs it for about 20 hours.",
    author="Mara Quinn",
    author_id="u-mara",
    thread_id="esc-1",
    source="captured",
    trust=0.9,
)


def published(tmp_path: Path) -> KnowledgeBase:
    """The small community built and read back from disk, as a bot serves it."""
    source = JsonlThreadSource(write_jsonl(tmp_path / "c.jsonl", SMALL_COMMUNITY), name="forum")
    build_index([source], TrustPolicy(superusers=frozenset({"u-mara"})), EMBEDDER, tmp_path / "index")
    return KnowledgeBase.from_loaded(read_current(tmp_path / "index", model=EMBEDDER.name, dimension=256))


def add(kb: KnowledgeBase, entry: KnowledgeEntry) -> KnowledgeBase:
    return kb.with_added([entry], EMBEDDER.embed([entry.question_text]))


def test_an_added_entry_is_served_at_once_and_the_main_segment_is_shared(tmp_path: Path) -> None:
    kb = published(tmp_path)
    grown = add(kb, NEW)
    retriever = HybridRetriever(grown, EMBEDDER, Calibrator.load())
    assert retriever.retrieve("solar power bank for the hub when camping", Audience())[0].entry.id == NEW.id
    assert len(grown) == len(kb) + 1 and grown.added == (NEW,)
    # nothing of the main segment was copied: the same FAISS index, entries and BM25 index
    assert grown.vectors is kb.vectors and grown.main is kb.main and grown.main_bm25 is kb.main_bm25
    assert kb.added == () and kb.find(NEW.id) is None  # the old snapshot is unchanged
    assert grown.find(NEW.id) == NEW


def test_added_entries_score_bm25_as_after_the_merge(tmp_path: Path) -> None:
    kb = published(tmp_path)
    grown = add(add(kb, NEW), replace(NEW, id="captured:esc-2", title="Factory reset when the app is gone"))
    merged = Bm25Index([e.question_text for e in grown.entries])  # what the next build will hold
    n = len(kb.main)
    for question in ("solar power bank camping", "factory reset bulb app"):
        added = grown.bm25.scores(question)[n:]
        assert added.max() > 0 and added == pytest.approx(merged.scores(question)[n:], rel=0.01, abs=1e-3)


def test_an_added_entry_replaces_the_main_entry_with_its_id(tmp_path: Path) -> None:
    kb = published(tmp_path)
    old = next(e for e in kb.entries if e.thread_id == "reset-bulb")
    fixed = replace(old, answer="Hold the switch for 10 s (new firmware).")
    grown = add(kb, fixed)
    matches = HybridRetriever(grown, EMBEDDER, Calibrator.load()).retrieve(old.question_text, Audience(), top_k=10)
    assert [m.entry.answer for m in matches if m.entry.id == old.id] == [fixed.answer]
    assert len(grown) == len(kb) and grown.find(old.id) == fixed


def test_private_added_entries_follow_the_audience(tmp_path: Path) -> None:
    kb = add(published(tmp_path), replace(NEW, visibility="private", channel="beta"))
    retriever = HybridRetriever(kb, EMBEDDER, Calibrator.load())

    def ids(audience: Audience) -> set[str]:
        return {m.entry.id for m in retriever.retrieve("solar power bank camping", audience, top_k=10)}

    assert NEW.id not in ids(Audience(public=True, channel="general"))
    assert NEW.id in ids(Audience(public=True, channel="beta"))


def test_a_captured_answer_is_merged_into_the_main_segment_by_the_next_build(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, community(), superusers=SUPERUSERS)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    clock = Clock()
    bot = start(settings, clock)
    console(bot, "alice", "Can the Lumo hub run on a solar power bank during camping trips?", "/human")
    console(bot, "u-mara", "/answer 1 Yes: any 5 V 2 A USB power bank runs the hub for about 20 hours.")
    console(bot, "alice", "/solved")
    serving = bot.retriever.kb
    assert [e.source for e in serving.added] == ["captured"]  # in the second segment, served at once
    assert "USB power bank" in console(bot, "carol", "camping: can a solar power bank run the Lumo hub?")

    asyncio.run(bot.reindexer())  # the next build reads captured.jsonl: the entry moves to the main segment
    merged = bot.retriever.kb
    assert merged.version != serving.version and merged.added == ()
    assert sum(e.source == "captured" for e in merged.main) == 1
    assert "USB power bank" in console(bot, "dave", "camping: can a solar power bank run the Lumo hub?")


def test_taking_entries_out_hides_main_ones_and_drops_added_ones_without_copying(tmp_path: Path) -> None:
    """A live thread retracted: out of serving at once, from either segment, the main segment shared."""
    kb = add(published(tmp_path), NEW)
    retriever = HybridRetriever(kb, EMBEDDER, Calibrator.load())
    main_hit = retriever.retrieve("my hub keeps dropping off wifi", Audience())[0].entry
    assert main_hit.source != "captured"
    smaller = kb.without({main_hit.id, NEW.id, "forum:no-such-entry"})
    assert smaller.vectors is kb.vectors and smaller.main is kb.main  # nothing of the main segment copied
    assert len(smaller) == len(kb) - 2 and smaller.find(main_hit.id) is None and smaller.find(NEW.id) is None
    retriever.update(lambda _: smaller)
    served = {m.entry.id for m in retriever.retrieve("my hub keeps dropping off wifi", Audience(), top_k=30)}
    served |= {m.entry.id for m in retriever.retrieve("solar power bank for the hub when camping", Audience())}
    assert main_hit.id not in served and NEW.id not in served and served
    assert smaller.without({main_hit.id}) is smaller  # already out: nothing changes
    assert kb.find(main_hit.id) == main_hit  # the old snapshot is unchanged
