"""SemEval-2016 Task 3 subtask B's own protocol: each query re-ranks its 10 given candidate threads.

A query's candidates are the corpus threads whose id (or an alias id of a merged thread) starts with the
query id and "_" (`Q268_R10` is candidate R10 of `Q268`), in the search engine's order R1, R2, ...
Unlisted candidates in qrels are irrelevant. Scored with the official MAP (see metrics.semeval_average_precision).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from peerbot.bots.evaluation.bootstrap import Interval, bootstrap, paired_difference
from peerbot.bots.evaluation.dataset import Dataset
from peerbot.bots.evaluation.metrics import mean_average_precision, semeval_average_precision

_CANDIDATE = re.compile(r"^(?P<query>.+)_R(?P<rank>\d+)$")
Ranker = Callable[[str, list[str]], list[str]]  # (query text, candidate thread ids) -> re-ranked ids


def candidate_lists(corpus: Path, query_ids: Sequence[str]) -> dict[str, list[str]]:
    """query id -> its candidate thread ids (the kept id of merged threads), in the given R order."""
    wanted = set(query_ids)
    found: dict[str, list[tuple[int, str]]] = {q: [] for q in query_ids}
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            thread = str(record["_id"])
            for alias in [thread, *((record.get("metadata") or {}).get("alias_ids") or [])]:
                match = _CANDIDATE.match(str(alias))
                if match and match["query"] in wanted:
                    found[match["query"]].append((int(match["rank"]), thread))
    return {q: list(dict.fromkeys(t for _, t in sorted(pairs))) for q, pairs in found.items()}


@dataclass(frozen=True)
class CandidateScores:
    system: str
    map: Interval
    counted: int  # queries with a relevant candidate (the official scorer leaves the others out)
    per_query: dict[str, float | None]


def score_candidates(
    system: str, dataset: Dataset, lists: dict[str, list[str]], ranker: Ranker, rounds: int = 1000
) -> CandidateScores:
    per_query: dict[str, float | None] = {}
    for qid, candidates in lists.items():
        if not candidates:
            continue
        ranked = ranker(dataset.queries[qid], candidates)
        per_query[qid] = semeval_average_precision(ranked, dataset.qrels.get(qid, {}))
    counted = [ap for ap in per_query.values() if ap is not None]
    interval = bootstrap(counted, lambda aps: mean_average_precision(list(aps)), rounds)
    return CandidateScores(system, interval, len(counted), per_query)


def paired_map_difference(first: CandidateScores, second: CandidateScores) -> Interval:
    """first - second in MAP over the queries both count, with a paired bootstrap interval."""
    shared = [q for q, ap in first.per_query.items() if ap is not None and second.per_query.get(q) is not None]
    return paired_difference([first.per_query[q] or 0.0 for q in shared], [second.per_query[q] or 0.0 for q in shared])


def search_engine_order(_text: str, candidates: list[str]) -> list[str]:
    """The organisers' IR baseline: the candidates in the search engine's order."""
    return list(candidates)
