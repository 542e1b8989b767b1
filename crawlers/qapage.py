"""Q&A pages as schema.org ``QAPage`` JSON-LD, and HTML whose declared charset lies.

Yahoo!知恵袋, like other Q&A sites that want Google's Q&A results, describes each
question page in a ``<script type="application/ld+json">`` block: a ``QAPage``
whose ``mainEntity`` is the ``Question`` (``name``, ``text``, ``dateCreated``,
``author``), its best answer in ``acceptedAnswer`` and the others in
``suggestedAnswer``, each an ``Answer`` with ``text``, ``dateCreated``,
``author``, ``upvoteCount`` and often a ``url``. Reading that block, not the
page's changing class names, keeps the collector working across redesigns.

``page_text`` decodes a page by the charset that actually fits its bytes: the
HTTP header's when the body is valid in it, else the page's own ``<meta>``
declaration, else the header's with U+FFFD (and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawlers.bounds import loads_json
from crawlers.errors import BadItemError
from crawlers.text import html_to_text, one_line


@dataclass(frozen=True)
class Post:
    """A question or an answer as the page's markup gives it."""

    text: str
    author: str | None
    created: str | None
    url: str | None = None
    upvotes: int | None = None


@dataclass
class QAPage:
    """A question, its best answer (if chosen) and its other answers."""

    title: str
    question: Post
    best: Post | None = None
    answers: list[Post] = field(default_factory=list)


def page_text(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """The page's text, and what was wrong with its declared charset (or ``None``)."""
    header = http_content_type_encoding(content_type or "") or None
    declared = html_body_declared_encoding(body)
    tried = [e for e in (header, declared, "utf-8") if e]
    for encoding in dict.fromkeys(tried):
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if header and encoding != header:
            return text, f"declared as {header} but is {encoding}"
        return text, None
    return body.decode(tried[0], errors="replace"), f"not valid {tried[0]}"


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every object in a JSON-LD value: lists, ``@graph`` and single nodes."""
    if isinstance(value, list):
        return [n for v in value for n in _nodes(v)]
    if isinstance(value, dict):
        return [value, *_nodes(value.get("@graph"))] if "@graph" in value else [value]
    return []


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    return {str(k) for k in kind} if isinstance(kind, list) else {str(kind)}


def _string(value: Any) -> str:
    """A text field as given; anything but a string or a number is no text.

    A stranger's page may nest a list where the text was (``["…"]``), and its
    Python spelling must never become a post.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return one_line(_string(value)) or None


def _post(node: Any) -> Post | None:
    if not isinstance(node, dict):
        return None
    text = html_to_text(_string(node.get("text")))
    if not text:
        return None
    votes = node.get("upvoteCount")
    return Post(
        text=text,
        author=_author(node.get("author")),
        created=_string(node.get("dateCreated")) or None,
        url=_string(node.get("url")) or None,
        upvotes=int(votes)
        if isinstance(votes, int | str) and str(votes).isdigit()
        else None,
    )


def qa_page(html: str) -> QAPage | None:
    """The page's ``QAPage`` (its ``Question`` found anywhere), or ``None``."""
    for block in Selector(text=html).css('script[type="application/ld+json"]::text'):
        try:
            data = loads_json(block.get())
        except BadItemError:
            continue
        for node in _nodes(data):
            found = node.get("mainEntity") if "QAPage" in _types(node) else node
            if not isinstance(found, dict) or "Question" not in _types(found):
                continue
            title = one_line(_string(found.get("name")))
            question = Post(
                text=html_to_text(_string(found.get("text"))) or title,
                author=_author(found.get("author")),
                created=_string(found.get("dateCreated")) or None,
            )
            others = found.get("suggestedAnswer") or []
            others = others if isinstance(others, list) else [others]
            return QAPage(
                title=title,
                question=question,
                best=_post(found.get("acceptedAnswer")),
                answers=[p for p in map(_post, others) if p is not None],
            )
    return None
