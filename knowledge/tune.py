"""Adapt the embedder to a community without labels: its own threads' titles paired with their bodies and answers.

Contrastive fine-tuning (in-batch negatives, sentence-transformers' MultipleNegativesRankingLoss) on the CPU, with a
plain torch loop so nothing beyond sentence-transformers is needed. Bounded by a number of steps and minutes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from peerbot.errors import PeerbotError
from peerbot.knowledge.entries import KnowledgeEntry

MAX_CHARS = 1000  # of a body or answer: the model reads about 128 tokens of it anyway
MAX_SEQ_LENGTH = 128


@dataclass(frozen=True)
class TuneResult:
    folder: Path
    pairs: int
    steps: int
    seconds: float
    last_loss: float


def training_pairs(entries: Sequence[KnowledgeEntry]) -> list[tuple[str, str]]:
    """(title, body) and (title, answer) of every thread that has a title: no labels needed."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for entry in entries:
        title = entry.title.strip()
        if not title or entry.thread_id in seen:
            continue
        seen.add(entry.thread_id)
        for text in (entry.body, entry.answer):
            text = text.strip()[:MAX_CHARS]
            if text and text != title:
                pairs.append((title, text))
    return pairs


def tune(
    model_location: str,
    pairs: Sequence[tuple[str, str]],
    out: Path,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 2e-5,
    max_minutes: float = 10.0,
    seed: int = 0,
    progress: Callable[[int, int, float], None] | None = None,
) -> TuneResult:
    """Fine-tune the model at model_location on pairs and save it to out (a sentence-transformers folder)."""
    if batch_size < 2:
        raise ValueError(
            f"batch_size must be at least 2 (the other pairs of a batch are the negatives), got {batch_size}"
        )
    if len(pairs) < batch_size:
        raise PeerbotError(
            f"tuning needs at least {batch_size} title/text pairs (threads with a title and a body or trusted "
            f"answer), the index gives {len(pairs)}"
        )
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    torch.manual_seed(seed)
    model = SentenceTransformer(model_location, device="cpu")
    serving_length = model.max_seq_length
    model.max_seq_length = min(serving_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
    loss_fn = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    order = list(pairs)
    total = epochs * (len(order) // batch_size)
    started, step, last = time.monotonic(), 0, float("nan")
    model.train()
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            if time.monotonic() - started > max_minutes * 60:
                break
            batch = order[start : start + batch_size]
            features = [model.tokenize([a for a, _ in batch]), model.tokenize([p for _, p in batch])]
            loss = loss_fn(features, torch.zeros(0))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step, last = step + 1, float(loss.item())
            if progress:
                progress(step, total, last)
    model.eval()
    model.max_seq_length = serving_length
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return TuneResult(out, len(order), step, time.monotonic() - started, last)
