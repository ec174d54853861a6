"""Sources -> trusted entries -> embeddings -> a published index version."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.publish import build_lock, publish
from indexer.sources.base import Source, SourceProblem
from indexer.trust import TrustPolicy
from knowledge.embedder import Embedder
from knowledge.entries import KnowledgeEntry

log = logging.getLogger(__name__)

BATCH = 256
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Collected:
    entries: list[KnowledgeEntry] = field(default_factory=list)
    threads: int = 0
    untrusted: int = 0
    duplicates: int = 0
    problems: list[SourceProblem] = field(default_factory=list)


@dataclass(frozen=True)
class BuildReport:
    version: str
    entries: int
    threads: int
    untrusted: int
    duplicates: int
    problems: tuple[SourceProblem, ...]
    seconds: float
    model: str


def collect_entries(sources: Sequence[Source], policy: TrustPolicy) -> Collected:
    """Read every source; keep each thread's best trusted reply; report unreadable records."""
    out = Collected()
    seen: dict[str, int] = {}
    for source in sources:
        for thread in source.threads():
            out.threads += 1
            entry = policy.entry_for(thread, source.name)
            if entry is None:
                out.untrusted += 1
                continue
            if entry.id in seen:
                out.duplicates += 1
                out.entries[seen[entry.id]] = entry
                continue
            seen[entry.id] = len(out.entries)
            out.entries.append(entry)
        out.problems.extend(source.problems)
    return out


def embed_entries(
    entries: Sequence[KnowledgeEntry], embedder: Embedder, progress: Progress | None = None
) -> np.ndarray:
    """Embed question texts in batches, reporting progress after each batch."""
    parts = []
    for start in range(0, len(entries), BATCH):
        batch = entries[start : start + BATCH]
        parts.append(embedder.embed([e.question_text for e in batch]))
        if progress:
            progress(min(start + BATCH, len(entries)), len(entries))
    if not parts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack(parts)


def build_index(
    sources: Sequence[Source],
    policy: TrustPolicy,
    embedder: Embedder,
    index_dir: Path,
    *,
    keep: int = 3,
    progress: Progress | None = None,
) -> BuildReport:
    """Build and publish a new index version; the previous one keeps serving until the switch."""
    started = time.perf_counter()
    with build_lock(index_dir):
        collected = collect_entries(sources, policy)
        vectors = embed_entries(collected.entries, embedder, progress)
        version = publish(
            index_dir,
            collected.entries,
            vectors,
            model=embedder.name,
            keep=keep,
            extra={"sources": [s.name for s in sources], "threads": collected.threads},
        )
    report = BuildReport(
        version=version,
        entries=len(collected.entries),
        threads=collected.threads,
        untrusted=collected.untrusted,
        duplicates=collected.duplicates,
        problems=tuple(collected.problems),
        seconds=time.perf_counter() - started,
        model=embedder.name,
    )
    log.info("index published", extra={"version": version, "entries": report.entries})
    return report
