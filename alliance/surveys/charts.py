"""The client's alliance over sessions as a small, self-contained SVG."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.translation import gettext as _

from alliance.alerts.selectors import alert_kinds_by_session
from alliance.surveys import selectors
from alliance.surveys.scoring import is_low

if TYPE_CHECKING:
    from practice.models import Client

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 40


@dataclass(frozen=True)
class ChartPoint:
    answered_at: datetime
    total: float
    flagged: bool
    alerts: tuple[str, ...] = ()


def alliance_chart_svg(
    points: list[ChartPoint], *, low: float, high: float, threshold: float | None, title: str
) -> str:
    """Totals over real time (answers weeks apart stand weeks apart), dates along the axis,
    the threshold as a dashed line, flagged answers (low, or the cause of an alert) as red
    squares named with their alerts."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (high - low) or 1
    first = points[0].answered_at if points else None
    duration = (points[-1].answered_at - first).total_seconds() if points else 0

    def x(index: int) -> float:
        if not duration:
            return LEFT + plot_w / 2
        elapsed = (points[index].answered_at - first).total_seconds()
        return LEFT + plot_w * elapsed / duration

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(_describe(points, threshold))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#5a5a5a"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#5a5a5a"/>',
        f'<text x="{LEFT - 6}" y="{y(high) + 4:.1f}" text-anchor="end">{_n(high)}</text>',
        f'<text x="{LEFT - 6}" y="{y(low) + 4:.1f}" text-anchor="end">{_n(low)}</text>',
    ]
    if threshold is not None:
        parts += [
            f'<line x1="{LEFT}" y1="{y(threshold):.1f}" x2="{LEFT + plot_w}" '
            f'y2="{y(threshold):.1f}" stroke="#b3261e" stroke-dasharray="6 4"/>',
            f'<text x="{LEFT + plot_w}" y="{y(threshold) - 4:.1f}" text-anchor="end" '
            f'fill="#b3261e">{escape(_("threshold"))} {_n(threshold)}</text>',
        ]
    if points:
        path = " ".join(f"{x(i):.1f},{y(p.total):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#174ea6" stroke-width="2"/>')
    for i, point in enumerate(points):
        label = f"{point.answered_at:%Y-%m-%d}: {_n(point.total)}"
        if point.alerts:
            label += f" ({_('alerts')}: {', '.join(point.alerts)})"
        if point.flagged:
            parts.append(
                f'<rect x="{x(i) - 5:.1f}" y="{y(point.total) - 5:.1f}" width="10" height="10" '
                f'fill="#b3261e"><title>{escape(label)}</title></rect>'
            )
        else:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(point.total):.1f}" r="4" fill="#174ea6">'
                f"<title>{escape(label)}</title></circle>"
            )
    if points:
        parts += _date_axis(first, duration, plot_w, plot_h)
    else:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            f"{escape(_('No answers yet'))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


DATE_TICKS = 4


def _date_axis(first: datetime, duration: float, plot_w: float, plot_h: float) -> list[str]:
    """Dates under the plot: the first and last answers' and evenly spaced ones between."""
    ticks = [0.0] if not duration else [i / DATE_TICKS for i in range(DATE_TICKS + 1)]
    parts = []
    for share in ticks:
        at = first + timedelta(seconds=duration * share)
        x = LEFT + (plot_w * share if duration else plot_w / 2)
        anchor = "start" if share == 0 and duration else "end" if share == 1 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 5}" '
            'stroke="#5a5a5a"/>'
        )
        parts.append(
            f'<text class="axis-date" x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}">'
            f"{at:%Y-%m-%d}</text>"
        )
    return parts


def _n(value: float) -> str:
    return f"{value:g}"


def _describe(points: list[ChartPoint], threshold: float | None) -> str:
    if not points:
        return _("No answers yet.")
    totals = ", ".join(_n(p.total) for p in points)
    flagged = sum(p.flagged for p in points)
    text = _("%(count)d answers, oldest first: %(totals)s.") % {
        "count": len(points),
        "totals": totals,
    }
    if threshold is not None:
        text += " " + _("Threshold %(threshold)s; %(flagged)d flagged.") % {
            "threshold": _n(threshold),
            "flagged": flagged,
        }
    return text


def client_alliance_chart(client: "Client") -> str:
    """The chart of the client's answers on the instrument they answered last."""
    responses = list(selectors.alliance_series(client_id=client.pk))
    latest = (
        responses[-1].instrument
        if responses
        else selectors.instrument_current(selectors.survey_policy().instrument_code)
    )
    shown = [r for r in responses if r.instrument.code == latest.code]
    alerts = alert_kinds_by_session(client_id=client.pk)

    def session_alerts(response) -> set:
        # Answers of the time-based cadence have no session to tie an alert to.
        return alerts.get(response.session_id, set()) if response.session_id else set()

    low, high = latest.total_range
    points = [
        ChartPoint(
            r.answered_at,
            r.total,
            flagged=bool(session_alerts(r)) or is_low(r.instrument, r.total, r.answers),
            alerts=tuple(sorted(session_alerts(r))),
        )
        for r in shown
    ]
    return alliance_chart_svg(
        points, low=low, high=high, threshold=latest.threshold, title=f"Alliance: {latest.name}"
    )
