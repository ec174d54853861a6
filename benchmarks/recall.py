"""Recall of the IVF + 8-bit index against the exact flat one, on real embeddings of real texts.

Random vectors have no clusters, so an IVF index's recall on them says nothing; this embeds the texts of the
development sets (thread questions and their answers) with the real model and asks their real questions.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from peerbot.knowledge.ann import IndexLayout, build_search_index, flat_index, ivf_lists, search
from peerbot.knowledge.embedder import Embedder

K = 30  # the retriever's dense candidates
TEXT_CHARS = 300  # texts are cut here: the recall of the layout, not of long inputs, is measured
CACHE = Path(tempfile.gettempdir()) / "peerbot-bench-embeddings"  # real embeddings, by model and texts


def corpus_texts(data_dirs: Sequence[Path], limit: int | None = None) -> list[str]:
    """Thread questions and every answer text of BEIR-style corpora, in file order."""
    texts: list[str] = []
    for folder in data_dirs:
        with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                texts.append(f"{record.get('title', '')}\n{record.get('text', '')}".strip()[:TEXT_CHARS])
                answers = (record.get("metadata") or {}).get("answers") or []
                texts.extend(str(a.get("text", ""))[:TEXT_CHARS] for a in answers if str(a.get("text", "")).strip())
    return texts[:limit] if limit is not None else texts


def query_texts(data_dirs: Sequence[Path]) -> list[str]:
    out: list[str] = []
    for folder in data_dirs:
        with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
            out.extend(str(json.loads(line)["text"])[:TEXT_CHARS] for line in handle if line.strip())
    return out


@dataclass(frozen=True)
class Recall:
    entries: int
    queries: int
    lists: int
    nprobe: int
    recall: float  # mean share of the flat index's top K that the IVF index returns


def recall_at_k(
    vectors: np.ndarray, queries: np.ndarray, layout: IndexLayout, k: int = K, lists: int | None = None
) -> Recall:
    """The layout's index (IVF forced on whatever the size) against FlatIP, top k of each query.

    lists: the k-means lists to use instead of the count for this many vectors; recall at a given nprobe
    depends mostly on the number of lists, so 1024 lists here approximate a million-entry index."""
    index, description = build_search_index(vectors, IndexLayout(ivf_from=1, nprobe=layout.nprobe), lists)
    _, exact = flat_index(vectors).search(np.ascontiguousarray(queries, dtype=np.float32), k)
    _, found = search(index, queries, k)
    shares = [len(set(a.tolist()) & set(b.tolist())) / k for a, b in zip(exact, found, strict=True)]
    return Recall(
        len(vectors),
        len(queries),
        int(description.get("lists", ivf_lists(len(vectors)))),
        int(description.get("nprobe", layout.nprobe)),
        round(float(np.mean(shares)), 4),
    )


def recall_curve(
    embedder: Embedder,
    data_dirs: Sequence[Path],
    nprobes: Sequence[int],
    limit: int | None = None,
    lists: Sequence[int | None] = (None, ivf_lists(1_000_000)),
) -> list[Recall]:
    """Recall@K of the IVF layout for each list count and nprobe, on the real corpora's embeddings."""
    vectors = cached_embeddings(embedder, corpus_texts(data_dirs, limit))
    queries = cached_embeddings(embedder, query_texts(data_dirs))
    return [
        recall_at_k(vectors, queries, IndexLayout(nprobe=n), lists=count)
        for count in lists
        if count is None or count * 2 <= len(vectors)
        for n in nprobes
    ]


def cached_embeddings(embedder: Embedder, texts: Sequence[str], cache: Path = CACHE) -> np.ndarray:
    """The embeddings of texts, kept in `cache` by model and texts: embedding thousands of real texts takes
    minutes on a small machine, and a rerun measures the same vectors."""
    digest = hashlib.sha256("\x00".join([embedder.name, *texts]).encode("utf-8")).hexdigest()[:20]
    path = cache / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(list(texts))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors
