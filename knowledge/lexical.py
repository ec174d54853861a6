"""Lexical signals: BM25 over question text, rapidfuzz title similarity, word overlap."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

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


class Bm25Index:
    """BM25 (bm25s) over a fixed list of documents."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._size = len(documents)
        self._bm25 = bm25s.BM25()
        tokens = [content_words(doc) or ["\x00"] for doc in documents]
        if tokens:
            self._bm25.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        words = content_words(query)
        if self._size == 0 or not words:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(words), dtype=np.float32)


def title_similarity(query: str, title: str) -> float:
    """0..1: how alike the question and a thread title are, order and extra words forgiven."""
    return fuzz.token_set_ratio(query.lower(), title.lower()) / 100.0


def word_overlap(query_words: set[str], text: str) -> tuple[float, list[str]]:
    """Share of the question's content words found in text, and which ones."""
    if not query_words:
        return 0.0, []
    shared = sorted(query_words & set(content_words(text)))
    return len(shared) / len(query_words), shared
