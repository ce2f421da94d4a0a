"""Majorities (domain.md): simple, 3/4, 9/10 of votes cast, ties, elections in both modes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.ballots import choices as ch
from governance.ballots.models import ElectionMode, Majority, PollKind
from governance.ballots.tally import ADOPTED, REJECTED, TIE, evaluate_majority, fill_seats

votes = st.integers(min_value=0, max_value=10_000)


@pytest.mark.parametrize(
    ("majority", "yes", "no", "outcome", "required"),
    [
        (Majority.SIMPLE, 10, 9, ADOPTED, 10),
        (Majority.SIMPLE, 9, 9, TIE, 10),
        (Majority.SIMPLE, 0, 0, REJECTED, 1),
        (Majority.SIMPLE, 1, 0, ADOPTED, 1),
        (Majority.THREE_QUARTERS, 75, 25, ADOPTED, 75),  # exactly 3/4 suffices
        (Majority.THREE_QUARTERS, 74, 25, REJECTED, 75),
        (Majority.THREE_QUARTERS, 3, 1, ADOPTED, 3),
        (Majority.THREE_QUARTERS, 2, 1, REJECTED, 3),
        (Majority.NINE_TENTHS, 9, 1, ADOPTED, 9),
        (Majority.NINE_TENTHS, 89, 11, REJECTED, 90),
        (Majority.NINE_TENTHS, 0, 0, REJECTED, 1),
    ],
)
def test_majority_table(majority, yes, no, outcome, required):
    assert evaluate_majority(majority, yes, no) == (outcome, required)


@given(yes=votes, no=votes)
def test_simple_majority_is_yes_over_no(yes, no):
    outcome, _required = evaluate_majority(Majority.SIMPLE, yes, no)
    assert (outcome == ADOPTED) == (yes > no)
    assert (outcome == TIE) == (yes == no > 0)


@given(yes=votes, no=votes, rule=st.sampled_from([Majority.THREE_QUARTERS, Majority.NINE_TENTHS]))
def test_qualified_majorities_exact(yes, no, rule):
    share = Fraction(3, 4) if rule == Majority.THREE_QUARTERS else Fraction(9, 10)
    outcome, required = evaluate_majority(rule, yes, no)
    cast = yes + no
    assert (outcome == ADOPTED) == (cast > 0 and Fraction(yes, cast) >= share)
    # `required` is the smallest number of yes votes (of these votes cast) that adopts.
    if cast:
        assert required >= share * cast > required - 1


@given(yes=votes, no=votes, extra=st.integers(min_value=1, max_value=100))
def test_more_yes_never_hurts(yes, no, extra):
    for rule in (Majority.SIMPLE, Majority.THREE_QUARTERS, Majority.NINE_TENTHS):
        if evaluate_majority(rule, yes, no)[0] == ADOPTED:
            assert evaluate_majority(rule, yes + extra, no)[0] == ADOPTED


@given(
    scores=st.lists(st.integers(min_value=0, max_value=20), max_size=8),
    seats=st.integers(min_value=1, max_value=4),
)
def test_fill_seats(scores, seats):
    ranked = [(f"C{i}", s) for i, s in enumerate(scores)]
    elected, tied = fill_seats(ranked, seats)
    score = dict(ranked)
    assert len(elected) <= seats and not set(elected) & set(tied)
    assert all(score[c] > 0 for c in elected + tied)
    if tied:
        assert len(elected) < seats < len(elected) + len(tied)
        assert len({score[c] for c in tied}) == 1
    # Everyone elected beats everyone not elected; nobody left out beats a tied one.
    for c in elected:
        assert all(score[c] > score[o] for o in score if o not in elected and o not in tied)


def test_choice_encoding_round_trip():
    shape = ch.Shape(PollKind.ELECTION, ElectionMode.CHOOSE_UP_TO_N, 2, (4, 7, 9))
    assert ch.decode(shape, ch.encode_choose({9, 4})) == frozenset({4, 9})
    assert ch.decode(shape, "4,7,9") is None  # more than the seats
    assert ch.decode(shape, "9,4") is None  # not canonical
    assert ch.decode(shape, "5") is None  # no such candidate
    per = ch.Shape(PollKind.ELECTION, ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE, 1, (4, 7))
    assert ch.decode(per, "4=Y;7=N") == {4: "Y", 7: "N"}
    assert ch.decode(per, "4=Y") is None and ch.decode(per, "7=N;4=Y") is None
    motion = ch.Shape(PollKind.MOTION, None, 1, ())
    assert [ch.is_valid(motion, c) for c in ("YES", "NO", "ABSTAIN", "MAYBE")] == [
        True,
        True,
        True,
        False,
    ]
