"""`python -m benchmarks.conversation [--simulate]`: the conversation (issue 17) measured on the demo community.

`--simulate`: 14 days of `peerbot simulate` traffic with off-topic questions, repeats and a spammer's bursts,
before (every unanswered question escalated, no merging, no throttle) and after: escalations opened and pings per
superuser per day. Without it: out of scope is not an escalation.

Builds the demo's index (and learns its scope) in a temporary folder with the repository's config.toml, then asks
every question of tests/fixtures/scope: off-topic ones (pizza, cars, other brands' products, chit-chat) and on-topic
ones the demo community cannot answer. Prints the share of each that pinged a superuser: for the sets the method
was built on ("original") and for the held-out pair written before the method changed ("heldout", on a bot of its
own, so no question joins an escalation of the other pair).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import load_settings, parse_settings
from peerbot.bots.conversation import Outcome, Question
from peerbot.bots.simulate import SPAMMER, SimClock, simulate
from peerbot.bots.state import utcnow

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "scope"


def questions(name: str) -> list[str]:
    lines = (line.strip() for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class ScopeResult:
    threshold: float
    off_topic: int
    off_topic_pinged: float  # share that reached a superuser (pinged, or joined an open escalation)
    on_topic: int
    on_topic_escalated: float  # share escalated to superusers
    on_topic_out_of_scope: float  # share wrongly told "not here"
    off_topic_pinged_questions: list[str]
    on_topic_not_escalated: list[tuple[str, str]]


ORIGINAL = ("off_topic.txt", "on_topic_unanswerable.txt")
HELDOUT = ("heldout_off_topic.txt", "heldout_on_topic.txt")


def measure(bot: Bot, sets: tuple[str, str] = ORIGINAL) -> ScopeResult:
    def outcome(text: str, n: int) -> tuple[Outcome, bool]:
        """The outcome, and whether superusers hear of it (pinged now, or it joined an escalation they have)."""
        reply = asyncio.run(bot.handle(Question(text=text, asker=f"bench-{n}")))
        assert reply is not None
        return reply.outcome, reply.escalated or reply.outcome is Outcome.ESCALATE

    off, on = (questions(name) for name in sets)
    off_results = [outcome(q, i) for i, q in enumerate(off)]
    on_results = [outcome(q, 1000 + i) for i, q in enumerate(on)]
    pinged = [q for q, (_, escalated) in zip(off, off_results, strict=True) if escalated]
    missed = [(q, o.value) for q, (o, escalated) in zip(on, on_results, strict=True) if not escalated]
    scope = bot.answerer.scope
    return ScopeResult(
        threshold=scope.threshold if scope else float("nan"),
        off_topic=len(off),
        off_topic_pinged=len(pinged) / len(off),
        on_topic=len(on),
        on_topic_escalated=1 - len(missed) / len(on),
        on_topic_out_of_scope=sum(o is Outcome.OUT_OF_SCOPE for o, _ in on_results) / len(on),
        off_topic_pinged_questions=pinged,
        on_topic_not_escalated=missed,
    )


def demo_bot(folder: Path) -> Bot:
    """The repository's config.toml (demo source, real model, superusers) in `folder`, indexed."""
    (folder / "config.toml").write_text((REPO / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings(folder / "config.toml")
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb)


BEFORE = {  # the bot as it was: every question without a trusted answer escalated, no merging, no throttle
    "scope": {"enabled": False},
    "conversation": {"merge": False, "max_escalations_per_hour": 1000},
}
AFTER = {"conversation": {"spammers": [SPAMMER]}}  # the defaults, and the admin marked the spammer


@dataclass(frozen=True)
class SimulatedDays:
    questions: int
    escalations_opened: int
    unpinged: int  # opened while every superuser was at max_open_per_superuser (or away): nobody to ping
    pings: int
    pings_per_superuser_day: float
    outcomes: dict[str, int]


def simulate_days(folder: Path, overrides: dict[str, Any], days: int = 14, per_day: float = 25) -> SimulatedDays:
    """`peerbot simulate` traffic with off-topic questions, repeats and a spammer, on the demo (indexed in folder)."""
    data = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    for key, value in overrides.items():
        data[key] = {**data.get(key, {}), **value}
    data["state"] = {"url": f"sqlite:///{folder}/{len(list(folder.glob('*.db')))}-state.db"}
    settings = parse_settings(data, folder)
    embedder = wiring.open_embedder(settings)
    if not wiring.has_index(settings):
        wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    clock = SimClock(utcnow())
    bot = wiring.make_bot(settings, embedder, kb, clock=clock)
    try:
        report = simulate(bot, clock, days=days, per_day=per_day, seed=7, conversation_traffic=True)
    finally:
        bot.close()
    superusers = len(settings.superusers)
    return SimulatedDays(
        report.questions,
        report.escalations_opened,
        report.unpinged,
        sum(report.pings.values()),
        round(report.pings_per_superuser_day(superusers), 2),
        dict(report.outcomes),
    )


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    with tempfile.TemporaryDirectory() as folder:
        if "--simulate" in args:
            after = simulate_days(Path(folder), AFTER)  # first: its index build learns the scope too
            before = simulate_days(Path(folder), BEFORE)
            print(json.dumps({"before": asdict(before), "after": asdict(after)}, indent=2))
            return 0
        results = {}
        for name, sets in (("original", ORIGINAL), ("heldout", HELDOUT)):
            (Path(folder) / name).mkdir()
            bot = demo_bot(Path(folder) / name)
            try:
                results[name] = asdict(measure(bot, sets))
            finally:
                bot.close()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
