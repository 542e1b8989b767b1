"""The generic extractor: posts or reviews on pages with neither schema.org nor a recipe.

Review and forum pages repeat one block per post: siblings with the same tag
and classes, each carrying an author, a date or a rating beside its text. This
finds such a run of sibling blocks and reads each one:

- a block is a candidate when it has some text (``MIN_TEXT`` characters beyond
  its labels) and at least two of an author (an element whose class, ``itemprop`` or link names a
  user: ``author``, ``user``, ``reviewer``, ``member``…), a date (``<time>``, a
  ``datetime`` attribute, a ``date``/``time`` class, or text such as
  ``2024年5月1日``, ``3日前``, ``May 2, 2024``) or a rating (a ``rating``/``star``
  class, ``★★★☆☆``, ``4 out of 5``);
- the run chosen is the one with the most candidates (at least
  ``MIN_BLOCKS``, and most of its siblings), ties going to more signals;
- the text is the block's longest ``text``/``body``/``comment``/``review``
  element, else the block's whole text.

It is a guess, made only when the precise paths (schema.org, a recipe) find
nothing, and said so wherever it is used: recipes stay the way to be exact.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from crawlers.text import html_to_text, one_line

MIN_TEXT = 8  # characters: a short Japanese review says much in 8
MIN_BLOCKS = 2
MIN_SIGNALS = 2  # one alone (a byline, a date) also marks teasers and side boxes
MAX_LABEL = 80  # an author's name or a date is short
_SKIP = frozenset({"script", "style", "noscript", "nav", "header", "footer", "head"})
_AUTHOR = re.compile(
    r"author|user|reviewer|poster|nick|member|profile|byline|\bname\b|投稿者|名前",
    re.IGNORECASE,
)
_DATE = re.compile(r"date|time|posted|published|when|投稿日|日時", re.IGNORECASE)
_RATING = re.compile(r"rating|stars?\b|star-|score|rate|評価", re.IGNORECASE)
_TEXT = re.compile(
    r"text|body|content|comment|message|review|entry|本文|口コミ", re.IGNORECASE
)
_DATE_TEXT = re.compile(
    r"\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d+\s*(?:分|時間|日|週間|か月|ヶ月|年)前|昨日|今日"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\b\d+\s+(?:minute|hour|day|week|month|year)s?\s+ago",
    re.IGNORECASE,
)
_STARS = re.compile(r"[★☆]{3,}")
_RATING_TEXT = re.compile(r"\d(?:[.,]\d)?\s*(?:out of|/|von|sur|点|つ星)")
_ID_DIGITS = re.compile(r"\d+")


@dataclass
class Block:
    """What the generic extractor read from one repeated block."""

    text: str
    author: str | None
    date: str | None
    rating: str | None
    ident: str


def _hints(element: Any) -> str:
    """The words an element's markup says about it: class, id, itemprop, rel, href."""
    keys = ("class", "id", "itemprop", "rel", "data-testid", "data-hook", "href")
    return " ".join(str(element.get(key) or "") for key in keys)


def _own_text(element: Any) -> str:
    return one_line(" ".join(element.itertext()))


def _elements(block: Any) -> Iterator[Any]:
    for element in block.iter():
        if isinstance(element.tag, str) and element.tag not in _SKIP:
            yield element


def _label(block: Any, hint: re.Pattern[str], *, exclude: re.Pattern[str]) -> Any:
    """The first element inside ``block`` that ``hint`` names, with a short text.

    Of an element and one inside it that both match (a profile box and the
    name in it), the inner one.
    """
    found = None
    for element in _elements(block):
        if element is block or exclude.search(_hints(element)):
            continue
        if not hint.search(_hints(element)) or not _own_text(element):
            continue
        if found is None or element in found.iterdescendants():
            found = element
    if found is None or len(_own_text(found)) > MAX_LABEL:
        return None
    return found


def _author(block: Any) -> str | None:
    found = _label(block, _AUTHOR, exclude=_DATE)
    return _own_text(found) if found is not None else None


def _date(block: Any) -> str | None:
    for element in _elements(block):
        if element.get("datetime"):
            return str(element.get("datetime"))
    found = _label(block, _DATE, exclude=_RATING)
    if found is not None:
        return _own_text(found)
    match = _DATE_TEXT.search(_own_text(block))
    return match[0] if match else None


def _rating(block: Any) -> str | None:
    for element in _elements(block):
        hints = _hints(element)
        if element is block or not _RATING.search(hints):
            continue
        for key in ("aria-label", "title", "data-rating", "data-score", "content"):
            value = element.get(key)
            if value and re.search(r"\d", value):
                return str(value)
        text = _own_text(element)
        if text and (re.search(r"\d", text) or _STARS.search(text)):
            return _stars(text)
        if number := re.search(r"(?:star|rating)s?[-_]?(\d+)", hints, re.IGNORECASE):
            return number[1]
    text = _own_text(block)
    if stars := _STARS.search(text):
        return _stars(stars[0])
    rated = _RATING_TEXT.search(text)
    return text[rated.start() : rated.end() + 3] if rated else None


def _stars(text: str) -> str:
    """``★★★☆☆`` as ``3/5``; other text unchanged."""
    if found := _STARS.search(text):
        return f"{found[0].count('★')}/{len(found[0])}"
    return text


def _text(block: Any) -> str:
    best: Any = None
    for element in _elements(block):
        if element is not block and _TEXT.search(_hints(element)):
            longer = best is None or len(_own_text(element)) > len(_own_text(best))
            if longer and len(_own_text(element)) >= MIN_TEXT:
                best = element
    chosen = best if best is not None else block
    return html_to_text(Selector(root=chosen, type="html").get())  # without its tail


def _signature(element: Any) -> tuple[str, str]:
    classes = sorted(
        _ID_DIGITS.sub("", c) for c in (element.get("class") or "").split()
    )
    return element.tag, " ".join(classes)


def _read(block: Any) -> tuple[Block, int] | None:
    """``block`` read, with how many of author/date/rating it has; None if too few."""
    if len(_own_text(block)) < MIN_TEXT:
        return None
    author, date, rating = _author(block), _date(block), _rating(block)
    signals = sum(value is not None for value in (author, date, rating))
    text = _text(block)
    prose = text
    for label in (author, date, rating):
        prose = prose.replace(label or "\x00", "")
    if signals < MIN_SIGNALS or len(one_line(prose)) < MIN_TEXT:
        return None
    parts = f"{author}\x00{date}\x00{text[:200] if not author else ''}"
    ident = block.get("id") or hashlib.sha256(parts.encode()).hexdigest()[:16]
    return Block(text, author, date, rating, str(ident)), signals


def repeated_blocks(root: Any) -> list[Block]:
    """The posts or reviews in the page ``root`` (an lxml tree), or ``[]``."""
    best: list[Block] = []
    best_score = (0, 0)
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in _SKIP:
            continue
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _SKIP:
                groups[_signature(child)].append(child)
        for siblings in groups.values():
            if len(siblings) < MIN_BLOCKS:
                continue
            read = [r for r in map(_read, siblings) if r is not None]
            if len(read) < MIN_BLOCKS or 2 * len(read) < len(siblings):
                continue
            score = (len(read), sum(signals for _, signals in read))
            if score > best_score:
                best, best_score = [block for block, _ in read], score
    return best
