"""Self-calibration: a community whose questions have near-copies gets a stricter gate, with no labels."""

import random

import numpy as np
import pytest

from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.calibrator import Calibrator
from peerbot.knowledge.embedder import HashingEmbedder
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.retriever import HybridRetriever
from peerbot.knowledge.selfcal import self_calibrate

WORDS = [f"word{i}" for i in range(400)]


def community(titles: list[str]) -> HybridRetriever:
    embedder = HashingEmbedder(256)
    entries = [
        KnowledgeEntry(
            id=f"e{i}",
            title=t,
            body="",
            answer="an answer",
            author="a",
            author_id="a",
            thread_id=f"t{i}",
            source="s",
            trust=0.75,
        )
        for i, t in enumerate(titles)
    ]
    kb = KnowledgeBase(entries, flat_index(embedder.embed([e.question_text for e in entries])))
    return HybridRetriever(kb, embedder, Calibrator.load())


def test_near_copies_raise_the_threshold() -> None:
    rng = random.Random(3)
    distinct = [" ".join(rng.sample(WORDS, 6)) for _ in range(40)]
    topics = [" ".join(rng.sample(WORDS, 6)) for _ in range(20)]
    copies = [t for t in topics for _ in range(2)]  # every question asked twice in the community
    plain = self_calibrate(community(distinct), sample=40)
    doubled = self_calibrate(community(copies), sample=40)
    assert plain.pseudo_questions == doubled.pseudo_questions == 40
    assert doubled.threshold > plain.threshold
    assert doubled.null_median > 0.5 > plain.null_median


def test_left_out_thread_is_never_a_candidate() -> None:
    retriever = community(["reset the bulb", "reset the hub", "pair the remote"] * 7)
    positions, _ = retriever.candidate_features("reset the bulb", Audience(), exclude=frozenset({0, 3}))
    assert positions and not {0, 3} & set(positions)


def test_too_small_or_bad_rate_refused() -> None:
    with pytest.raises(ValueError, match="at least 20 indexed threads"):
        self_calibrate(community(["a b", "c d"]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        self_calibrate(community(["a b"]), false_answer_rate=1.5)
    assert np.isfinite(self_calibrate(community([" ".join(WORDS[i : i + 5]) for i in range(0, 150, 5)])).threshold)
