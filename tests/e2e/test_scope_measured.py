"""Out of scope is not an escalation, measured (issue 17) on the demo community with the real model.

tests/fixtures/scope: 65 off-topic questions (pizza, cars, other brands' products, chit-chat) and 74 on-topic
ones the demo community cannot answer, the sets the scope check's method was built on. The held-out pair
(heldout_*.txt) is reported by `python -m benchmarks.conversation`, which prints the same numbers for both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.conversation import demo_bot, measure, questions

pytestmark = pytest.mark.slow


def test_off_topic_rarely_pings_and_on_topic_unanswered_still_escalates(tmp_path: Path) -> None:
    assert len(questions("off_topic.txt")) >= 60 and len(questions("on_topic_unanswerable.txt")) >= 60
    bot = demo_bot(tmp_path)
    try:
        result = measure(bot)
    finally:
        bot.close()
    print(result)
    assert result.off_topic_pinged <= 0.05, result.off_topic_pinged_questions  # the goals
    assert result.on_topic_escalated >= 0.95, result.on_topic_not_escalated
