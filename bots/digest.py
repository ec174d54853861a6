"""The weekly digest (issue #18, point 6): the dashboard's return on the community for the last 7 complete days
against the 7 before, the top unanswered topics and a link to the dashboard, as plain text for the admins.

The numbers are the /roi page's (bots/dashboard/roi.py), never computed again here. The timer round posts it
once a week (`[dashboard] digest`, UTC) as an "admin" notice: each adapter puts it in its admin channel. Exactly one
replica posts it: the store's lease (`take_turn`) for the job runs until the next posting time. A replica that
was down at the posting time posts it when it comes back within LATE; a week missed by more is skipped.
`peerbot digest` prints the same text at any time.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from peerbot.bots.config import Settings
from peerbot.bots.dashboard.gaps import Gap
from peerbot.bots.dashboard.metrics import Period
from peerbot.bots.dashboard.roi import Trend, Window, community_return, minutes_text
from peerbot.bots.digest_time import DigestTime, parse_digest_time
from peerbot.bots.notices import Notice
from peerbot.bots.state import StateStore
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.sanitize import neutralize_mentions

log = logging.getLogger(__name__)

JOB = "weekly digest"
LATE = timedelta(hours=24)  # how late a replica may still post the week's digest (it was down at the time)
DEFAULT = DigestTime(0, 9, 0)  # Monday 09:00 UTC, when an admin channel is configured
RETRY = timedelta(hours=1)  # a digest that could not be made is tried again after this
TOP_GAPS = 3
TOPIC_SAMPLE = 2000  # the week's latest unanswered questions clustered into topics (the clustering is quadratic)


def digest_time(settings: Settings) -> DigestTime | None:
    """When the digest is posted; None: never (`digest = "off"`, or unset with no admin channel anywhere)."""
    if settings.dashboard.digest is not None:
        return parse_digest_time(settings.dashboard.digest)
    return DEFAULT if settings.slack.admin_channel or settings.discord.admin_channel else None


def schedule_line(settings: Settings, now: datetime) -> str:
    """When the running bot posts the digest, for `peerbot digest` to say."""
    at = digest_time(settings)
    if at is None:
        return (
            "The running bot does not post it: set [dashboard] digest (or slack.admin_channel / "
            "discord.admin_channel) to have it posted every week."
        )
    return f"The running bot posts it to the admin channel every {at} UTC (next: {at.next(now):%Y-%m-%d %H:%M})."


def _day(at: datetime) -> str:
    return f"{at:%a %b} {at.day}"


def _span(window: Window) -> str:
    return f"{_day(window.start)} – {_day(window.last_day)}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _change(trend: Trend, name: str, words: tuple[str, str] = ("", "")) -> str:
    """ ", +20%" against the week before (with `words` for up / down); nothing when there is nothing to compare."""
    change = trend.change(name)
    if change is None:
        return ""
    word = words[0] if change > 0 else words[1] if change < 0 else ""
    return f", {change:+.0%}{f' ({word})' if word else ''}"


def digest_text(trend: Trend, settings: Settings, gaps: Sequence[Gap] = (), url: str | None = None) -> str:
    """The digest as plain text for Slack, Discord and the console: every figure with its sample size and the
    week before; nothing in it can ping anyone."""
    now, before = trend.current, trend.previous
    costs = settings.dashboard
    money = costs.currency
    lines = [
        f"Weekly digest for {settings.community.name}: {_span(now)} (7 complete days, UTC), against {_span(before)}",
        f"• Questions deflected by peer answers: {now.deflected:,} of {now.questions:,} ({_pct(now.deflection_rate)})"
        f"{_change(trend, 'deflected')}; the week before {before.deflected:,} of {before.questions:,} "
        f"({_pct(before.deflection_rate)})",
        f"• Staff time saved: {now.hours_saved:.1f} h{_change(trend, 'hours_saved')} "
        f"(before {before.hours_saved:.1f} h; {costs.case_minutes:g} min a case)",
        f"• Cost saved: {money}{now.cost_saved:,.0f}{_change(trend, 'cost_saved')} "
        f"(before {money}{before.cost_saved:,.0f}; {money}{costs.case_cost:,.2f} a case)",
        f"• Human answers by superusers: {_pct(now.superuser_share)} ({now.by_superusers:,} of {now.human_answers:,})"
        f"; the week before {_pct(before.superuser_share)} ({before.by_superusers:,} of {before.human_answers:,})",
        f"• Median time to a human answer: {minutes_text(now.median_minutes)} (n={now.human_answers:,})"
        f"{_change(trend, 'median_minutes', ('slower', 'faster'))}; the week before "
        f"{minutes_text(before.median_minutes)} (n={before.human_answers:,})",
    ]
    topics = [g for g in gaps if not g.complaint and not g.answered][:TOP_GAPS]
    if topics:
        lines.append(f"Top unanswered topics since {_day(now.start)}:")
        lines += [f"{i}. {g.topic} ({g.questions:,} question{'s' if g.questions != 1 else ''})" for i, g in
                  enumerate(topics, 1)]  # fmt: skip
    if url:
        lines.append(f"Dashboard: {url}/roi")
    return neutralize_mentions("\n".join(lines))


@dataclass(frozen=True)
class DigestNumbers:
    """What the weekly digest and the downloadable report say, computed once: the /roi page's last 7 and 30
    complete days against the periods before, today so far, and the week's unanswered topics."""

    now: datetime
    week: Trend
    month: Trend
    today: Window
    gaps: tuple[Gap, ...] = ()  # from the week's public questions; complaints and answered gaps are flagged

    @property
    def open_topics(self) -> list[Gap]:
        """The unanswered topics, largest first: neither complaints nor covered by an accepted answer since."""
        return [g for g in self.gaps if not g.complaint and not g.answered]


def digest_numbers(
    store: StateStore, settings: Settings, now: datetime, embedder: Embedder | None = None
) -> DigestNumbers:
    """The digest's numbers from the store; the unanswered topics when an embedder is given, from questions asked in
    public only (the digest goes to a chat channel; a failure there leaves the topics out, never the numbers)."""
    (week, month), today = community_return(store, settings, now)
    gaps: list[Gap] = []
    if embedder is not None:
        from peerbot.bots.dashboard.gaps import community_gaps

        try:
            gaps = community_gaps(
                store, embedder, settings, Period(week.current.start), public_only=True, latest=TOPIC_SAMPLE
            )
        except Exception:
            log.exception("the weekly digest goes without its unanswered topics")
    return DigestNumbers(now, week, month, today, tuple(gaps))


def build_digest(store: StateStore, settings: Settings, now: datetime, embedder: Embedder | None = None) -> str:
    """This week's digest from the store (`digest_numbers`) as the admins read it."""
    numbers = digest_numbers(store, settings, now, embedder)
    return digest_text(numbers.week, settings, numbers.gaps, settings.dashboard.public_url)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class WeeklyDigest:
    """The timer round's weekly post: `post_if_due()` is the digest as a notice for the admins, once a week
    across every replica, and nothing otherwise."""

    store: StateStore
    settings: Settings
    embedder: Embedder | None = None
    holder: str = field(default_factory=_holder)
    _done: datetime | None = None  # the posting time this process knows is posted (by it or another replica)
    _failed: datetime | None = None  # when making the digest last failed

    @property
    def at(self) -> DigestTime | None:
        return digest_time(self.settings)

    def post_if_due(self) -> list[Notice]:
        at, now = self.at, self.store.clock()
        if at is None:
            return []
        slot = at.last(now)
        failed = self._failed is not None and now - self._failed < RETRY
        if now - slot >= LATE or self._done == slot or failed:
            return []
        if self.store.turn_taken(JOB):  # another replica posted this week's: no need to build it here
            self._done = slot
            return []
        try:
            text = build_digest(self.store, self.settings, now, self.embedder)
        except Exception:
            log.exception("the weekly digest could not be made; trying again later", extra={"retry_s": RETRY.seconds})
            self._failed = now
            return []
        self._done = slot
        if not self.store.take_turn(JOB, self.holder, at.next(now) - now):  # the turn lasts until the next time
            return []  # another replica posts it
        log.info("weekly digest posted", extra={"week_of": f"{slot:%Y-%m-%d}"})
        return [Notice("admin", text)]
