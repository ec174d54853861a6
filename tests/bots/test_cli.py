"""The `peerbot` command as a user runs it (subprocess, hashing embedder for speed)."""

import json
from pathlib import Path

from peerbot.knowledge.index_files import VERSIONS, current_version
from tests.factories import CLI_CONFIG as CONFIG
from tests.factories import SMALL_COMMUNITY, reply, thread, write_beir, write_jsonl


def setup(tmp_path: Path, records: list[object] | None = None) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    write_jsonl(tmp_path / "community.jsonl", records if records is not None else SMALL_COMMUNITY)  # type: ignore[arg-type]


def test_index_reports_bad_lines_and_indexes_the_rest(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path, [*SMALL_COMMUNITY[:2], '{"id": "broken"', *SMALL_COMMUNITY[2:]])
    result = peerbot("index")
    assert result.returncode == 0, result.stderr
    assert "4 trusted entries from 6 threads" in result.stderr
    assert "community.jsonl:line 3: not valid JSON" in result.stderr
    assert current_version(tmp_path / "index") is not None


def test_ask_answers_with_credit_or_escalates(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    answer = peerbot("ask", "how do I factory reset a bulb that stopped responding")
    assert answer.returncode == 0, answer.stderr
    assert "Power-cycle the bulb five times" in answer.stdout and "12 kudos" in answer.stdout
    escalate = peerbot("ask", "--json", "sourdough pizza recipe with a long cold ferment")
    data = json.loads(escalate.stdout)
    assert data["outcome"] == "escalate" and data["escalation_id"] == 1
    assert all("cosine" in " ".join(m["reasons"]) for m in data["matches"])
    empty = peerbot("ask", "")
    assert empty.returncode == 0 and "didn't catch a question" in empty.stdout


def test_chat_reads_piped_stdin(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    result = peerbot("chat", stdin="how do I factory reset a bulb\nwhy does my bulb hum when dimmed?\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("peerbot> ") == 2
    assert "Power-cycle" in result.stdout and "escalation #1" in result.stdout


def test_run_without_tokens_uses_the_console(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    result = peerbot("run", stdin="how do I factory reset a bulb\n")
    assert result.returncode == 0, result.stderr
    assert (
        "No SLACK_BOT_TOKEN or DISCORD_TOKEN" in result.stderr
        and "running on console" in result.stderr
        and "Power-cycle" in result.stdout
    )


def test_bad_config_is_named(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG + "\n[answer]\nanswer_threshold = 'high'\n")
    result = peerbot("ask", "hello")
    assert result.returncode == 2
    assert "answer.answer_threshold: expected a number, got 'high'" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_index_clear_error_or_previous_version_serves(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    assert peerbot("index").returncode == 0
    first = current_version(tmp_path / "index")
    (tmp_path / "index" / VERSIONS / str(first) / "vectors.faiss").write_bytes(b"\x00" * 64)
    broken = peerbot("ask", "reset a bulb")
    assert broken.returncode == 2 and "is corrupt" in broken.stderr and "peerbot index" in broken.stderr
    assert "Traceback" not in broken.stderr

    assert peerbot("index").returncode == 0  # a rebuild mends it
    good = current_version(tmp_path / "index")
    assert "Power-cycle" in peerbot("ask", "how do I factory reset a bulb").stdout
    extra = thread("new", "brand new thread", "", [reply("new answer", accepted=True)])
    write_jsonl(tmp_path / "community.jsonl", [*SMALL_COMMUNITY, extra])
    assert peerbot("index").returncode == 0
    newest = current_version(tmp_path / "index")
    (tmp_path / "index" / VERSIONS / str(newest) / "entries.jsonl").write_text("{}")
    served = peerbot("ask", "how do I factory reset a bulb")
    assert served.returncode == 0 and "Power-cycle" in served.stdout
    assert f"serving the previous version {good}" in served.stderr


def test_model_mismatch_refused(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    assert peerbot("index").returncode == 0
    (tmp_path / "config.toml").write_text(CONFIG.replace("hashing-256", "hashing-128"))
    result = peerbot("ask", "reset a bulb")
    assert result.returncode == 2
    assert "built with model 'hashing-256' (dimension 256), but [index].model is 'hashing-128'" in result.stderr


def test_eval_prints_table_and_json(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    corpus = [
        {
            "_id": f"d{i}",
            "title": title,
            "text": "",
            "metadata": {"answers": [{"id": f"d{i}c", "author": "x", "text": "ok", "label": "Good"}]},
        }
        for i, title in enumerate(["reset a bulb", "hub offline wifi", "refund a dimmer", "matter pairing code"])
    ]
    queries = [
        {"_id": "q1", "text": "how to reset my bulb", "metadata": {"split": "dev"}},
        {"_id": "q2", "text": "wifi hub offline again", "metadata": {"split": "dev"}},
        {"_id": "q3", "text": "visa rules for japan", "metadata": {"split": "dev"}},
    ]
    data = write_beir(tmp_path / "ds", corpus, queries, {"dev": [("q1", "d0", 2), ("q2", "d1", 1)]})
    table = peerbot("eval", str(data), "--split", "dev")
    assert table.returncode == 0, table.stderr
    assert "MRR@10" in table.stdout and "dense only" in table.stdout and "peerbot" in table.stdout
    result = json.loads(peerbot("eval", str(data), "--split", "dev", "--json").stdout)
    assert result["sizes"] == {"entries": 4, "queries": 3, "answerable": 2, "unanswerable": 1}
    assert [s["system"] for s in result["systems"]] == [
        "peerbot (hybrid + calibrated gate)",
        "dense only (cosine)",
        "BM25 only",
        "BM25 + dense fusion (0.4/0.6 min-max)",
    ]
    ours = result["systems"][0]
    low, high = ours["intervals"]["mrr10"]["low"], ours["intervals"]["mrr10"]["high"]
    assert low <= ours["mrr10"] <= high
    assert "MRR@10 peerbot - BM25 + dense fusion (0.4/0.6 min-max)" in result["differences"]


def test_eval_per_query_file_threshold_override_and_warnings(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    corpus = [
        {
            "_id": "q1_R1",
            "title": "reset a bulb",
            "text": "",
            "metadata": {"answers": [{"id": "c1", "author": "x", "text": "hold the switch", "label": "Good"}]},
        },
        {
            "_id": "q1_R2",
            "title": "hub offline wifi",
            "text": "",
            "metadata": {"answers": [{"id": "c2", "author": "x", "text": "restart it", "label": "Good"}]},
        },
    ]
    queries = [
        {"_id": "q1", "text": "how to reset my bulb", "metadata": {"split": "dev"}},
        {"_id": "q2", "text": "visa rules for japan", "metadata": {"split": "dev"}},
    ]
    data = write_beir(tmp_path / "ds", corpus, queries, {"dev": [("q1", "q1_R1", 2), ("q7", "q1_R2", 1)]})
    result = peerbot("eval", str(data), "--threshold", "0", "--per-query", "pq.jsonl", "--json")
    assert result.returncode == 0, result.stderr
    assert "1 queries judged in qrels/dev.tsv are missing from queries.jsonl (not scored): q7" in result.stderr
    ours = json.loads(result.stdout)["systems"][0]
    assert ours["unanswerable_escalated"] == 0.0  # threshold 0: everything with a match is answered
    rows = [json.loads(line) for line in (tmp_path / "pq.jsonl").read_text().splitlines()]
    first = next(r for r in rows if r["system"].startswith("peerbot") and r["query"] == "q1")
    assert first["outcome"] == "answer" and first["relevant"] == ["q1_R1"]
    assert first["matches"][0]["thread"] == "q1_R1" and 0 <= first["matches"][0]["confidence"] <= 1
    candidates = peerbot("eval", str(data), "--protocol", "candidates", "--json")
    assert candidates.returncode == 0, candidates.stderr
    maps = {c["system"]: c["map"]["value"] for c in json.loads(candidates.stdout)["candidates"]}
    assert maps["IR baseline (search engine order)"] == 1.0 and maps["peerbot (hybrid + calibrated gate)"] == 1.0


def test_prune_removes_old_question_text_and_keeps_the_counts(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    import sqlite3
    import time

    setup(tmp_path)
    asked = peerbot(
        "chat", stdin="how do I factory reset a bulb\nmy card 4111 is blocked, does the bulb app take another card?\n"
    )
    assert asked.returncode == 0, asked.stderr
    kept = peerbot("prune")  # the default retention (90 days) keeps today's questions
    assert kept.returncode == 0, kept.stderr
    assert "the text of 0 questions" in kept.stderr
    retention = "[state]\nretention_days = 0.00001\n"  # under a second
    (tmp_path / "config.toml").write_text(CONFIG.replace("[state]\n", retention))
    time.sleep(1.5)  # let the questions age past that retention
    pruned = peerbot("prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "the text of 2 questions" in pruned.stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM questions")]
        escalated = db.execute("SELECT count(*) FROM escalations").fetchone()[0]
    assert len(texts) == 2 and not any("4111" in t or "bulb" in t for t in texts)
    assert escalated == 1  # the escalation stays; only its asker's words are gone
    stats = peerbot("stats")
    assert stats.returncode == 0 and "2" in stats.stdout
