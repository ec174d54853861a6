"""The conversation log (issue #18, point 2): every question with what the bot did and why, the escalation and
human answer it led to, and the asker's feedback; filtered by platform, channel, outcome, member and date."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peerbot.bots.conversation import EscalationStatus
from peerbot.bots.dashboard.names import NameBook, name_book
from peerbot.bots.dashboard.service import DashboardData, SearchResult
from peerbot.bots.schema import AskedQuestion, Escalation
from peerbot.bots.state_control import LogFilter
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.neutralize import inert_entry

PAGE_SIZE = 50
CHOICES_SECONDS = 300.0  # a new channel appears in the log's filter menu within this time
OUTCOMES = ("answer", "suggest", "escalate", "out_of_scope", "throttled")


@dataclass(frozen=True)
class LogRow:
    question: AskedQuestion
    entry: KnowledgeEntry | None  # the best match it had (inert), if still in the index
    escalations: tuple[Escalation, ...]
    feedback: tuple[str, ...]

    @property
    def human_answer(self) -> Escalation | None:
        return next((e for e in self.escalations if e.answer), None)


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def log_filter(platform: str, channel: str, outcome: str, asker: str, since: str, until: str) -> LogFilter:
    """The filters from the page's form; an unparsable date is ignored (the form shows it empty)."""
    start, end = parse_day(since), parse_day(until)
    return LogFilter(
        platform=platform or None,
        channel=channel or None,
        outcome=outcome if outcome in OUTCOMES else None,
        asker=asker.strip() or None,
        since=datetime.combine(start, datetime.min.time()) if start else None,
        until=datetime.combine(end, datetime.min.time()) + timedelta(days=1) if end else None,
    )


class ConversationLog:
    def __init__(self, data: DashboardData) -> None:
        self.data = data
        self.names = {s.community_id: s.name for s in data.settings.superusers}
        self._choices: tuple[float, dict[str, list[str]]] | None = None

    def page(self, filters: LogFilter, page: int = 1) -> tuple[list[LogRow], int]:
        found, total, escalations, verdicts = self.data.store.conversation_log(
            filters, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE
        )
        rows = [
            LogRow(q, self._entry(q.entry_id), tuple(escalations.get(q.id, ())), tuple(verdicts.get(q.id, ())))
            for q in found
        ]
        return rows, total

    def one(self, question_id: int) -> tuple[LogRow, SearchResult | None] | None:
        """A question, and what the bot would make of it now (the matches, confidences and reasons)."""
        question = self.data.store.question(question_id)
        if question is None:
            return None
        escalation = self.data.store.escalation_for_question(question_id, tuple(EscalationStatus))
        verdicts = tuple(f.verdict for f in self.data.store.feedback_for(question_id))
        row = LogRow(question, self._entry(question.entry_id), (escalation,) if escalation else (), verdicts)
        return row, self.data.search(question.text)

    def name(self, who: str | None) -> str:
        return self.names.get(who or "", who or "–")

    def choices(self) -> dict[str, list[str]]:
        """The platforms and channels for the filters: a full pass over the questions, so kept CHOICES_SECONDS."""
        now = time.monotonic()
        if self._choices is None or now - self._choices[0] > CHOICES_SECONDS:
            self._choices = (now, self.data.store.log_choices())
        return self._choices[1]

    def channel_options(self) -> list[tuple[str, str]]:
        """The channel menu: (id, "#help (slack)") by name, then the ids nobody named."""
        places = [tuple(p.split("\t", 1)) for p in self.choices().get("places", [])]
        book = name_book(self.data.store, self.data.settings, ((p, c, None) for p, c in places))
        options = {c: book.channel_label(p, c) for p, c in places}
        return sorted(options.items(), key=lambda o: (not o[1].startswith("#"), o[1].casefold()))

    def book(self, rows: list[LogRow]) -> NameBook:
        """The names of the channels, askers and answerers on a page."""
        places = [(r.question.platform, r.question.channel, r.question.asker) for r in rows]
        answerers = [(r.question.platform, None, e.answered_by) for r in rows for e in r.escalations]
        return name_book(self.data.store, self.data.settings, [*places, *answerers])

    def _entries(self) -> dict[str, KnowledgeEntry]:
        kb = self.data.knowledge.current()
        return {e.id: e for e in kb.entries} if kb else {}

    def _entry(self, entry_id: str | None) -> KnowledgeEntry | None:
        found = self._entries().get(entry_id or "")
        return inert_entry(found) if found else None
