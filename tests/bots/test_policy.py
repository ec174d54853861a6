import pytest

from peerbot.bots.conversation import Outcome
from peerbot.bots.policy import Thresholds, decide
from peerbot.knowledge.entries import KnowledgeEntry, Match


def match(confidence: float, i: int = 0) -> Match:
    entry = KnowledgeEntry(
        id=f"e{i}", title="t", body="", answer="a", author="x", author_id="x", thread_id=f"t{i}", source="s"
    )
    return Match(entry=entry, confidence=confidence, score=confidence)


T = Thresholds(answer=0.6, suggest=0.3, max_suggestions=2)


def test_three_bands() -> None:
    assert decide([match(0.9), match(0.5, 1)], T).outcome is Outcome.ANSWER
    suggest = decide([match(0.5), match(0.4, 1), match(0.35, 2), match(0.1, 3)], T)
    assert suggest.outcome is Outcome.SUGGEST and [m.entry.id for m in suggest.matches] == ["e0", "e1"]
    escalate = decide([match(0.2), match(0.1, 1)], T)
    assert escalate.outcome is Outcome.ESCALATE and len(escalate.matches) == 2
    assert decide([], T).outcome is Outcome.ESCALATE


def test_threshold_edges() -> None:
    assert decide([match(0.6)], T).outcome is Outcome.ANSWER
    assert decide([match(0.3)], T).outcome is Outcome.SUGGEST


def test_thresholds_validated() -> None:
    with pytest.raises(ValueError, match="suggest <= answer"):
        Thresholds(answer=0.2, suggest=0.5)
