"""What a stored review rating means: stars as the site gave them, and their verdict.

A rating is stored as given (``mentions.rating``, e.g. ``1`` or ``4.5``) with the
top of its scale (``mentions.rating_best``, e.g. ``5`` or ``10``), so nobody reads
a 1-star review as ``0.0/5``. Every comparison goes through the share of the
best rating, ``rating / rating_best``, because that is how a reader takes "2 of
5" or "4 of 10":

* the stars decide the verdict of a rated review: at most 2/5 (40 %) of the
  best is **negative**, at least 4/5 (80 %) **positive**, whatever the text
  model says. So 1-2 of 5 are negative and 4-5 positive; 1-4 of 10 negative and
  8-10 positive; 1-2 of 7 negative and 6-7 positive. Between (3 of 5, 5-7 of
  10) the text decides, as it does for a mention with no rating;
* an alert rule's ``max_rating`` is in stars of 5 and compares ``5 x share``:
  exactly the stars given on a 5-star site.

A rating outside ``0..best`` (a page with a wrong ``bestRating``) decides
nothing and is shown as given.
"""

from __future__ import annotations

from typing import Literal

NEGATIVE_AT_MOST = 2 / 5
POSITIVE_AT_LEAST = 4 / 5
_EPSILON = 1e-9

Verdict = Literal["negative", "positive"]


def share(rating: float | None, best: float | None) -> float | None:
    """``rating`` as a share of ``best`` (0 to 1); None without both or out of range."""
    if rating is None or best is None or best <= 0:
        return None
    if not 0 <= rating <= best + _EPSILON:
        return None
    return min(rating / best, 1.0)


def stars_of_five(rating: float | None, best: float | None) -> float | None:
    """The rating in stars of 5 (``4/10`` → ``2.0``); None when it has no share."""
    part = share(rating, best)
    return None if part is None else part * 5


def star_verdict(rating: float | None, best: float | None) -> Verdict | None:
    """``"negative"`` or ``"positive"`` when the stars decide; None when the text does."""
    part = share(rating, best)
    if part is None:
        return None
    if part <= NEGATIVE_AT_MOST + _EPSILON:
        return "negative"
    if part >= POSITIVE_AT_LEAST - _EPSILON:
        return "positive"
    return None


def _number(value: float) -> str:
    return f"{value:g}"


def stars_text(rating: float, best: float | None) -> str:
    """``★☆☆☆☆ 1/5``: five stars filled by share, then the rating as given."""
    part = share(rating, best)
    scale = f"/{_number(best)}" if best else ""
    if part is None:
        return f"{_number(rating)}{scale}"
    filled = round(part * 5 + _EPSILON)
    return f"{'★' * filled}{'☆' * (5 - filled)} {_number(rating)}{scale}"
