"""Synthetic knowledge entries for the large sizes: real-looking words, random unit vectors.

Words are drawn from the unigram distribution of a real corpus (the Qatar Living threads when present), so BM25
posting lists have realistic lengths for real queries; lengths follow that corpus (title 8 words, body 32,
answer 30: about 200 characters of question text and 180 of answer).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from peerbot.knowledge.entries import KnowledgeEntry

TITLE_WORDS, BODY_WORDS, ANSWER_WORDS = 8, 32, 30
_WORD = re.compile(r"[a-z0-9']+")
CHUNK = 50_000


class Vocabulary:
    """Words and their probabilities."""

    def __init__(self, counts: Counter[str]) -> None:
        if not counts:
            raise ValueError("a vocabulary needs at least one word")
        self.words = np.array(list(counts))
        weights = np.array(list(counts.values()), dtype=np.float64)
        self.probabilities = weights / weights.sum()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(_WORD.findall(text.lower()))
        return cls(counts)

    @classmethod
    def from_beir(cls, corpus: Path) -> Vocabulary:
        """Every word of a BEIR corpus.jsonl: thread titles, bodies and answers."""

        def texts() -> Iterable[str]:
            with corpus.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        record = json.loads(line)
                        yield f"{record.get('title', '')} {record.get('text', '')}"
                        for answer in (record.get("metadata") or {}).get("answers", []):
                            yield str(answer.get("text", ""))

        return cls.from_texts(texts())


def entries(vocabulary: Vocabulary, count: int, seed: int = 0) -> list[KnowledgeEntry]:
    """`count` public entries with synthetic text; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    per = TITLE_WORDS + BODY_WORDS + ANSWER_WORDS
    out: list[KnowledgeEntry] = []
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        picks = vocabulary.words[rng.choice(len(vocabulary.words), size=(n, per), p=vocabulary.probabilities)]
        for offset, row in enumerate(picks.tolist()):
            i = start + offset
            out.append(
                KnowledgeEntry(
                    id=f"syn-{i}",
                    title=" ".join(row[:TITLE_WORDS]),
                    body=" ".join(row[TITLE_WORDS : TITLE_WORDS + BODY_WORDS]),
                    answer=" ".join(row[TITLE_WORDS + BODY_WORDS :]),
                    author=f"member {i % 5000}",
                    author_id=f"u{i % 5000}",
                    thread_id=f"syn-{i}",
                    source="synthetic",
                    url=f"https://community.example.invalid/t/{i}",
                    channel="general",
                    trust=0.75,
                    trust_reasons=("labelled good",),
                    date="2025-01-01T00:00:00Z",
                )
            )
    return out


def unit_vectors(count: int, dimension: int, seed: int = 0) -> np.ndarray:
    """Random L2-normalised float32 rows (no cluster structure: fine for timing, not for recall)."""
    rng = np.random.default_rng(seed + 1)
    out = np.empty((count, dimension), dtype=np.float32)
    for start in range(0, count, CHUNK):
        block = rng.standard_normal((min(CHUNK, count - start), dimension), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out
