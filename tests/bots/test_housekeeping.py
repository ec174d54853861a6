"""The running bot prunes the store on its own timer: askers' words go after [state] retention_days."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from peerbot.bots import app as wiring
from peerbot.bots.conversation import Question
from tests.conftest import make_settings

START = datetime(2026, 11, 1, 9, 0, 0)


async def test_the_timer_removes_question_text_after_the_retention_period(tmp_path: Path) -> None:
    now = [START]
    settings = make_settings(tmp_path, state={"url": "sqlite:///state.db", "retention_days": 30.0})
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb, clock=lambda: now[0])
    try:
        await bot.handle(Question(text="my card 4111 is blocked, what about sourdough pizza?", asker="alice"))
        await bot.tick()
        assert ["4111" in q.text for q in bot.store.questions_since()] == [True]  # within the retention period

        now[0] = START + timedelta(days=31)
        await bot.tick()
        questions = bot.store.questions_since()
        assert len(questions) == 1 and "4111" not in questions[0].text
        assert questions[0].outcome == "escalate"  # what the bot did is still counted
    finally:
        bot.close()
