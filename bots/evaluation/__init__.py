"""`peerbot eval` and `peerbot calibrate` on a BEIR-style dataset (corpus, queries, qrels/<split>.tsv).

dataset: loading and the eval index; metrics: the arithmetic; bootstrap: intervals; scoring: per-query
results and their summary; candidates: SemEval's re-ranking protocol; run: the systems side by side.
"""

from peerbot.bots.evaluation.calibration import calibrate, calibration_rows
from peerbot.bots.evaluation.dataset import Dataset, dataset_warnings, index_corpus, load_dataset
from peerbot.bots.evaluation.metrics import K
from peerbot.bots.evaluation.run import DENSE_THRESHOLDS, EvalReport, evaluate, evaluate_candidates
from peerbot.bots.evaluation.scoring import PUBLIC, QueryResult, Scores, SystemScores, ask_all, score, summarise

__all__ = [
    "DENSE_THRESHOLDS",
    "PUBLIC",
    "Dataset",
    "EvalReport",
    "K",
    "QueryResult",
    "Scores",
    "SystemScores",
    "ask_all",
    "calibrate",
    "calibration_rows",
    "dataset_warnings",
    "evaluate",
    "evaluate_candidates",
    "index_corpus",
    "load_dataset",
    "score",
    "summarise",
]
