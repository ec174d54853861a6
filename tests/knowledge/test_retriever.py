"""Hybrid retrieval on a real FAISS index (hashing embedder for speed)."""

import threading
from dataclasses import replace

import numpy as np

from peerbot.indexer.build import collect_entries, embed_entries
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.calibrator import Calibrator
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.entries import Audience
from peerbot.knowledge.retriever import DenseRetriever, HybridRetriever
from tests.factories import SMALL_COMMUNITY, write_jsonl


def make_retriever(tmp_path):  # type: ignore[no-untyped-def]
    source = JsonlThreadSource(write_jsonl(tmp_path / "c.jsonl", SMALL_COMMUNITY), name="forum")
    entries = collect_entries([source], TrustPolicy(superusers=frozenset({"u-mara"}))).entries
    embedder = HashingEmbedder(256)
    kb = KnowledgeBase(entries, flat_index(embed_entries(entries, embedder)))
    return HybridRetriever(kb, embedder, Calibrator.load()), kb, embedder


def test_best_match_first_with_reasons(tmp_path) -> None:  # type: ignore[no-untyped-def]
    retriever, _, _ = make_retriever(tmp_path)
    matches = retriever.retrieve("how to factory reset a bulb that stopped responding", Audience())
    top = matches[0]
    assert top.entry.thread_id == "reset-bulb"
    assert top.confidence > matches[1].confidence
    assert 0.0 <= top.confidence <= 1.0
    text = " | ".join(top.reasons)
    assert "cosine" in text and "shared" in text and "title" in text and "12 kudos" in text


def test_untrusted_threads_are_not_in_the_knowledge_base(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, kb, _ = make_retriever(tmp_path)
    assert "spam" not in {e.thread_id for e in kb.entries}


def test_private_entries_only_for_their_channel_or_members(tmp_path) -> None:  # type: ignore[no-untyped-def]
    retriever, _, _ = make_retriever(tmp_path)
    question = "adaptive sunrise beta firmware schedule"

    def threads(audience: Audience) -> set[str]:
        return {m.entry.thread_id for m in retriever.retrieve(question, audience, top_k=10)}

    assert "beta-sunrise" not in threads(Audience(public=True, channel="general"))
    # a public channel stays public even if the asker is a member of the private one
    assert "beta-sunrise" not in threads(
        Audience(public=True, channel="general", private_channels=frozenset({"beta-testers"}))
    )
    assert "beta-sunrise" in threads(Audience(public=True, channel="beta-testers"))
    assert "beta-sunrise" in threads(Audience(public=False, channel="dm", private_channels=frozenset({"beta-testers"})))
    assert "beta-sunrise" not in threads(Audience(public=False, channel="dm"))


def test_update_replaces_the_knowledge_base(tmp_path) -> None:  # type: ignore[no-untyped-def]
    retriever, kb, embedder = make_retriever(tmp_path)
    smaller = KnowledgeBase(kb.entries[:1], flat_index(embedder.embed([kb.entries[0].question_text])))
    retriever.update(lambda _: smaller)
    assert {m.entry.id for m in retriever.retrieve("anything about hubs and wifi", Audience())} <= {kb.entries[0].id}


def test_two_changes_made_at_once_both_survive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An answer captured while the timer applies live threads: neither change is lost (the timer used to swap
    in a copy made before the capture)."""
    retriever, kb, embedder = make_retriever(tmp_path)
    first, second = kb.entries[0], kb.entries[1]
    smaller = KnowledgeBase([first], flat_index(embedder.embed([first.question_text])))
    retriever.update(lambda _: smaller)
    started, release = threading.Event(), threading.Event()

    def slow_change(current: KnowledgeBase) -> KnowledgeBase:
        started.set()
        assert release.wait(10)
        return current.with_added([replace(second, id="slow")], embedder.embed([second.question_text]))

    slow = threading.Thread(target=retriever.update, args=(slow_change,))
    slow.start()
    assert started.wait(10)
    quick = threading.Thread(
        target=retriever.update,
        args=(lambda current: current.with_added([replace(second, id="quick")], embedder.embed(["quick"])),),
    )
    quick.start()
    quick.join(0.2)
    assert quick.is_alive()  # waits for the slow change instead of working on the snapshot before it
    release.set()
    slow.join(10)
    quick.join(10)
    assert {e.id for e in retriever.kb.entries} == {first.id, "slow", "quick"}


def test_empty_inputs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    retriever, _, embedder = make_retriever(tmp_path)
    assert retriever.retrieve("   ", Audience()) == []
    empty = KnowledgeBase([], flat_index(np.zeros((0, 256), dtype=np.float32)))
    assert HybridRetriever(empty, embedder, Calibrator.load()).retrieve("hub", Audience()) == []
    assert DenseRetriever(empty, embedder).retrieve("hub", Audience()) == []


def test_top_positive_matches_a_full_sort() -> None:
    from peerbot.knowledge.retriever import top_positive

    rng = np.random.default_rng(3)
    scores = np.where(rng.random(5000) < 0.3, rng.random(5000), 0.0).astype(np.float32)
    expected = np.argsort(-scores, kind="stable")[:30]
    assert top_positive(scores, 30).tolist() == expected.tolist()
    assert top_positive(np.zeros(10, dtype=np.float32), 5).tolist() == []
    assert top_positive(np.array([0.0, 2.0, 1.0], dtype=np.float32), 30).tolist() == [1, 2]
