"""Sources -> trusted entries -> embeddings -> a published index version."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from peerbot.errors import IndexProblem
from peerbot.indexer.publish import build_lock, publish
from peerbot.indexer.sources.base import Source, SourceProblem
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.ann import IndexLayout
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.index_files import LoadedIndex, read_current

log = logging.getLogger(__name__)

BATCH = 256
Progress = Callable[[int, int], None]  # (done, total)


class ShrinkRefused(IndexProblem):
    """A build would drop more than the allowed share of the serving version's entries (version: the serving one)."""

    def __init__(self, *, before: int, after: int, version: str, limit: float) -> None:
        self.before, self.after, self.limit = before, after, limit
        super().__init__(
            f"refusing to publish: this build has {after} entries, {before - after} fewer than the serving "
            f"version {version} ({before}), a drop of {(before - after) / before:.0%}, above "
            f"index.max_drop_share ({limit:.0%}). Check the sources (a renamed column, an empty export, a wrong "
            f"path?); version {version} keeps serving. To publish anyway: `peerbot index --force`",
            version=version,
        )


def check_shrink(previous: LoadedIndex | None, entries: int, max_drop_share: float | None) -> None:
    """Raise ShrinkRefused when the build loses more than max_drop_share of the previous entries."""
    if previous is None or max_drop_share is None or not previous.entries:
        return
    before = len(previous.entries)
    if before - entries > max_drop_share * before:
        raise ShrinkRefused(before=before, after=entries, version=previous.version, limit=max_drop_share)


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
    added: int = 0
    changed: int = 0
    removed: int = 0
    embedded: int = 0  # questions embedded anew; the rest reused their stored vectors


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


def text_key(entry: KnowledgeEntry) -> str:
    """What an embedding depends on: the question text (the model is checked separately)."""
    return hashlib.sha256(entry.question_text.encode("utf-8")).hexdigest()


def previous_index(index_dir: Path, embedder: Embedder) -> LoadedIndex | None:
    """The serving version when it is intact and built with this model; else None (a full build)."""
    try:
        return read_current(index_dir, model=embedder.name, dimension=embedder.dimension)
    except IndexProblem:
        return None


def embed_incrementally(
    entries: Sequence[KnowledgeEntry],
    previous: LoadedIndex | None,
    embedder: Embedder,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for entries, reusing the previous version's for unchanged question texts; and how many were new."""
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.vectors.ntotal:
        stored = previous.stored_vectors()
        known = {text_key(e): stored[i] for i, e in enumerate(previous.entries)}
    vectors = np.zeros((len(entries), embedder.dimension), dtype=np.float32)
    missing = []
    for i, entry in enumerate(entries):
        vector = known.get(text_key(entry))
        if vector is None:
            missing.append(i)
        else:
            vectors[i] = vector
    if missing:
        vectors[missing] = embed_entries([entries[i] for i in missing], embedder, progress)
    elif progress:
        progress(len(entries), len(entries))
    return vectors, len(missing)


def build_index(
    sources: Sequence[Source],
    policy: TrustPolicy,
    embedder: Embedder,
    index_dir: Path,
    *,
    keep: int = 3,
    progress: Progress | None = None,
    only_these_sources: bool = False,
    max_drop_share: float | None = None,
    layout: IndexLayout | None = None,
) -> BuildReport:
    """Build and publish a new index version; the previous one keeps serving until the switch.

    Unchanged questions reuse their stored embeddings. With only_these_sources, the previous version's
    entries from other sources are kept as they are (`peerbot index --source NAME`). layout: flat or IVF
    (config `[index] ivf_from`, `nprobe`). A build that drops
    more than max_drop_share of the serving version's entries is refused (ShrinkRefused); None: no limit.
    """
    started = time.perf_counter()
    with build_lock(index_dir):
        previous = previous_index(index_dir, embedder)
        collected = collect_entries(sources, policy)
        if only_these_sources and previous is not None:
            rebuilt = {s.name for s in sources}
            kept = [e for e in previous.entries if e.source not in rebuilt and policy.keeps(e)]
            collected.entries = kept + collected.entries
        check_shrink(previous, len(collected.entries), max_drop_share)
        vectors, embedded = embed_incrementally(collected.entries, previous, embedder, progress)
        version = publish(
            index_dir,
            collected.entries,
            vectors,
            model=embedder.name,
            keep=keep,
            layout=layout,
            extra={"sources": sorted({e.source for e in collected.entries}), "threads": collected.threads},
        )
    before = {e.id: e for e in previous.entries} if previous else {}
    after = {e.id: e for e in collected.entries}
    report = BuildReport(
        version=version,
        entries=len(collected.entries),
        threads=collected.threads,
        untrusted=collected.untrusted,
        duplicates=collected.duplicates,
        problems=tuple(collected.problems),
        seconds=time.perf_counter() - started,
        model=embedder.name,
        added=len(after.keys() - before.keys()),
        changed=sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
        removed=len(before.keys() - after.keys()),
        embedded=embedded,
    )
    log.info("index published", extra={"version": version, "entries": report.entries, "embedded": embedded})
    return report
