"""Lexical signals: BM25 over question text, rapidfuzz title similarity, word overlap."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import

_WORD = re.compile(r"[a-z0-9][a-z0-9'+.-]*[a-z0-9]|[a-z0-9]")


def content_words(text: str) -> list[str]:
    """Lower-cased words without stop words or possessive endings."""
    words = (w.removesuffix("'s") for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in ENGLISH_STOP_WORDS]


K1, B = 1.5, 0.75  # bm25s's defaults (method "lucene"), which Bm25Index uses
FILES = {  # bm25s's files, saved beside the other files of an index version (no subfolder)
    "data_name": "bm25.data.npy",
    "indices_name": "bm25.indices.npy",
    "indptr_name": "bm25.indptr.npy",
    "vocab_name": "bm25.vocab.json",
    "params_name": "bm25.params.json",
    "nnoc_name": "bm25.nnoc.npy",
}
EMPTY = "bm25.empty"


def _tokens(doc: str) -> list[str]:
    return content_words(doc) or ["\x00"]


class Bm25Index:
    """BM25 (bm25s) over a fixed list of documents; saved inside an index version and memory-mapped back."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._size = len(documents)
        self._bm25 = bm25s.BM25()
        tokens = [_tokens(doc) for doc in documents]
        self.avgdl = float(np.mean([len(t) for t in tokens])) if tokens else 1.0
        if tokens:
            self._bm25.index(tokens, show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int, avgdl: float) -> Bm25Index:
        """The index `save` wrote: score matrices memory-mapped, nothing tokenised again."""
        if size == 0:
            return cls([])
        self = cls.__new__(cls)
        self._size, self.avgdl = size, avgdl
        self._bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False, **FILES)
        return self

    def save(self, directory: Path) -> None:
        if self._size == 0:  # bm25s cannot save an empty index; nothing to load back either
            (directory / EMPTY).write_text("no documents\n", encoding="utf-8")
            return
        self._bm25.save(str(directory), show_progress=False, **FILES)

    def __len__(self) -> int:
        return self._size

    def scores(self, query: str) -> np.ndarray:
        words = content_words(query)
        if self._size == 0 or not words:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(words), dtype=np.float32)

    def doc_freq(self, word: str) -> int:
        """How many documents hold `word`."""
        token = self._bm25.vocab_dict.get(word) if self._size else None
        if token is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[token + 1] - indptr[token])


class SegmentBm25:
    """BM25 over a few added documents, scored with the statistics of the index they are added to.

    The document frequencies and average length are the main index's (plus these documents'), so an added
    entry scores about what it will score once the next build merges it into the main index."""

    def __init__(self, documents: Sequence[str], main: Bm25Index) -> None:
        self._docs = [Counter(_tokens(doc)) for doc in documents]
        self._lengths = np.asarray([sum(c.values()) for c in self._docs], dtype=np.float32)
        self._main = main

    def __len__(self) -> int:
        return len(self._docs)

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(len(self._docs), dtype=np.float32)
        words = content_words(query)
        if not self._docs or not words:
            return out
        total = len(self._main) + len(self._docs)
        avgdl = (self._main.avgdl * len(self._main) + float(self._lengths.sum())) / total
        norm = K1 * ((1 - B) + B * self._lengths / max(avgdl, 1e-9))
        for word in words:
            tf = np.asarray([doc.get(word, 0) for doc in self._docs], dtype=np.float32)
            if not tf.any():
                continue
            df = self._main.doc_freq(word) + int((tf > 0).sum())
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            out += idf * tf / (norm + tf)
        return out


def title_similarity(query: str, title: str) -> float:
    """0..1: how alike the question and a thread title are, order and extra words forgiven."""
    return fuzz.token_set_ratio(query.lower(), title.lower()) / 100.0


def word_overlap(query_words: set[str], text: str) -> tuple[float, list[str]]:
    """Share of the question's content words found in text, and which ones."""
    if not query_words:
        return 0.0, []
    shared = sorted(query_words & set(content_words(text)))
    return len(shared) / len(query_words), shared
