"""The IVF + 8-bit layout finds what the exact flat index finds, on real embeddings of real texts.

Random vectors have no clusters, so this uses the real model over the development sets' texts (thread
questions and answers) and asks their real questions. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.recall import cached_embeddings, corpus_texts, query_texts, recall_at_k
from peerbot.indexer.publish import publish
from peerbot.knowledge.ann import IVF_SQ8, IndexLayout
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import load_embedder
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.index_files import read_current

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "qatarliving-train"
TEXTS = 3_000

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def real() -> tuple[list[str], np.ndarray, np.ndarray]:
    if not (DATA / "corpus.jsonl").exists():
        pytest.skip(f"needs the development set at {DATA} (real texts for real embeddings)")
    embedder = load_embedder("all-MiniLM-L6-v2")
    texts = corpus_texts([DATA], limit=TEXTS)
    return texts, cached_embeddings(embedder, texts), cached_embeddings(embedder, query_texts([DATA]))


def test_recall_at_30_of_the_default_layout_is_at_least_098_of_flat(
    real: tuple[list[str], np.ndarray, np.ndarray],
) -> None:
    _, vectors, queries = real
    """At this size the default nprobe (64) probes all of the 54 lists, so this checks the 8-bit codes and the
    IVF plumbing; recall with fewer probes than lists (a million entries' regime) is what the benchmark's
    curve reports, and it is not yet 0.98 there."""
    measured = recall_at_k(vectors, queries, IndexLayout())
    assert measured.entries == TEXTS and measured.queries >= 100 and measured.nprobe == min(64, measured.lists)
    assert measured.recall >= 0.98, measured


def test_a_published_ivf_version_serves_the_same_top_answers(
    real: tuple[list[str], np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """Through the real build and load: the version is IVF, and the entries it returns are the flat top ones."""
    texts, vectors, queries = real
    entries = [
        KnowledgeEntry(f"e{i}", text[:60], text, "answer", "a", "a", f"t{i}", "real") for i, text in enumerate(texts)
    ]
    publish(tmp_path, entries, vectors, model="all-MiniLM-L6-v2", layout=IndexLayout(ivf_from=1_000))
    kb = KnowledgeBase.from_loaded(read_current(tmp_path, model="all-MiniLM-L6-v2", dimension=vectors.shape[1]))
    assert kb.manifest["search"]["kind"] == IVF_SQ8
    exact = np.argsort(-(vectors @ queries.T), axis=0)[:10].T
    found = [kb.dense(q, 10, Audience())[0] for q in queries]
    top1 = np.mean([f[0] == e[0] for f, e in zip(found, exact, strict=True)])
    assert top1 >= 0.98
