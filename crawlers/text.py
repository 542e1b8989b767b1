"""Plain text from untrusted markup: HTML to readable text, whitespace, canonical URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.html import (
    remove_comments,
    remove_tags,
    remove_tags_with_content,
    replace_entities,
)

# Elements whose end (or the element itself, for <br>) is a line break for a reader.
_BREAKS = re.compile(
    r"<\s*br\s*/?\s*>|<\s*/\s*(?:p|div|li|ul|ol|h[1-6]|tr|table|blockquote|pre|"
    r"section|article|header|footer|dd|dt|figcaption)\s*>|<\s*hr\s*/?\s*>",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_MARKUP = re.compile(r"<[a-zA-Z!/?]")


def normalize_whitespace(text: str) -> str:
    """Runs of spaces become one, lines are trimmed, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """All whitespace, newlines included, collapsed to single spaces."""
    return " ".join(text.split())


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML fragment: no script/style, entities decoded."""
    if not _MARKUP.search(html):
        return normalize_whitespace(replace_entities(html))
    html = remove_comments(html)
    html = remove_tags_with_content(html, which_ones=("script", "style", "noscript"))
    html = _BREAKS.sub("\n", html)
    text = replace_entities(remove_tags(html))
    return normalize_whitespace(text.replace("\xa0", " "))


def truncate(text: str | None, limit: int) -> str | None:
    """``text`` cut to at most ``limit`` characters (``None`` stays ``None``)."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit].rstrip()


def canonical_url(url: str) -> str:
    """``url`` without tracking parameters (``utm_*``) and without its fragment."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_")
    ]
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True), "")
    )
