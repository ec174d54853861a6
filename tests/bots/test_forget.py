"""`peerbot forget AUTHOR` through the CLI on a real index directory and SQLite file: gone from every kept index
version (an older one made CURRENT does not serve them), captured.jsonl, the store and the dashboard's exports;
unknown authors are refused; --list and --undo."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from subprocess import CompletedProcess

from peerbot.bots import app as wiring
from peerbot.bots.schema import EscalationRow, FeedbackRow, PointsRow, QuestionRow, ReviewRow
from peerbot.bots.state import StateStore
from peerbot.bots.state_reports import EXPORTED_TABLES
from peerbot.indexer.publish import point_current
from peerbot.knowledge.index_files import list_versions, read_current, read_version
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, reply, thread, write_jsonl

SAM = "u-sam"
WHEN = datetime(2026, 11, 20, 9, 0)


def community(n: int) -> list[dict[str, object]]:
    threads = [
        thread(
            f"s{i}",
            f"question {i} about the hub",
            "details",
            [reply(f"Sam's fix {i}", "Sam", author_id=SAM, accepted=True)],
        )
        for i in range(4)
    ]
    threads += [
        thread(
            f"k{i}",
            f"billing {i} refund",
            "card",
            [reply(f"Kim's answer {i}", "Kim", author_id="u-kim", accepted=True)],
        )
        for i in range(n)
    ]
    return threads


def seed_store(store: StateStore) -> None:
    """Sam asked a question, gave feedback, answered an escalation, earned points and a badge, wrote a review."""
    with store._session() as s:  # the test seeds the tables directly
        asked = QuestionRow(platform="slack", asker=SAM, text="my hub is dead", outcome="escalate", created_at=WHEN)
        other = QuestionRow(platform="slack", asker="u-lee", text="bulb?", outcome="escalate", created_at=WHEN)
        s.add_all([asked, other])
        s.flush()
        mine = EscalationRow(question_id=asked.id, platform="slack", asker=SAM, question="my hub is dead")
        answered = EscalationRow(
            question_id=other.id, platform="slack", asker="u-lee", question="bulb?", answered_by=SAM, answer="Sam says"
        )
        s.add_all([mine, answered])
        s.flush()
        s.add_all(
            [
                FeedbackRow(question_id=other.id, user=SAM, verdict="solved", created_at=WHEN),
                FeedbackRow(question_id=asked.id, user="u-lee", verdict="human", created_at=WHEN),
                PointsRow(superuser=SAM, points=5, reason="answered", ref=str(answered.id), created_at=WHEN),
                ReviewRow(escalation_id=answered.id, author=SAM, author_name="Sam", answer="Sam's review answer"),
            ]
        )


def mentions_sam(text: str) -> bool:
    return SAM in text or "Sam" in text


def test_forget_removes_an_author_everywhere_and_undo_list_unknown(
    tmp_path: Path, peerbot: Callable[..., CompletedProcess[str]]
) -> None:
    settings = make_settings(tmp_path, community(3))
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    for n in (3, 4, 5):  # three kept versions, each with Sam's answers
        write_jsonl(tmp_path / "community.jsonl", community(n))
        wiring.reindex(settings, wiring.open_embedder(settings))
    captured = wiring.captured_path(settings)
    captured.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(
        captured,
        [
            {
                **thread(
                    "esc-1", "hub offline after update", "help", [reply("Reboot the hub", "Mara", author_id="u-mara")]
                ),
                "author": "Sam",
                "author_id": SAM,
            },
            thread("esc-2", "dimmer flickers", "", [reply("Sam's captured fix", "Sam", author_id=SAM, accepted=True)]),
            thread("esc-3", "scene stuck", "", [reply("Mara's fix", "Mara", author_id="u-mara", accepted=True)]),
        ],
    )
    store = wiring.open_store(settings)
    seed_store(store)
    store.close()
    versions = list_versions(tmp_path / "index")
    assert len(versions) == 3

    result = peerbot("forget", SAM)
    assert result.returncode == 0, result.stderr

    index = tmp_path / "index"
    for version in list_versions(index):  # every kept version, checksums valid, without Sam
        loaded = read_version(index, version, model="hashing-256", dimension=256)
        assert loaded.entries and not any(e.author_id == SAM for e in loaded.entries), version
        assert loaded.manifest["count"] == len(loaded.entries)
    point_current(index, list_versions(index)[0])  # an operator rolls back to the oldest kept version
    assert not any(e.author_id == SAM for e in read_current(index, model="hashing-256", dimension=256).entries)

    kept = [json.loads(line) for line in captured.read_text().splitlines()]
    assert [r["id"] for r in kept] == ["esc-3"]

    store = wiring.open_store(settings)
    for table in EXPORTED_TABLES:  # what the dashboard's tables and CSV exports show
        _, rows = store.export_table(table)
        assert not any(mentions_sam(str(cell)) for row in rows for cell in row), (table, rows)
    _, questions = store.export_table("questions")
    assert len(questions) == 1  # Lee's question stays
    store.close()

    listed = peerbot("forget", "--list")
    assert listed.returncode == 0 and SAM in listed.stdout.split()

    unknown = peerbot("forget", "nobody-here")
    assert unknown.returncode == 2
    assert "nobody-here" in unknown.stderr and "nothing" in unknown.stderr and "Traceback" not in unknown.stderr

    undone = peerbot("forget", "--undo", SAM)
    assert undone.returncode == 0, undone.stderr
    assert "cannot be brought back" in undone.stderr
    assert SAM not in peerbot("forget", "--list").stdout.split()
    again = peerbot("forget", "--undo", SAM)
    assert again.returncode == 2 and "not forgotten" in again.stderr
