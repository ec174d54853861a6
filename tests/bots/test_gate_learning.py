"""The answer gate learns from use: verdicts become labels, the threshold moves a bounded step at a time, every step
is kept in the store (a real SQLite file) and `peerbot gate --reset` undoes them; seen through the CLI as a user."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from peerbot.bots.gate_learning import LOWERED, RAISED, GateRule, LearnedGate, propose
from peerbot.bots.policy import Thresholds
from peerbot.bots.schema_gate import GateLabel
from peerbot.bots.state import StateStore
from tests.dashboard.conftest import seed
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, write_jsonl

T0 = datetime(2026, 3, 1, 9, 0)
BASE = Thresholds(answer=0.6, suggest=0.3)
RULE = GateRule(min_labels=10, step=0.02, max_shift=0.06, target_precision=0.85)


def labels(*groups: tuple[int, float, bool]) -> list[GateLabel]:
    out: list[GateLabel] = []
    for count, confidence, right in groups:
        for _ in range(count):
            out.append(GateLabel(len(out) + 1, T0 + timedelta(minutes=len(out)), confidence, right, "test"))
    return out


def test_wrong_answers_raise_the_threshold_one_step() -> None:
    judged = labels((6, 0.9, True), (4, 0.7, False))  # 60% right at >= 0.6
    step = propose(judged, len(judged), BASE, 0.0, RULE)
    assert step is not None and step.kind == RAISED and step.offset == pytest.approx(0.02)
    assert step.labels == 10 and step.precision == pytest.approx(0.6)


def test_too_few_labels_change_nothing() -> None:
    judged = labels((3, 0.9, True), (6, 0.7, False))
    assert propose(judged, len(judged), BASE, 0.0, RULE) is None  # 9 < min_labels
    assert propose(labels((6, 0.9, True), (4, 0.7, False)), 9, BASE, 0.0, RULE) is None  # 9 new since last step


def test_never_further_than_max_shift() -> None:
    judged = labels((10, 0.95, False))
    assert propose(judged, 10, BASE, 0.06, RULE) is None
    lowered = labels((12, 0.95, True), (5, 0.55, True))
    assert propose(lowered, 17, BASE, -0.06, RULE) is None


def test_right_suggestions_just_below_lower_it() -> None:
    judged = labels((12, 0.9, True), (4, 0.59, True), (1, 0.59, False))
    step = propose(judged, len(judged), BASE, 0.0, RULE)
    assert step is not None and step.kind == LOWERED and step.offset == pytest.approx(-0.02)
    below_suggest = Thresholds(answer=0.31, suggest=0.3)
    assert propose(labels((12, 0.9, True), (5, 0.3, True)), 17, below_suggest, 0.0, RULE) is None


def test_labels_come_from_verdicts_and_accepted_escalations(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    seed(store)  # q1 answered+solved, q3 answered+unhelpful, q9 answered+"ask a human", q5 escalated and accepted
    found = {label.question_id: (label.right, label.source) for label in store.gate_labels()}
    assert found == {
        1: (True, "solved"),
        3: (False, "unhelpful"),
        9: (False, "human"),
        5: (False, "accepted escalation"),
    }


def test_two_replicas_stepping_together_step_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    first, second = StateStore(url), StateStore(url)
    values = {"offset": 0.02, "previous": 0.0, "kind": RAISED, "labels": 20, "precision": 0.5, "by": "feedback"}
    assert first.add_gate_step(0, **values) is not None
    assert second.add_gate_step(0, **values) is None  # it decided on the same last step: refused
    gate = LearnedGate(second, BASE, RULE)
    assert gate.thresholds().answer == pytest.approx(0.62) and len(second.gate_steps()) == 1


LEARNING = """
[answer]
answer_threshold = 0.65

[learning]
min_labels = 3
step = 0.05
max_shift = 0.1
"""
CONFIDENT = "how do I factory reset a bulb that stopped responding"  # confidence 0.93 with the hashing embedder
BORDERLINE = "bulb stopped responding"  # 0.69: answered at 0.65, not at 0.70


def test_not_helpful_in_chat_raises_the_gate_and_reset_undoes_it(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text(CLI_CONFIG + LEARNING)
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)  # type: ignore[arg-type]
    before = json.loads(peerbot("ask", "--json", BORDERLINE).stdout)
    assert before["outcome"] == "answer" and before["gate"]["answer_threshold"] == 0.65
    assert "3 more before the next step" in before["gate"]["reason"]

    chat = peerbot("chat", stdin=f"{CONFIDENT}\n/unhelpful\n" * 3)
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.count("Power-cycle") == 3

    after = json.loads(peerbot("ask", "--json", BORDERLINE).stdout)
    assert after["outcome"] == "suggest", after  # the same question is no longer answered outright
    assert after["gate"]["answer_threshold"] == 0.7 and after["gate"]["labels"] == 3
    assert (
        "configured 0.65, raised by 0.05" in after["gate"]["reason"] and "answered right 0%" in after["gate"]["reason"]
    )
    shown = peerbot("gate")
    assert shown.returncode == 0 and "raised to +0.05 (3 labels, 0% right, feedback)" in shown.stdout

    reset = peerbot("gate", "--reset")
    assert reset.returncode == 0 and "the configured threshold (reset by peerbot gate --reset" in reset.stdout
    again = json.loads(peerbot("ask", "--json", BORDERLINE).stdout)
    assert again["outcome"] == "answer" and again["gate"]["answer_threshold"] == 0.65 and again["gate"]["labels"] == 0


def test_learning_off_keeps_the_configured_threshold(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text(CLI_CONFIG + LEARNING + "enabled = false\n")
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)  # type: ignore[arg-type]
    assert peerbot("chat", stdin=f"{CONFIDENT}\n/unhelpful\n" * 3).returncode == 0
    after = json.loads(peerbot("ask", "--json", BORDERLINE).stdout)
    assert after["outcome"] == "answer" and "learning from feedback is off" in after["gate"]["reason"]
