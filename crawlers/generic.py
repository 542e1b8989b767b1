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
- siblings are the same kind of block when they share their tag and first
  class (a comment list alternates ``even``/``odd`` and ``depth-N`` after it);
- the run chosen is the one with the most candidates (at least
  ``MIN_BLOCKS``, and most of its siblings), ties going to more signals; the
  blocks of the same kind nested in it (replies) are read too, each without
  the replies inside it;
- the text is the block's longest ``text``/``body``/``comment``/``review``
  element, else the block's whole text, less the author and date lines
  ("Anna sagt:", "X says:") and the lines most blocks share ("Reply");
- a post has prose of its own: after labels, shared lines and links are taken
  out, a line of at least ``MIN_WORDS`` words, a sentence mark, or
  ``MIN_CJK`` CJK characters. Blocks without it (event listings, photo
  widgets, price boxes, rating summaries, navigation) are not posts.

It prefers nothing to junk: a run that has the signals of posts but no prose
of its own is reported as a doubt (a warning) and yields nothing. It is a
guess, made only when the precise paths (schema.org, a recipe) find nothing,
and said so wherever it is used: recipes stay the way to be exact.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

from crawlers.text import html_to_text, one_line

MIN_TEXT = 8  # characters: a short Japanese review says much in 8
MIN_BLOCKS = 2
MIN_SIGNALS = 2  # one alone (a byline, a date) also marks teasers and side boxes
MAX_LABEL = 80  # an author's name or a date is short
MIN_WORDS = 5  # a line of prose: "Great performances. Alarming, real story."
MIN_CJK = 8  # or eight kanji/kana: 「アクメのミキサー最高」
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
_NOT_BODY = re.compile(
    r"author|date|time|meta|reply|rating|avatar|vcard|says|nav|button|footer|header",
    re.IGNORECASE,
)  # a "comment-meta" or "comment-reply-link" names comment but holds no text
_STARS = re.compile(r"[★☆]{3,}")
_RATING_TEXT = re.compile(r"\d(?:[.,]\d)?\s*(?:out of|/|von|sur|点|つ星)")
_ID_DIGITS = re.compile(r"\d+")
_POST_NUMBER = re.compile(r"\d{3,}(?=\D*$)")  # the last number of an id or href
_SAYS = re.compile(
    r"\s*(?:says|said|wrote|sagt|schreibt|meint|dit|a écrit|dice|scrive|zegt)\s*:?\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?", re.IGNORECASE)
_SENTENCE = re.compile("[.!?\u3002\uff01\uff1f]")  # ASCII and CJK full stops
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_PRICE = re.compile(r"(?:[$€£¥₹]\s?\d|\d[\d.,]*\s?(?:€|円|EUR|USD|JPY)\b)")


@dataclass
class Block:
    """What the generic extractor read from one repeated block."""

    text: str
    author: str | None
    date: str | None
    rating: str | None
    ident: str
    link: str | None = None  # the block's own link (its post or comment anchor)


def _own_link(element: Any) -> str | None:
    """A link in the block to the block itself: an href ending in its number.

    A post or comment block carries its number in an id (``comment-17896844``,
    ``post-53504``); a link whose href ends in that number (``…/post-17896844``,
    ``#comment-17896844``) is its permalink.
    """
    numbers = {
        found[0]
        for ident in element.xpath("descendant-or-self::*/@id")
        if (found := _POST_NUMBER.search(str(ident)))
    }
    for href in element.xpath(".//a/@href"):
        tail = _POST_NUMBER.search(str(href).strip())
        if tail and tail[0] in numbers and str(href).strip().endswith(tail[0]):
            return str(href).strip()
    return None


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


def _in_label(element: Any, block: Any) -> bool:
    """Whether ``element`` is, or sits in, a byline, date, rating or reply link."""
    while element is not None and element is not block:
        if _NOT_BODY.search(_hints(element)):
            return True
        element = element.getparent()
    return False


def _is_label_line(line: str, labels: tuple[str, ...], *, loose: bool = True) -> bool:
    """Whether a line of text is a byline or a date line, not prose.

    ``loose``: also a short line holding a label ("14/04/2020 at 3:00 pm"); off
    where no author was found, so a byline naming one ("Bewertung von X vom
    23.05.2018") stays in the text.
    """
    return any(
        line == v or (loose and len(line) <= MAX_LABEL and v in line) for v in labels
    )


def _text(block: Any) -> str:
    best: Any = None
    for element in _elements(block):
        if element is block or _in_label(element, block):
            continue
        if _TEXT.search(_hints(element)):
            longer = best is None or len(_own_text(element)) > len(_own_text(best))
            if longer and len(_own_text(element)) >= MIN_TEXT:
                best = element
    chosen = best if best is not None else block
    return html_to_text(Selector(root=chosen, type="html").get())  # without its tail


def _signature(element: Any) -> tuple[str, str]:
    """What makes siblings the same kind of block: their tag and first class."""
    classes = (element.get("class") or "").split()
    return element.tag, _ID_DIGITS.sub("", classes[0]) if classes else ""


def _author_name(label: str | None, date: str | None) -> str | None:
    """An author label without its "says:" and without a date glued to it."""
    if not label:
        return None
    if date and date in label:
        label = label.replace(date, " ")
    label = _CLOCK.sub(
        " ", _DATE_TEXT.sub(" ", label)
    )  # "brigitte 03.02.2018 // 23:16"
    return one_line(_SAYS.sub("", label)).strip(" /|,-") or None


def _has_prose(lines: list[str]) -> bool:
    """Whether ``lines`` hold a line someone wrote, not a label or a list entry."""
    for line in lines:
        words = line.split()
        if len(words) >= MIN_WORDS or len(_CJK.findall(line)) >= MIN_CJK:
            return True
        if len(line) >= MIN_TEXT and _SENTENCE.search(line):
            return True
    return False


def _without_links(element: Any) -> str:
    """The element's text less what sits in links (navigation, venue names)."""
    pruned = deepcopy(element)
    for link in pruned.iter("a"):
        link.text = None
        for child in link:
            child.drop_tree()
    return html_to_text(Selector(root=pruned, type="html").get())


@dataclass
class _Read:
    """One candidate block as read, before the run's shared lines are known."""

    block: Block
    signals: int
    labels: tuple[str, ...]
    prose: list[str] = field(default_factory=list)


def _read(element: Any) -> _Read | None:
    """``element`` read, with how many of author/date/rating it has; None if too few."""
    if len(_own_text(element)) < MIN_TEXT:
        return None
    label, date, rating = _author(element), _date(element), _rating(element)
    signals = sum(value is not None for value in (label, date, rating))
    if signals < MIN_SIGNALS or (label is None and date is None):
        return None  # a rating alone marks summaries and offer boxes
    labels = tuple(v for v in (label, date, rating) if v)
    text = _text(element)
    prose = [
        line
        for line in (one_line(x) for x in _without_links(element).splitlines())
        if line
        and not _is_label_line(line, labels)
        and not any(line in v for v in labels)
    ]
    author = _author_name(label, date)
    parts = f"{author}\x00{date}\x00{text[:200] if not author else ''}"
    ident = element.get("id") or hashlib.sha256(parts.encode()).hexdigest()[:16]
    block = Block(text, author, date, rating, str(ident), _own_link(element))
    return _Read(block, signals, labels, prose)


def _pruned(element: Any, kind: tuple[str, str]) -> Any:
    """A copy of ``element`` without the blocks of its kind nested in it (replies)."""
    copy = deepcopy(element)
    for inner in list(copy.iterdescendants()):
        if isinstance(inner.tag, str) and _signature(inner) == kind:
            inner.drop_tree()
    return copy


@dataclass
class Guess:
    """What the generic extractor found on a page, and why it took nothing."""

    blocks: list[Block] = field(default_factory=list)
    doubt: str | None = None


def _own_lines(reads: list[_Read]) -> list[_Read]:
    """``reads`` whose prose is their own: lines most blocks share are dropped."""
    shared = Counter(
        line
        for r in reads
        for line in set(r.prose) | {one_line(x) for x in r.block.text.splitlines()}
    )
    common = {line for line, n in shared.items() if n > 1 and 2 * n > len(reads)}
    kept = []
    for read in reads:
        prose = [line for line in read.prose if line not in common]
        if not _has_prose(prose) or (_PRICE.search(" ".join(prose)) and not prose[1:]):
            continue
        lines = read.block.text.splitlines()
        text = "\n".join(
            line
            for line in lines
            if one_line(line) not in common
            and not _is_label_line(
                one_line(line), read.labels, loose=bool(read.block.author)
            )
        ).strip()
        read.block.text = text or read.block.text
        kept.append(read)
    return kept


def _runs(root: Any) -> Iterator[tuple[Any, tuple[str, str], list[Any]]]:
    """Every run of same-kind siblings: (parent, kind, siblings)."""
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in _SKIP:
            continue
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _SKIP:
                groups[_signature(child)].append(child)
        for kind, siblings in groups.items():
            if len(siblings) >= MIN_BLOCKS:
                yield parent, kind, siblings


def guess_posts(root: Any) -> Guess:
    """The posts or reviews in the page ``root`` (an lxml tree), or a doubt."""
    best: tuple[Any, tuple[str, str]] | None = None
    best_score = (0, 0)
    for parent, kind, siblings in _runs(root):
        read = [r for r in (_read(_pruned(s, kind)) for s in siblings) if r]
        if len(read) < MIN_BLOCKS or 2 * len(read) < len(siblings):
            continue
        score = (len(read), sum(r.signals for r in read))
        if score > best_score:
            best, best_score = (parent, kind), score
    if best is None:
        return Guess()
    parent, kind = best
    every = [e for e in parent.iterdescendants() if _signature(e) == kind]
    reads = [r for r in (_read(_pruned(e, kind)) for e in every) if r]
    kept = _own_lines(reads)
    if len(kept) < MIN_BLOCKS:
        return Guess(
            doubt=f"{len(reads)} repeated <{kind[0]} class={kind[1]!r}> blocks carry "
            "an author or a date but no text of their own (labels, links or lines "
            "they all share): not taken for posts"
        )
    return Guess([r.block for r in kept])
