"""`peerbot simulate`: realistic traffic through the real Bot on a simulated clock, so the dashboard has data.

Customers on Slack, Discord and the console ask questions the community has answered (in their own words),
questions it has not (the content gaps), and now and then an angry complaint. They press "solved", "not
helpful" or "ask a human"; superusers claim and answer escalations after a while, some escalations expire.
Every event goes through the same Bot methods the adapters call; answers are not captured into the index.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Question, Reply, Verdict
from peerbot.bots.notices import Notice
from peerbot.bots.state import utcnow
from peerbot.errors import ConfigError
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import KnowledgeEntry

PLACES = (  # platform, channel, share of the traffic
    ("slack", "C-help", 0.35),
    ("slack", "C-lumo-pros", 0.1),
    ("discord", "help-forum", 0.3),
    ("discord", "general", 0.1),
    ("console", None, 0.15),
)
FIRST_NAMES = ("ana", "ben", "chloe", "dev", "eli", "fatima", "gus", "hana", "ivan", "jo", "kai", "lena", "milo")
OPENERS = ("", "", "hi all, ", "quick one: ", "hey, ", "anyone know? ", "help please: ")
GAPS = {
    "warranty": (
        "How do I return a faulty bulb under warranty?",
        "What is the warranty period on the Lumo hub?",
        "My bulb died after 14 months, can I get a warranty replacement?",
        "warranty claim process for a dead lightstrip?",
    ),
    "music": (
        "Can the lights pulse to music from Spotify?",
        "Is there a music sync mode for parties?",
        "make the lightstrip react to music on my speaker",
    ),
    "smart plug": (
        "Does Lumo sell a smart plug for lamps?",
        "Can I control my ceiling fan from the Lumo app?",
        "smart plug support for a floor lamp without a smart bulb?",
    ),
    "standby power": (
        "How much electricity does a bulb use on standby when it's off?",
        "What is the standby power draw of Lumo bulbs?",
        "Will 30 smart bulbs raise my electricity bill when switched off?",
    ),
    "office": (
        "Can we manage 200 bulbs across an office building?",
        "Is there a commercial plan for offices with several floors?",
    ),
}
COMPLAINTS = (
    "This is the worst! My lights have been broken for a week and nobody helps. Furious.",
    "Absolutely terrible. The hub died again and I'm sick of this useless garbage. Awful support.",
    "I hate this. Every update breaks my schedules and I'm angry and fed up!",
    "Horrible experience, the app is a disaster and I want my money back. Worst purchase ever.",
)
HUMAN_ANSWERS = (
    "Thanks for asking! We've seen this before: {hint} Let us know if that does it.",
    "Good question. Short version: {hint} I'll keep an eye on this thread.",
    "Sorry about the trouble. Try this first: {hint} If not, reply here and I'll dig deeper.",
)
HINTS = (
    "restart the hub, wait two minutes, then retry from the app.",
    "contact support@lumo.example with your order number, they handle it within two days.",
    "it isn't supported yet; there's a feature request thread you can upvote.",
    "check Settings > Hub > Diagnostics and send us the report id.",
)


OFF_TOPIC = (  # chit-chat and other subjects (conversation traffic only)
    "what is the best pizza in Naples?",
    "how do I reset my Tesla key card",
    "any good sci-fi series to binge this weekend?",
    "how long should I boil an egg",
    "who won the match last night?",
)
SPAM = (  # one member floods the help channel (conversation traffic only)
    "BUY CHEAP FOLLOWERS NOW visit my site",
    "crypto giveaway!!! send 1 BTC get 2 back",
    "best replica watches cheap cheap cheap",
    "click here for free gift cards",
)
SPAMMER = "spam-bot7"


@dataclass
class SimulationReport:
    questions: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    feedback: Counter[str] = field(default_factory=Counter)
    claimed: int = 0
    answered: int = 0
    start: datetime | None = None
    end: datetime | None = None
    escalations_opened: int = 0
    unpinged: int = 0  # escalations opened when every superuser was away or at max_open_per_superuser
    pings: Counter[str] = field(default_factory=Counter)  # superuser community id -> pings (first and ladder)

    def pings_per_superuser_day(self, superusers: int) -> float:
        days = max(1.0, ((self.end - self.start).total_seconds() / 86400) if self.start and self.end else 1.0)
        return sum(self.pings.values()) / max(1, superusers) / days


class PingCounter:
    """A notifier that counts the ladder's pings per superuser."""

    def __init__(self, report: SimulationReport) -> None:
        self.report = report

    async def deliver(self, notices: Sequence[Notice]) -> None:
        for notice in notices:
            if notice.kind == "ping":
                self.report.pings.update(s.community_id for s in notice.superusers)


class SimClock:
    """The simulated now; the bot's state store reads it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


Action = Callable[[], Awaitable[None]]


class Simulation:
    def __init__(
        self, bot: Bot, clock: SimClock, rng: random.Random, end: datetime, conversation_traffic: bool = False
    ) -> None:
        self.bot, self.clock, self.rng, self.end = bot, clock, rng, end
        self.conversation_traffic = conversation_traffic  # off-topic questions, repeats, one spammer
        self.queue: list[tuple[datetime, int, Action]] = []
        self.seq = itertools.count()
        self.report = SimulationReport(start=clock.now, end=end)
        entries = [e for e in bot.retriever.kb.entries if e.visibility == "public"]
        self.entries: list[KnowledgeEntry] = entries
        self.superusers = [s.community_id for s in bot.superusers]
        bot.add_notifier(PingCounter(self.report))

    def at(self, when: datetime, action: Action) -> None:
        if when <= self.end:
            heapq.heappush(self.queue, (when, next(self.seq), action))

    def later(self, minutes: float, action: Action) -> None:
        self.at(self.clock.now + timedelta(minutes=minutes), action)

    async def run(self) -> SimulationReport:
        while self.queue:
            when, _, action = heapq.heappop(self.queue)
            self.clock.now = when
            await action()
        return self.report

    # -- customers ------------------------------------------------------------------------------

    def question_text(self) -> str:
        roll = self.rng.random()
        if self.conversation_traffic and roll < 0.15:
            return self.rng.choice(OFF_TOPIC)
        if roll < 0.08:
            return self.rng.choice(COMPLAINTS)
        if roll < 0.33 or not self.entries:
            return self.rng.choice(self.rng.choice(list(GAPS.values())))
        entry = self.rng.choice(self.entries)
        text = entry.title if self.rng.random() < 0.7 else f"{entry.title}. {entry.body[:160]}"
        return self.rng.choice(OPENERS) + (text[0].lower() + text[1:] if self.rng.random() < 0.5 else text)

    def customer(self) -> Question:
        platform, channel, _ = self.rng.choices(PLACES, weights=[p[2] for p in PLACES])[0]
        name = f"{self.rng.choice(FIRST_NAMES)}{self.rng.randint(1, 60)}"
        thread = f"{platform}-{next(self.seq)}"
        return Question(
            self.question_text(), name, platform, channel, thread=thread, asker_name=name.capitalize(),
            channel_name=channel.removeprefix("C-") if channel else None,  # as the adapters name it: #help
        )  # fmt: skip

    def ask(self, question: Question) -> Action:
        async def action() -> None:
            reply = await self.bot.handle(question)
            if reply is None or reply.question_id is None:
                return
            self.report.questions += 1
            self.report.outcomes[reply.outcome.value] += 1
            self.opened(reply)
            self.react(question, reply)

        return action

    def react(self, question: Question, reply: Reply) -> None:
        qid = reply.question_id
        assert qid is not None
        roll = self.rng.random()
        if reply.escalation_id is not None:
            self.escalated(reply.escalation_id, reply.notify, question, qid)
        if reply.outcome is Outcome.ANSWER and not reply.urgent:
            if roll < 0.5:
                self.later(self.rng.uniform(2, 60), self.verdict(qid, question.asker, Verdict.SOLVED))
            elif roll < 0.62:
                self.later(self.rng.uniform(2, 30), self.verdict(qid, question.asker, Verdict.UNHELPFUL))
                if self.rng.random() < 0.5:
                    self.later(self.rng.uniform(31, 40), self.verdict(qid, question.asker, Verdict.HUMAN, question))
        elif reply.outcome is Outcome.SUGGEST:
            if roll < 0.25:
                self.later(self.rng.uniform(5, 30), self.verdict(qid, question.asker, Verdict.HUMAN, question))
            elif roll < 0.4:
                self.later(self.rng.uniform(5, 30), self.verdict(qid, question.asker, Verdict.UNHELPFUL))

    def verdict(self, qid: int, user: str, verdict: Verdict, question: Question | None = None) -> Action:
        async def action() -> None:
            reply = await self.bot.feedback(qid, user, verdict)
            self.report.feedback[verdict] += 1
            self.opened(reply)
            if reply.escalation_id is not None and question is not None and reply.outcome is Outcome.ESCALATE:
                self.escalated(reply.escalation_id, reply.notify, question, qid)

        return action

    def opened(self, reply: Reply) -> None:
        if reply.escalation is not None:  # a new escalation, and whom it pinged first
            self.report.escalations_opened += 1
            self.report.pings.update(reply.notify)
            self.report.unpinged += not reply.notify

    # -- superusers -----------------------------------------------------------------------------

    def escalated(self, escalation_id: int, notified: list[str], question: Question, qid: int) -> None:
        if not self.superusers or self.rng.random() < 0.15:
            return  # nobody picks it up: the ladder climbs, then it expires
        who = self.rng.choice(notified or self.superusers)
        delay = min(self.rng.lognormvariate(3.2, 1.0), 60 * 30)  # median about 25 minutes
        self.later(delay, self.claim(escalation_id, who, question, qid))

    def claim(self, escalation_id: int, who: str, question: Question, qid: int) -> Action:
        async def action() -> None:
            reply = await self.bot.handle(Question(f"/claim {escalation_id}", who, "console"))
            if reply is None or reply.escalation_id is None:
                return
            self.report.claimed += 1
            self.later(self.rng.uniform(3, 90), self.answer(escalation_id, who, question, qid))

        return action

    def answer(self, escalation_id: int, who: str, question: Question, qid: int) -> Action:
        async def action() -> None:
            text = self.rng.choice(HUMAN_ANSWERS).format(hint=self.rng.choice(HINTS))
            reply = await self.bot.handle(Question(f"/answer {escalation_id} {text}", who, "console"))
            if reply is None or reply.escalation_id is None:
                return
            self.report.answered += 1
            if self.rng.random() < 0.7:
                self.later(self.rng.uniform(10, 300), self.verdict(qid, question.asker, Verdict.SOLVED))

        return action

    # -- the clock ------------------------------------------------------------------------------

    def schedule(self, days: int, per_day: float) -> None:
        start = self.clock.now
        for day in range(days):
            midnight = start + timedelta(days=day)
            count = max(1, round(self.rng.gauss(per_day, per_day * 0.25)))
            for _ in range(count):
                hour = min(max(self.rng.gauss(14, 4), 0), 23.9)
                self.at(midnight + timedelta(hours=hour, seconds=self.rng.randint(0, 3599)), self.ask(self.customer()))
            if self.conversation_traffic:  # a spammer's burst, and one customer asking the same thing twice
                burst = midnight + timedelta(hours=self.rng.uniform(8, 20))
                for n in range(8):
                    text = self.rng.choice(SPAM)
                    question = Question(text, SPAMMER, "slack", "C-help", thread=f"slack-{next(self.seq)}")
                    self.at(burst + timedelta(minutes=n), self.ask(question))
                again = self.customer()
                when = midnight + timedelta(hours=self.rng.uniform(8, 20))
                self.at(when, self.ask(again))
                repeat = Question(
                    again.text, again.asker, again.platform, again.channel, thread=f"again-{next(self.seq)}"
                )
                self.at(when + timedelta(minutes=20), self.ask(repeat))
        tick = start
        while tick <= self.end:
            self.at(tick, self.tick)
            tick += timedelta(minutes=30)

    async def tick(self) -> None:
        await self.bot.tick()


def simulate(
    bot: Bot,
    clock: SimClock,
    *,
    days: int = 14,
    per_day: float = 25,
    seed: int = 7,
    end: datetime | None = None,
    conversation_traffic: bool = False,
) -> SimulationReport:
    """Drive `bot` (built with `clock`) through `days` of traffic ending at `end` (default: now)."""
    if days <= 0 or per_day <= 0:
        raise ValueError(f"days and per_day must be greater than 0, got days={days}, per_day={per_day}")
    end = end or utcnow()
    clock.now = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    bot.capture = None  # simulated answers must never become knowledge
    simulation = Simulation(bot, clock, random.Random(seed), end, conversation_traffic)
    simulation.schedule(days, per_day)
    return asyncio.run(simulation.run())


def run_simulation(
    settings: Settings, embedder: Embedder, *, days: int, per_day: float, seed: int, force: bool = False
) -> str:
    """`peerbot simulate`: refuses a state store that already has questions unless forced; returns a summary."""
    from peerbot.bots import app as wiring

    clock = SimClock(utcnow())
    store = wiring.open_store(settings, clock)
    try:
        existing = sum(store.outcome_counts().values())
        if existing and not force:
            raise ConfigError(
                f"the state store {settings.state_url} already has {existing} questions: "
                "pass --force to add simulated traffic to it, or point state.url / DATABASE_URL at a new file"
            )
        kb, _ = wiring.load_knowledge(settings, embedder)
        bot = wiring.make_bot(settings, embedder, kb, clock=clock, store=store)
        report = simulate(bot, clock, days=days, per_day=per_day, seed=seed)
    finally:
        store.close()
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(report.outcomes.items()))
    feedback = ", ".join(f"{n} {k}" for k, n in sorted(report.feedback.items())) or "none"
    return (
        f"simulated {report.questions} questions over {days} days ({outcomes}); feedback: {feedback}; "
        f"{report.claimed} escalations claimed, {report.answered} answered by superusers. "
        f"Written to {settings.state_url}."
    )
