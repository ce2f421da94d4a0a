"""A horizontal bar chart as inline SVG, rendered on the server (no JavaScript, CSP-safe).

Only presentation attributes are used (no style attributes), and every bar carries its number
as text, so the chart is readable without colours; the page shows the same numbers in a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from governance.ballots import choices as ch
from governance.ballots.forms import ANSWER_LABELS, MOTION_LABELS
from governance.ballots.models import PollKind
from governance.ballots.tally import PollResult

COLOURS = {"yes": "#2e7d32", "no": "#c62828", "abstain": "#757575", "other": "#1565c0"}
ROW, LABEL_W, BAR_W, PAD = 28, 180, 360, 6


def bar_chart(rows: list[tuple[str, int, str]], *, title: str) -> Markup:
    """rows: (label, value, colour key). An accessible SVG with a <title>."""
    top = max([v for _l, v, _c in rows] + [1])
    height = ROW * len(rows) + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{LABEL_W + BAR_W + 80}" height="{height}" '
        f'viewBox="0 0 {LABEL_W + BAR_W + 80} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, colour) in enumerate(rows):
        y = PAD + i * ROW
        width = round(BAR_W * value / top)
        fill = COLOURS.get(colour, COLOURS["other"])
        parts += [
            f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" font-size="14" '
            f'fill="#222">{escape(label)}</text>',
            f'<rect x="{LABEL_W}" y="{y}" width="{width}" height="{ROW - 10}" fill="{fill}"/>',
            f'<text x="{LABEL_W + width + 6}" y="{y + 15}" font-size="14" fill="#222">'
            f"{value}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated text is escaped)


def chart_rows(result: PollResult) -> list[tuple[str, int, str]]:
    """Bars of the chart: yes/no/abstain for motions, per candidate for elections."""
    if result.kind == PollKind.MOTION:
        return [
            (str(MOTION_LABELS[c]), result.counts.get(c, 0), c.lower()) for c in ch.MOTION_CHOICES
        ]
    if result.election_mode == "CHOOSE_UP_TO_N":
        return [(c.label, c.votes, "other") for c in result.candidates]
    return [
        (f"{c.label}: {ANSWER_LABELS[a]}", n, k)
        for c in result.candidates
        for a, n, k in (("Y", c.yes, "yes"), ("N", c.no, "no"))
    ]
