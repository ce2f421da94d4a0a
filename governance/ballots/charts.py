"""A horizontal bar chart as inline SVG, rendered on the server (no JavaScript, CSP-safe).

Only presentation attributes are used (no style attributes), and every bar carries its number
as text, so the chart is readable without colours; the page shows the same numbers in a table.
Phone first: each label stands above its bar (wrapped to the chart's width), so the chart is
narrow (WIDTH) and its text stays readable when a 390 px phone shows it at its full width
(15 px in a 400 px wide viewBox: no smaller than 13 px on the phone).
"""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from governance.ballots import choices as ch
from governance.ballots.forms import ANSWER_LABELS, MOTION_LABELS
from governance.ballots.models import PollKind
from governance.ballots.tally import PollResult

COLOURS = {"yes": "#2e7d32", "no": "#c62828", "abstain": "#757575", "other": "#1565c0"}
WIDTH, FONT, LINE, BAR, GAP, PAD = 400, 15, 19, 20, 12, 4
NUMBER_W = 56  # room for the number right of the longest bar
WRAP = 44  # characters of a label line (about WIDTH at FONT)


def bar_chart(rows: list[tuple[str, int, str]], *, title: str) -> Markup:
    """rows: (label, value, colour key). An accessible SVG with a <title>."""
    top = max([v for _l, v, _c in rows] + [1])
    parts: list[str] = []
    y = PAD
    for label, value, colour in rows:
        for line in textwrap.wrap(label, WRAP) or [""]:
            y += LINE
            parts.append(
                f'<text x="0" y="{y - 5}" font-size="{FONT}" fill="#222">{escape(line)}</text>'
            )
        width = round((WIDTH - NUMBER_W) * value / top)
        fill = COLOURS.get(colour, COLOURS["other"])
        parts += [
            f'<rect x="0" y="{y + 2}" width="{width}" height="{BAR}" fill="{fill}"/>',
            f'<text x="{width + 6}" y="{y + BAR - 3}" font-size="{FONT}" font-weight="bold" '
            f'fill="#222">{value}</text>',
        ]
        y += BAR + GAP
    height = y + PAD - GAP
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(parts) + "</svg>")  # noqa: S704  (every text is escaped)


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
