"""The README's main job on the bundled demo community, with the real model and a real FAISS index."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import load_settings
from peerbot.bots.conversation import Outcome, Question
from peerbot.indexer.demo import COMMUNITY
from tests.conftest import REPO

pytestmark = pytest.mark.slow

QUESTIONS = json.loads((Path(__file__).with_name("demo_questions.json")).read_text())
DEMO = [json.loads(line) for line in COMMUNITY.read_text().splitlines()]
THREADS = {t["id"]: t for t in DEMO}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the repository's config.toml (demo source, real model, superusers) and its index."""
    folder = tmp_path_factory.mktemp("demo")
    (folder / "config.toml").write_text((REPO / "config.toml").read_text())
    settings = load_settings(folder / "config.toml")
    report = wiring.reindex(settings, wiring.open_embedder(settings))
    assert report.threads >= 150 and report.problems == ()
    return folder


@pytest.fixture(scope="module")
def bot(demo_dir: Path) -> Bot:
    settings = load_settings(demo_dir / "config.toml")
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb)


def ask(bot: Bot, text: str, asker: str = "e2e", **kw: object) -> object:
    reply = asyncio.run(bot.handle(Question(text=text, asker=asker, **kw)))  # type: ignore[arg-type]
    assert reply is not None
    return reply


def accepted_reply(thread_id: str) -> dict[str, object]:
    return next(r for r in THREADS[thread_id]["replies"] if r["accepted"])


def test_peerbot_chat_answers_a_paraphrase_and_escalates_off_topic_only_when_asked(demo_dir: Path) -> None:
    """As a user runs it: `peerbot chat` with questions piped in; off topic, a person only after /human."""
    target = QUESTIONS["paraphrases"][2]  # the dimmer without a neutral wire
    off_topic = QUESTIONS["off_topic"][1]
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PEERBOT_CONFIG")}
    result = subprocess.run(
        [sys.executable, "-m", "peerbot", "chat"],
        cwd=demo_dir,
        input=f"{target['question']}\n{off_topic}\n/human\n",
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    answer, polite, escalation = result.stdout.split("peerbot> ")[1:]
    expected = accepted_reply(target["thread_id"])
    assert str(expected["text"])[:60] in answer
    assert f"— {expected['author']} (" in answer
    assert THREADS[target["thread_id"]]["url"] in answer
    assert "outside what this community covers (hub, bulbs, app, lightstrip, motion sensor)" in polite
    assert "Ask a human anyway" in polite and "escalation" not in polite
    assert "I've passed your question to" in escalation and "(escalation #1)" in escalation


def test_paraphrases_find_the_right_thread(bot: Bot) -> None:
    right_first, answered, answered_wrong = 0, 0, []
    for item in QUESTIONS["paraphrases"]:
        reply = ask(bot, item["question"])
        top = reply.matches[0].entry.thread_id if reply.matches else None  # type: ignore[attr-defined]
        right_first += top == item["thread_id"]
        if reply.outcome is Outcome.ANSWER:  # type: ignore[attr-defined]
            answered += 1
            if top != item["thread_id"]:
                answered_wrong.append(item["question"])
    assert answered_wrong == []
    assert right_first >= 27, f"{right_first}/30 right at rank 1"
    assert answered >= 20, f"only {answered}/30 answered outright"


def test_off_topic_and_unanswered_topics_are_never_answered(bot: Bot) -> None:
    # one member each, as in a community: a single member asking all of them would hit the escalation throttle
    off_topic = [ask(bot, q, f"off-{n}").outcome for n, q in enumerate(QUESTIONS["off_topic"])]  # type: ignore[attr-defined]
    unanswered = [
        ask(bot, q["question"], f"gap-{n}").outcome  # type: ignore[attr-defined]
        for n, q in enumerate(QUESTIONS["unanswered_topics"])
    ]
    assert Outcome.ANSWER not in off_topic + unanswered
    # this older set was not looked at while the scope was built: 10 of 15 are out of scope (pinging nobody); the
    # other five come close to demo threads (a Tesla's headlights, a Netflix password, plants in a dark room)
    assert off_topic.count(Outcome.OUT_OF_SCOPE) >= 10
    assert unanswered.count(Outcome.ESCALATE) >= len(unanswered) - 2


def test_private_beta_content_stays_out_of_public_answers(bot: Bot) -> None:
    for item in QUESTIONS["private"]:
        reply = ask(bot, item["question"], public=True, channel="general")
        assert all(m.entry.visibility == "public" for m in reply.matches)  # type: ignore[attr-defined]
        assert "Adaptive Sunrise" not in reply.text and "Orb" not in reply.text  # type: ignore[attr-defined]
    leaked = ask(bot, QUESTIONS["private"][0]["question"], public=False, channel="beta-testers")
    assert any(m.entry.visibility == "private" for m in leaked.matches)  # type: ignore[attr-defined]


def test_mass_mentions_in_demo_answers_are_inert(bot: Bot) -> None:
    for thread_id in QUESTIONS["mass_mentions"]:
        thread = THREADS[thread_id]
        reply = ask(bot, f"{thread['title']} {thread['body']}")
        assert reply.outcome is Outcome.ANSWER  # type: ignore[attr-defined]
        text = reply.text  # type: ignore[attr-defined]
        for ping in ("@everyone", "@here", "<!channel>", "<@&"):
            assert ping not in text
