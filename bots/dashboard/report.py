"""The return on the community as a one-page HTML report to download, forward or print (issue #18, point 6): the
weekly digest's numbers (bots/digest.py, computed once there) for the last 7 and 30 complete days, each against the
period before with its sample size, today apart, and the week's top unanswered topics. One self-contained file:
inline CSS, no scripts, no external assets; a print stylesheet fits it on one A4 page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peerbot.bots.config import Settings
from peerbot.bots.dashboard.roi import Trend, Window, minutes_text
from peerbot.bots.digest import DigestNumbers

TEMPLATES = Path(__file__).with_name("templates")
TOP_TOPICS = 5


@dataclass(frozen=True)
class Line:
    """One figure of a period: its value now and in the period before, the change, and whether that is good."""

    label: str
    now: str
    before: str
    change: str  # "+20%", "" when there is nothing to compare with
    good: bool | None  # None: neither (no change, or nothing to compare)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _of(part: int, whole: int, rate: float | None) -> str:
    return f"{part:,} of {whole:,} ({_pct(rate)})"


def _share(window: Window) -> str:
    return f"{_pct(window.superuser_share)} ({window.by_superusers:,} of {window.human_answers:,})"


def _line(trend: Trend, name: str, label: str, show: str, before: str, better_up: bool = True) -> Line:
    change = trend.change(name)
    if change is None:
        return Line(label, show, before, "", None)
    return Line(label, show, before, f"{change:+.0%}", None if change == 0 else (change > 0) == better_up)


def lines(trend: Trend, settings: Settings) -> list[Line]:
    """The digest's figures for one period, each with its sample size, written as the digest writes them."""
    now, before, money = trend.current, trend.previous, settings.dashboard.currency
    return [
        _line(
            trend,
            "deflected",
            "Questions deflected by peer answers",
            _of(now.deflected, now.questions, now.deflection_rate),
            _of(before.deflected, before.questions, before.deflection_rate),
        ),
        _line(trend, "hours_saved", "Staff time saved", f"{now.hours_saved:.1f} h", f"{before.hours_saved:.1f} h"),
        _line(trend, "cost_saved", "Cost saved", f"{money}{now.cost_saved:,.0f}", f"{money}{before.cost_saved:,.0f}"),
        _line(trend, "superuser_share", "Human answers by superusers", _share(now), _share(before)),
        _line(
            trend,
            "median_minutes",
            "Median time to a human answer",
            f"{minutes_text(now.median_minutes)} (n={now.human_answers:,})",
            f"{minutes_text(before.median_minutes)} (n={before.human_answers:,})",
            better_up=False,
        ),
    ]


def _span(window: Window) -> str:
    return f"{window.start:%b} {window.start.day} – {window.last_day:%b} {window.last_day.day}"


def report_html(numbers: DigestNumbers, settings: Settings) -> str:
    """The report as one HTML document (its text escaped: community and topic names are not markup)."""
    try:
        import jinja2
    except ImportError as exc:
        from peerbot.errors import MissingExtra

        raise MissingExtra("jinja2", "dashboard", "the HTML report") from exc
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    periods = [(t, _span(t.current), _span(t.previous), lines(t, settings)) for t in (numbers.week, numbers.month)]
    return env.get_template("report.html").render(
        community=settings.community.name,
        numbers=numbers,
        periods=periods,
        today=numbers.today,
        topics=numbers.open_topics[:TOP_TOPICS],
        complaints=sum(1 for g in numbers.gaps if g.complaint),
        costs=settings.dashboard,
        url=settings.dashboard.public_url,
        minutes=minutes_text,
        pct=_pct,
    )
