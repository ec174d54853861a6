"""What the pages show: the metrics for a period, the knowledge base, and 'what would the bot answer'."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.curation import StoreCuration
from peerbot.bots.dashboard import charts, metrics, rewards_view
from peerbot.bots.dashboard.gaps import CachedEmbedder, Gap, community_gaps
from peerbot.bots.dashboard.metrics import Period
from peerbot.bots.gate_learning import GateStatus
from peerbot.bots.state import StateStore, utcnow
from peerbot.errors import PeerbotError
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.index_files import current_version
from peerbot.knowledge.retriever import HybridRetriever


def day_label(day: date) -> str:
    """A chart's date as people read it: "Mar 4"."""
    return f"{day:%b} {day.day}"


GAP_SAMPLE = 2000  # the overview clusters the period's latest so many unanswered questions into topics
OVERVIEW_MINUTES = 5  # the overview's counts, sentiment and topics are computed at most this often
RAW_TABLES = ("questions", "escalations", "feedback", "points", "badges", "review_queue")
Table = tuple[list[str], list[list[Any]]]


@dataclass
class SearchResult:
    query: str
    outcome: str
    urgent: bool
    matches: list[Match] = field(default_factory=list)


class Knowledge:
    """The serving index, reloaded when another process publishes a new version."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings, self.embedder = settings, embedder
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self.error: str | None = None

    def current(self) -> KnowledgeBase | None:
        published = current_version(wiring.index_dir(self.settings))
        with self._lock:
            if published is None:
                self._kb, self.error = None, "no index yet: run `peerbot index`"
            elif self._kb is None or self._kb.version != published:
                try:
                    self._kb, warning = wiring.load_knowledge(self.settings, self.embedder)
                    self.error = warning
                except PeerbotError as exc:
                    self.error = str(exc)
            return self._kb


class DashboardData:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: StateStore | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store or wiring.open_store(settings)  # the dashboard process's one store
        self.knowledge = Knowledge(settings, embedder)
        self.clock = clock
        self.gap_embedder = CachedEmbedder(embedder)
        self._overview_kept: dict[int, tuple[datetime, dict[str, Any]]] = {}
        self._gate_kept: tuple[datetime, int | None, GateStatus] | None = None

    def period(self, days: int) -> Period:
        return Period(self.clock() - timedelta(days=days) if days > 0 else None)

    # -- the overview page ----------------------------------------------------------------------

    def overview(self, days: int) -> dict[str, Any]:
        """The overview page's values: the numbers counted over the period's questions (kept OVERVIEW_MINUTES),
        with the answer gate's steps, leaderboard, rewards and knowledge base as they are now."""
        period = self.period(days)
        return {
            **self._overview_numbers(days),
            "faq": self._faq_name(),
            "leaders": metrics.leaderboard(self.store, self.settings, period),
            "rewards": rewards_view.summary(self.store, self.settings),
            "kb": self.kb_summary(),
            "gate": self.gate(),
        }

    def _overview_numbers(self, days: int) -> dict[str, Any]:
        """Each counts or reads every question of the period (a sentiment score per question, the gaps' topics):
        computed at most every OVERVIEW_MINUTES per period length, like the return page."""
        now = self.clock()
        kept = self._overview_kept.get(days)
        if kept is None or not timedelta(0) <= now - kept[0] < timedelta(minutes=OVERVIEW_MINUTES):
            if len(self._overview_kept) >= 8:  # a few period lengths are kept, not one per URL anyone tries
                self._overview_kept.clear()
            self._overview_kept[days] = kept = (now, self._count_overview(days))
        return kept[1]

    def _count_overview(self, days: int) -> dict[str, Any]:
        period = self.period(days)
        classes = metrics.class_counts(self.store, period)  # counted once for the three views of it
        outcomes = metrics.outcomes(self.store, period, classes)
        per_day = metrics.questions_by_day(self.store, period, classes)
        deflection = metrics.deflection_by_day(self.store, period, classes)
        mood = metrics.sentiment_by_day(self.store, self.settings.escalation.urgent_sentiment, period)
        escalations = self.store.escalation_timings_since(period.since)
        gaps = community_gaps(self.store, self.gap_embedder, self.settings, period, latest=GAP_SAMPLE)
        return {
            "days": days,
            "outcomes": outcomes,
            "outcome_labels": metrics.OUTCOME_LABELS,
            "channels": self._channel_totals(per_day),
            "escalations": metrics.escalation_stats(self.store, self.settings, period, escalations),
            "urgent": self.store.urgent_escalations_since(period.since, limit=10),
            "gap_sample": GAP_SAMPLE,
            "gaps": [g for g in gaps if not g.complaint],
            "complaints": [g for g in gaps if g.complaint],
            "sentiment": mood,
            "charts": {
                "questions": self._questions_chart(per_day),
                "outcomes": charts.share_bar(
                    "outcome shares",
                    [(metrics.OUTCOME_LABELS[k], float(n)) for k, n in outcomes.counts.items()],
                ),
                "deflection": charts.lines(
                    "deflection rate",
                    [day_label(d.day) for d in deflection],
                    {"deflection rate": [d.rate for d in deflection]},
                    high=1.0,
                    percent=True,
                    notes=[f"{d.deflected} of {d.questions} questions" for d in deflection],
                ),
                "sentiment": charts.lines(
                    "sentiment",
                    [day_label(d.day) for d in mood],
                    {"mean sentiment (VADER)": [d.mean for d in mood]},
                    low=-1.0,
                    high=1.0,
                    notes=[f"n={d.questions}" for d in mood],
                ),
            },
        }

    def gate(self) -> dict[str, Any]:
        """The answer threshold now, why, and its last steps (learnt from feedback or reset). Its labels (every
        judged reply since the last reset) are counted at most every OVERVIEW_MINUTES, and at once after a step."""
        steps = self.store.gate_steps(limit=10)
        now, newest = self.clock(), steps[0].id if steps else None
        kept = self._gate_kept
        if kept is None or kept[1] != newest or not timedelta(0) <= now - kept[0] < timedelta(minutes=OVERVIEW_MINUTES):
            self._gate_kept = kept = (now, newest, wiring.learned_gate(self.settings, self.store).status())
        return {"status": kept[2], "steps": steps}

    def _channel_totals(self, per_day: list[metrics.DayCount]) -> list[tuple[str, str, int]]:
        totals: Counter[tuple[str, str]] = Counter()
        for c in per_day:
            totals[(c.platform, c.channel)] += c.questions
        return [(p, ch, n) for (p, ch), n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _questions_chart(self, per_day: list[metrics.DayCount]) -> Any:
        days = sorted({c.day for c in per_day})
        by_platform: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(days))
        for c in per_day:
            by_platform[c.platform][days.index(c.day)] += c.questions
        return charts.stacked_bars("questions per day", [day_label(d) for d in days], dict(by_platform))

    def gaps(self, period: Period) -> list[Gap]:
        return community_gaps(self.store, self.gap_embedder, self.settings, period)

    def _faq_name(self) -> str | None:
        from peerbot.bots.dashboard.faq import faq_target

        target = faq_target(self.settings)
        return target[0] if target else None

    def kb_summary(self) -> dict[str, Any]:
        kb = self.knowledge.current()
        if kb is None:
            return {"entries": 0, "sources": [], "version": None, "created": None, "model": None}
        return {
            "entries": len(kb),
            "sources": Counter(e.source for e in kb.entries).most_common(),
            "version": kb.version,
            "created": kb.manifest.get("created"),
            "model": kb.manifest.get("model"),
        }

    # -- what would the bot answer --------------------------------------------------------------

    def search(self, query: str) -> SearchResult | None:
        """The bot's own pipeline (bots/answering.py) for a public question: the same decision, no record written."""
        kb = self.knowledge.current()
        if kb is None or not query.strip():
            return None
        calibrator = wiring.load_calibrator(self.settings)
        retriever = HybridRetriever(kb, self.embedder, calibrator, curation=StoreCuration(self.store))
        found = wiring.answerer(self.settings, retriever, self.store).assess(query, Audience())
        return SearchResult(query, found.outcome.value, found.urgent, found.matches[: wiring.TOP_K])

    # -- CSV exports ----------------------------------------------------------------------------

    def table_names(self) -> list[str]:
        return [*RAW_TABLES, *self._derived, *rewards_view.TABLES]

    @property
    def _derived(self) -> dict[str, Callable[[Period], Table]]:
        return {
            "questions_by_day": self._t_questions_by_day,
            "outcomes": self._t_outcomes,
            "deflection_by_day": self._t_deflection,
            "escalations_by_superuser": self._t_superusers,
            "content_gaps": self._t_gaps,
            "leaderboard": self._t_leaders,
            "sentiment_by_day": self._t_sentiment,
            "knowledge_sources": self._t_sources,
        }

    def table(self, name: str, days: int) -> Table | None:
        if name in RAW_TABLES:
            return self._raw(name, self.period(days))
        if name in rewards_view.TABLES:  # whole history: rewards are not cut by the period
            return rewards_view.tables(self.store, self.settings)[name]
        make = self._derived.get(name)
        return make(self.period(days)) if make else None

    def _raw(self, name: str, period: Period) -> Table:
        return self.store.export_table(name, period.since)

    def _t_questions_by_day(self, p: Period) -> Table:
        rows = metrics.questions_by_day(self.store, p)
        return ["day", "platform", "channel", "questions"], [[r.day, r.platform, r.channel, r.questions] for r in rows]

    def _t_outcomes(self, p: Period) -> Table:
        o = metrics.outcomes(self.store, p)
        rows: list[list[Any]] = [[k, n, round(o.share(k), 4)] for k, n in o.counts.items()]
        rows.append(["deflected", o.deflected, round(o.deflection_rate, 4)])
        return ["outcome", "questions", "share"], rows

    def _t_deflection(self, p: Period) -> Table:
        rows = metrics.deflection_by_day(self.store, p)
        return ["day", "questions", "deflected", "rate"], [
            [r.day, r.questions, r.deflected, round(r.rate, 4)] for r in rows
        ]

    def _t_superusers(self, p: Period) -> Table:
        stats = metrics.escalation_stats(self.store, self.settings, p)
        header = ["superuser", "name", "claimed", "answered", "resolved", "median_minutes", "p90_minutes"]
        rows = [
            [w.superuser, w.name, w.claimed, w.answered, w.resolved, w.first_answer.median, w.first_answer.p90]
            for w in stats.per_superuser
        ]
        return header, rows

    def _t_gaps(self, p: Period) -> Table:
        return ["topic", "questions", "examples", "complaint", "accepted_answers"], [
            [g.topic, g.questions, " | ".join(g.examples), g.complaint, g.accepted] for g in self.gaps(p)
        ]

    def _t_leaders(self, p: Period) -> Table:
        rows = metrics.leaderboard(self.store, self.settings, p)
        header = ["superuser", "name", "points", "rank", "badges", "deflections"]
        return header, [[r.superuser, r.name, r.points, r.rank, "; ".join(r.badges), r.deflections] for r in rows]

    def _t_sentiment(self, p: Period) -> Table:
        rows = metrics.sentiment_by_day(self.store, self.settings.escalation.urgent_sentiment, p)
        return ["day", "questions", "mean_sentiment", "negative"], [
            [r.day, r.questions, r.mean, r.negative] for r in rows
        ]

    def _t_sources(self, _: Period) -> Table:
        return ["source", "entries"], [list(s) for s in self.kb_summary()["sources"]]
