"""storage.ratings: stars shown as given, and the stars' verdict on every scale."""

from __future__ import annotations

import pytest

from storage.ratings import star_verdict, stars_of_five, stars_text


@pytest.mark.parametrize(
    ("rating", "best", "shown"),
    [
        (1, 5, "★☆☆☆☆ 1/5"),  # was "☆☆☆☆☆ 0.0/5" from the normalised 0
        (2, 5, "★★☆☆☆ 2/5"),
        (4.5, 5, "★★★★★ 4.5/5"),
        (3, 10, "★★☆☆☆ 3/10"),
        (6, 7, "★★★★☆ 6/7"),
        (45, 5, "45/5"),  # a page with a wrong bestRating: shown as given, no stars
        (4, None, "4"),
    ],
)
def test_stars_are_shown_as_given(
    rating: float, best: float | None, shown: str
) -> None:
    assert stars_text(rating, best) == shown


@pytest.mark.parametrize(
    ("rating", "best", "verdict"),
    [
        (1, 5, "negative"),
        (2, 5, "negative"),
        (3, 5, None),  # the text decides
        (4, 5, "positive"),
        (5, 5, "positive"),
        (2.5, 5, None),
        (4, 10, "negative"),  # 40 % of the best, like 2 of 5
        (5, 10, None),
        (7, 10, None),
        (8, 10, "positive"),
        (2, 7, "negative"),
        (3, 7, None),
        (6, 7, "positive"),
        (0, 5, "negative"),
        (6, 5, None),  # out of its scale: decides nothing
        (None, 5, None),
        (3, None, None),
    ],
)
def test_the_stars_decide_one_to_two_of_five_and_four_to_five(
    rating: float | None, best: float | None, verdict: str | None
) -> None:
    assert star_verdict(rating, best) == verdict


def test_stars_of_five_scale_proportionally() -> None:
    assert stars_of_five(2, 5) == 2
    assert stars_of_five(4, 10) == 2
    assert stars_of_five(87, 100) == pytest.approx(4.35)
    assert stars_of_five(None, 5) is None
