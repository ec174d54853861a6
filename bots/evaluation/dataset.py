"""A BEIR-style labelled dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) and its eval index.

Queries of the split with no qrels are the ones that should be escalated.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from peerbot.errors import SourceError
from peerbot.indexer.build import Progress, build_index
from peerbot.indexer.sources.beir import BeirThreadSource
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.index_files import read_current


@dataclass(frozen=True)
class Dataset:
    name: str
    split: str
    queries: dict[str, str]  # id -> text, this split only
    qrels: dict[str, dict[str, int]]  # query id -> {thread id: grade}
    corpus: Path
    missing_queries: tuple[str, ...] = field(default=())  # judged in qrels, absent from queries.jsonl

    @property
    def answerable(self) -> list[str]:
        return [q for q in self.queries if self.qrels.get(q)]

    @property
    def unanswerable(self) -> list[str]:
        return [q for q in self.queries if not self.qrels.get(q)]


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            grade = int(row["score"])
            if grade > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = grade
    return qrels


def load_dataset(directory: Path, split: str) -> Dataset:
    directory = Path(directory)
    qrels_path = directory / "qrels" / f"{split}.tsv"
    for needed in (directory / "corpus.jsonl", directory / "queries.jsonl", qrels_path):
        if not needed.exists():
            raise SourceError(f"{directory} is not a BEIR-style dataset for split {split!r}: {needed} is missing")
    qrels = _read_qrels(qrels_path)
    queries: dict[str, str] = {}
    with (directory / "queries.jsonl").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{directory / 'queries.jsonl'}:line {number}: not valid JSON ({exc.msg})") from exc
            record_split = (record.get("metadata") or {}).get("split")
            if record_split == split or (record_split is None and record["_id"] in qrels):
                queries[record["_id"]] = record["text"]
    if not queries:
        raise SourceError(f"{directory / 'queries.jsonl'} has no queries of split {split!r}")
    missing = tuple(sorted(q for q in qrels if q not in queries))
    return Dataset(directory.name, split, queries, qrels, directory / "corpus.jsonl", missing)


def dataset_warnings(dataset: Dataset, kb: KnowledgeBase) -> list[str]:
    """What makes a score misleading, said out loud instead of printed as zeros."""
    warnings = []
    if dataset.missing_queries:
        shown = ", ".join(dataset.missing_queries[:5]) + (" ..." if len(dataset.missing_queries) > 5 else "")
        warnings.append(
            f"{len(dataset.missing_queries)} queries judged in qrels/{dataset.split}.tsv are missing from "
            f"queries.jsonl (not scored): {shown}"
        )
    if not len(kb):
        warnings.append(f"nothing was indexed from {dataset.corpus}: no thread has a trusted reply; every score is 0")
    if not dataset.answerable:
        warnings.append(
            f"none of the {len(dataset.queries)} queries of split {dataset.split!r} has a relevance judgement: "
            "ranking scores are undefined and every query counts as one that should be escalated"
        )
    elif len(kb):
        indexed = {e.thread_id for e in kb.entries}
        unreachable = [q for q in dataset.answerable if not set(dataset.qrels[q]) & indexed]
        if unreachable:
            warnings.append(
                f"{len(unreachable)} answerable queries have no judged thread in the index (no trusted reply): "
                "they can only be missed"
            )
    return warnings


def index_corpus(
    dataset: Dataset, embedder: Embedder, workdir: Path, progress: Progress | None = None
) -> KnowledgeBase:
    """Index the dataset's threads into a versioned index in workdir, the same way `peerbot index` does."""
    build_index(
        [BeirThreadSource(dataset.corpus, name="eval")],
        TrustPolicy(),
        embedder,
        workdir,
        progress=progress,
    )
    return KnowledgeBase.from_loaded(read_current(workdir, model=embedder.name, dimension=embedder.dimension))
