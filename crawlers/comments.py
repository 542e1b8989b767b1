"""Comments under a blog post or an article: WordPress and the themes built on it.

WordPress writes each comment as ``li.comment`` with ``id="comment-N"`` (or
``li-comment-N`` around a ``div#comment-N``), in classic themes
(``ol.commentlist``, ``div.comment-body``, ``cite.fn`` + "says:") and block
themes (``ol.wp-block-comment-template``, ``article.comment-body``,
``.comment-content``) alike; replies nest in ``ul.children`` inside their
parent's ``li``. Pingbacks and trackbacks are ``li.pingback``/``li.trackback``
and are not comments. For each comment this reads, from its own part (the
``li`` less the replies nested in it):

- the author: ``.fn``, ``.comment-author-name``, ``.comment__author-name``,
  ``span.author`` or the ``.comment-author`` line less its "says:";
- the date: a ``time`` whose ``datetime`` has a time of day, else the visible
  date text (``.comment-metadata``, ``.commentmetadata``, ``time``);
- the permalink: its ``#comment-N`` link, else the page's URL with that anchor;
- the text: ``.comment-content`` (or ``.comment__content``), else its own
  paragraphs, without the author line, the date and the reply link;
- the parent: the permalink of the comment it answers.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawlers.text import canonical_url, html_to_text, one_line

COMMENT = "//li[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]"
_NUMBER = re.compile(r"comment-(\d+)")
_SAYS = re.compile(
    r"\s*(?:says|said|wrote|sagt|schreibt|meint|dit|a écrit|dice|scrive|zegt)\s*:?\s*$",
    re.IGNORECASE,
)
_AUTHOR = (
    ".fn, .comment-author-name, .comment__author-name, span.author, "
    ".wp-block-comment-author-name"
)
_DATE = (
    ".comment-metadata a, .commentmetadata a, .comment-meta a, "
    ".wp-block-comment-date, .comment-date, time"
)
_MAX_DATE = 40  # characters of a bare date line
_TEXT = ".comment-content, .comment__content, .wp-block-comment-content"
_NOT_TEXT = (
    ".comment-author, span.author, .comment-meta, .commentmetadata, .comment-metadata, "
    ".reply, .comment-reply-link, .comment__links, .says, .avatar, time, script"
)


@dataclass
class Comment:
    """One comment as read from the page."""

    number: str
    author: str | None
    date: str | None
    permalink: str
    text: str
    parent: str | None


def _own(li: Any) -> Selector:
    """The comment's own part: its ``li`` without the replies nested in it."""
    copy = deepcopy(li)
    for inner in copy.xpath(".//ol | .//ul"):
        if inner.xpath(COMMENT.replace("//li", ".//li")):
            inner.drop_tree()
    return Selector(root=copy, type="html")


def _number(li: Any, own: Selector) -> str | None:
    for ident in [li.get("id") or "", *own.xpath(".//@id").getall()]:
        if found := _NUMBER.search(ident):
            return found[1]
    return None


def _author(own: Selector) -> str | None:
    first = own.css(_AUTHOR)
    name = first[0].xpath("string()").get() or "" if first else ""
    if not name.strip():  # the name as the line's own text, not its date link
        line = own.css(".comment-author")
        name = line.xpath("normalize-space(text())").get() or "" if line else ""
        name = name.strip() or (line.xpath("string()").get() or "" if line else "")
    name = one_line(_SAYS.sub("", one_line(name)))
    return name or None


def _date(own: Selector) -> str | None:
    for stamp in own.css("time::attr(datetime)").getall():
        if "T" in stamp or ":" in stamp:
            return stamp
    for found in own.css(_DATE):
        text = one_line(found.xpath("string()").get() or "")
        if text and re.search(r"\d", text):
            return text
    # older themes: the date as bare text after the name ("<span class=author>
    # X</span><br> März 7, 2018 <p>…")
    after = own.css("span.author, .comment-author").xpath(
        "following-sibling::text()[normalize-space()][1]"
    )
    text = one_line(after.get() or "") if after else ""
    return text if re.search(r"\d", text) and len(text) <= _MAX_DATE else None


def _text(own: Selector) -> str:
    body = own.css(_TEXT)
    part = deepcopy(body[0].root if body else own.root)
    for noise in Selector(root=part, type="html").css(_NOT_TEXT):
        noise.drop()
    return html_to_text(Selector(root=part, type="html").get())


def _permalink(own: Selector, number: str, page_url: str, base: str) -> str:
    for href in own.css("a::attr(href)").getall():
        if href.strip().endswith(f"#comment-{number}"):
            return canonical_url(urljoin(base, href.strip()))
    return f"{page_url.partition('#')[0]}#comment-{number}"


def page_comments(root: Any, page_url: str, base: str) -> list[Comment]:
    """Every comment on the page (an lxml tree), replies included, in page order."""
    found: dict[Any, Comment] = {}
    for li in root.xpath(COMMENT):
        own = _own(li)
        number = _number(li, own)
        if number is None:
            continue
        author, date = _author(own), _date(own)
        text = _text(own)
        if date and text.startswith(date):  # a bare date line glued to the prose
            text = text[len(date) :].strip()
        if not text:
            continue
        parent_li = next(iter(li.xpath("ancestor::li[1]")), None)
        parent = found.get(parent_li)
        found[li] = Comment(
            number=number,
            author=author,
            date=date,
            permalink=_permalink(own, number, page_url, base),
            text=text,
            parent=parent.permalink if parent else None,
        )
    return list(found.values())
