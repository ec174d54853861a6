"""The benchmark runs end to end on a tiny dataset and a tiny index with the hashing embedder.

Only the shape of what it reports is checked, never a timing or a score.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import main
from benchmarks.report import MEMORY_COLUMNS, QUALITY_COLUMNS, SPEED_COLUMNS, STAGE_COLUMNS
from tests.factories import write_beir

TOPICS = [
    ("visa renewal office hours", "when is the immigration office open for renewing a visa"),
    ("second hand car market", "where do people buy used cars cheaply"),
    ("fish restaurant near the corniche", "good seafood place by the sea front"),
    ("internet keeps dropping", "my home broadband disconnects every evening"),
    ("driving licence documents", "papers needed to get a local driving licence"),
    ("school fees for expats", "how much do international schools charge per year"),
    ("renting an apartment", "what deposit does a landlord ask for a flat"),
    ("bringing a pet cat", "rules for importing a cat into the country"),
]


def _dataset(root: Path) -> Path:
    corpus = [
        {
            "_id": f"t{i}",
            "title": title,
            "text": body,
            "metadata": {
                "answers": [{"id": f"t{i}-a", "author": "Ann", "text": f"answer about {title}", "label": "Good"}]
            },
        }
        for i, (title, body) in enumerate(TOPICS)
    ]
    queries: list[dict[str, Any]] = []
    qrels: dict[str, list[tuple[str, str, int]]] = {"train": [], "dev": []}
    for i, (title, body) in enumerate(TOPICS):
        split = "train" if i % 2 == 0 else "dev"
        queries.append({"_id": f"q{i}", "text": f"{title} {body}", "metadata": {"split": split}})
        qrels[split].append((f"q{i}", f"t{i}", 2))
    for n, split in enumerate(("train", "train", "dev", "dev")):
        queries.append(
            {
                "_id": f"none{n}",
                "text": f"cooking pasta for {n} people in my apartment, which car park",
                "metadata": {"split": split},
            }
        )
    return write_beir(root / "tiny", corpus, queries, qrels)


def test_benchmark_reports_every_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _dataset(tmp_path)
    out = tmp_path / "results"
    args = ["--data", str(data), "--model", "hashing-64", "--sizes", "200", "--latency-queries", "5", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out

    result = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    systems = [s["system"] for s in result["quality"]["systems"]]
    assert len(systems) == 7 and "BM25 + dense fusion (0.4/0.6 min-max)" in systems and systems[0].startswith("peerbot")
    for system in result["quality"]["systems"]:
        assert {key for _, key in QUALITY_COLUMNS} <= system.keys()
        assert set(system["precision_at_coverage"]) == {f"{c / 10:.1f}" for c in range(1, 11)}
    (row,) = result["speed"]["sizes"]
    assert row["size"] == 200 and {"build", "peerbot", "naive"} <= row.keys()
    for pipeline in ("peerbot", "naive"):
        assert {"p50_ms", "p99_ms"} <= row[pipeline]["latency"]["best_of_passes"].keys()
        assert row[pipeline]["memory"]["served"]["peak_rss_mb"] > 0
    assert row["peerbot"]["incremental"]["adds"] == 3
    assert row["peerbot"]["cold_start_s"] > 0
    assert {r["nprobe"] for r in result["speed"]["recall"]["rows"]} >= {8, 128}
    assert len(result["speed"]["build"]["pipelines"]) == 3  # naive, peerbot full, peerbot again
    assert len(result["targets"]) == 11
    assert {t["status"] for t in result["targets"]} <= {"met", "MISSED", "not measured"}

    for header in (
        "system",
        *(h for h, _ in QUALITY_COLUMNS),
        *SPEED_COLUMNS,
        *MEMORY_COLUMNS,
        *STAGE_COLUMNS,
        "Targets (issue 15)",
    ):
        assert header in printed
    speed_lines = [line for line in printed.splitlines() if line.startswith("| 200 ")]
    assert len(speed_lines) == 2 + 1 + 1 + 1  # latency (2 pipelines), memory and steps (peerbot), build


def test_saved_run_prints_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps({"notes": ["a note"], "speed": {"sizes": []}}), encoding="utf-8")
    assert main(["--report", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert "Targets (issue 15)" in printed and "a note" in printed
