"""A motion's result against its majority rule in one sentence, with the real numbers.

"Yes votes required / reached: 2 / 3" read as if two yes votes would have sufficed; the rule
says what is compared with what: yes against no (simple majority), or yes against a share of
the votes cast (yes + no) with the smallest number of yes votes that reaches it.
"""

from __future__ import annotations

from governance.ballots.models import Majority
from governance.ballots.tally import ADOPTED, PollResult
from governance.i18n import _


def majority_line(result: PollResult) -> str:
    """E.g. "Yes (3) exceeds No (1)" or "Yes (8) reaches three quarters of the votes cast
    (at least 6)"; the negation when the motion failed. Motions only."""
    yes, no = result.counts.get("YES", 0), result.counts.get("NO", 0)
    passed = result.outcome == ADOPTED
    rule = Majority(result.majority)
    if rule in (Majority.SIMPLE, Majority.RELATIVE):
        if passed:
            return _("Yes (%(yes)d) exceeds No (%(no)d)", yes=yes, no=no)
        return _("Yes (%(yes)d) does not exceed No (%(no)d)", yes=yes, no=no)
    keys = {"yes": yes, "n": result.required}
    if rule == Majority.THREE_QUARTERS:
        if passed:
            return _(
                "Yes (%(yes)d) reaches three quarters of the votes cast (at least %(n)d)", **keys
            )
        return _(
            "Yes (%(yes)d) does not reach three quarters of the votes cast (at least %(n)d)", **keys
        )
    if passed:
        return _("Yes (%(yes)d) reaches nine tenths of the votes cast (at least %(n)d)", **keys)
    return _("Yes (%(yes)d) does not reach nine tenths of the votes cast (at least %(n)d)", **keys)
