"""Small SVG charts rendered on the server: no JavaScript, no build step, works offline. Every bar, point and
share has a tooltip (an SVG <title>) with its value and, where given, its sample size; at most 8 x-axis labels,
every other one "minor" so a phone's stylesheet can hide them and print the rest larger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 12, 40
X_LABELS = 8  # at most this many labels under the x axis


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(name: str, body: list[str], legend: Sequence[str] = ()) -> Markup:
    keys = "".join(
        f'<span class="key"><i style="background:{PALETTE[i % len(PALETTE)]}"></i>{escape(k)}</span>'
        for i, k in enumerate(legend)
    )
    svg = (
        f'<svg class="chart" data-chart="{escape(name)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(name)}" xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )
    return Markup(f'<figure class="figure">{svg}<figcaption>{keys}</figcaption></figure>')


def _axes(labels: Sequence[str], top: float, fmt: Callable[[float], str]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick y" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>')
    step = -(-len(labels) // X_LABELS)  # ceil: at most X_LABELS labels
    for k, i in enumerate(range(0, len(labels), step)):
        minor = " minor" if k % 2 else ""
        out.append(
            f'<text class="tick x{minor}" x="{_x(i, len(labels)):.1f}" y="{HEIGHT - BOTTOM + 22}" '
            f'text-anchor="middle">{escape(labels[i])}</text>'
        )
    return out


def _x(i: int, n: int) -> float:
    plot_w = WIDTH - LEFT - RIGHT
    return LEFT + plot_w * (i + 0.5) / max(n, 1)


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value / top if top else 0)


def empty(name: str) -> Markup:
    return _frame(
        name, [f'<text class="tick" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data yet</text>']
    )


def stacked_bars(name: str, labels: Sequence[str], series: dict[str, Sequence[float]]) -> Markup:
    """One bar per label, stacked by series (e.g. questions per day by platform)."""
    if not labels or not series:
        return empty(name)
    totals = [sum(s[i] for s in series.values()) for i in range(len(labels))]
    top = max(max(totals), 1)
    bar_w = max(2.0, (WIDTH - LEFT - RIGHT) / len(labels) * 0.7)
    body = _axes(labels, top, _fmt)
    base = [0.0] * len(labels)
    for k, (key, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        for i, value in enumerate(values):
            if value:
                y0, y1 = _y(base[i], top), _y(base[i] + value, top)
                body.append(
                    f'<rect class="bar" x="{_x(i, len(labels)) - bar_w / 2:.1f}" y="{y1:.1f}" width="{bar_w:.1f}" '
                    f'height="{y0 - y1:.1f}" fill="{color}"><title>{escape(labels[i])} {escape(key)}: '
                    f"{_fmt(value)} of {_fmt(totals[i])}</title></rect>"
                )
                base[i] += value
    return _frame(name, body, list(series))


def lines(
    name: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    low: float = 0.0,
    high: float | None = None,
    percent: bool = False,
    notes: Sequence[str] = (),
) -> Markup:
    """A line per series over the labels; `low`..`high` is the value range (a fixed scale for rates); `notes`, one
    per label, go into each point's tooltip after its value (the sample size: "12 of 20 questions")."""
    if not labels or not series:
        return empty(name)
    top = high if high is not None else max(max(v) for v in series.values()) or 1.0
    span = top - low or 1.0

    def fmt(v: float) -> str:
        value = low + v
        return f"{value:.0%}" if percent else _fmt(value)

    body = _axes(labels, span, fmt)
    for k, (key, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        points = [(_x(i, len(labels)), _y(v - low, span)) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line" points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, ((x, y), label, v) in enumerate(zip(points, labels, values, strict=True)):
            shown = f"{v:.0%}" if percent else f"{v:.2f}"
            note = f" ({notes[i]})" if i < len(notes) and notes[i] else ""
            body.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"><title>{escape(label)} '
                f"{escape(key)}: {shown}{escape(note)}</title></circle>"
            )
    return _frame(name, body, list(series))


def share_bar(name: str, parts: Sequence[tuple[str, float]]) -> Markup:
    """One horizontal 100% bar split into parts (e.g. outcome shares)."""
    total = sum(v for _, v in parts)
    if not total:
        return empty(name)
    x, body = float(LEFT), []
    plot_w = WIDTH - LEFT - RIGHT
    for k, (key, value) in enumerate(parts):
        w = plot_w * value / total
        if w > 0:
            color = PALETTE[k % len(PALETTE)]
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{TOP + 40}" width="{w:.1f}" height="60" fill="{color}">'
                f"<title>{escape(key)}: {value / total:.0%} ({_fmt(value)} of {_fmt(total)})</title></rect>"
            )
            if w > 34:
                body.append(
                    f'<text class="inbar" x="{x + w / 2:.1f}" y="{TOP + 75}" text-anchor="middle">'
                    f"{value / total:.0%}</text>"
                )
            x += w
    return _frame(name, body, [k for k, _ in parts])
