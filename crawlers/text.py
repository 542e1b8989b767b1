"""Plain text from untrusted markup: HTML to text, control characters, boilerplate, links."""

from __future__ import annotations

import re
from urllib.parse import unquote

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


# Query parameters that only say how a reader arrived (campaign and click ids).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "_ga",
        "_gl",
    }
)
# Fragments that only scroll the article or pick a tab (WordPress and Disqus
# anchors, 価格.com's ``#tab``); any other fragment may address content
# (``#!/thread/42``, ``#comment-4788``).
_NAVIGATION_FRAGMENT = re.compile(
    r"(?:more(?:-\d+)?|comments|respond|disqus_thread|content|main|top|tab)?",
    re.IGNORECASE,
)


def _tracking(parameter: str) -> bool:
    key = unquote(parameter.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """``url`` without tracking parameters and navigation-only fragments.

    Only whole ``&``-separated parameters named in ``TRACKING_PARAMS`` (or
    ``utm_*``) go; every other byte stays as it was: blank values (``?123``),
    ``;`` separators, percent-encoding, and fragments that address content.
    """
    url = url.strip()
    url, hashed, fragment = url.partition("#")
    if hashed and _NAVIGATION_FRAGMENT.fullmatch(fragment):
        hashed = fragment = ""
    base, asked, query = url.partition("?")
    if asked:
        kept = [p for p in query.split("&") if p and not _tracking(p)]
        query = "&".join(kept)
        asked = "?" if kept else ""
    return f"{base}{asked}{query}{hashed}{fragment}"


# C0 controls but tab and newlines, DEL, and C1 controls: never text a reader sees.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"


def _control(found: re.Match[str]) -> str:
    """A C1 control as windows-1252 reads its byte (``&#150;`` is an en dash), else nothing.

    HTML maps numeric references in 0x80-0x9F this way; feeds are full of them.
    """
    char = found[0]
    if "\x80" <= char <= "\x9f":
        try:
            return bytes([ord(char)]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    return ""


def clean_text(text: str) -> tuple[str, bool]:
    """``text`` without control characters or U+FFFD, and whether it had no U+FFFD.

    A replacement character means bytes were lost in decoding somewhere (here or
    at the source); the text is kept, without them, but is not clean enough to
    guess its language from.
    """
    clean = REPLACEMENT not in text
    return _CONTROLS.sub(_control, text).replace(REPLACEMENT, ""), clean


# Trailing "read more" links and feed footers that say nothing about the brand.
_READ_MORE = re.compile(
    r"[\[(\uff08\u3010\u00ab]?(?:Continue reading|Read more|Read More|Keep reading"
    r"|Read the full (?:story|post|article)|\u7d9a\u304d\u3092\u8aad\u3080"  # 続きを読む
    r"|\u7d9a\u304d\u306f\u3053\u3061\u3089|\u3082\u3063\u3068\u8aad\u3080)"  # 続きはこちら, もっと読む
    r"[^\n]{0,160}(?:\n[^\n]{0,160})?\Z"  # a link's text may wrap once
)
# What may come just before a read-more link: a line break or a sentence's end.
_SENTENCE_END = (
    ".",
    "!",
    "?",
    ":",
    ")",
    "]",
    "\u2026",
    "\u3002",
    "\uff01",
    "\uff1f",
    "\u300d",
)
_FOOTERS = (
    # WordPress (Yoast) footer, English and Japanese.
    re.compile(
        r"\n*^The\s+post\s.{1,300}?\sappeared\s+first\s+on\s.{1,200}\Z",
        re.MULTILINE | re.DOTALL,
    ),
    re.compile(
        r"\n*^\u6295\u7a3f .{1,300}? \u306f\s.{1,200}?\s"  # 投稿 X は Y
        r"\u306b\u6700\u521d\u306b\u8868\u793a\u3055\u308c\u307e\u3057\u305f"
        r"\u3002?\s*\Z",  # に最初に表示されました。
        re.MULTILINE | re.DOTALL,
    ),
)
_ELLIPSIS_MARK = re.compile(r"\s*\[(?:\u2026|\.\.\.)\]\s*\Z")  # […] or [...]


def _strip_read_more(text: str) -> str:
    found = _READ_MORE.search(text)
    if found is None:
        return text
    before = text[: found.start()].rstrip(" \t")
    if before and not before.endswith(("\n", *_SENTENCE_END)):
        return text  # "Read more" inside a sentence is the writer's own words
    return before


def strip_boilerplate(text: str) -> str:
    """``text`` without trailing "Continue reading…", "[…]" or "The post … appeared".

    A footer goes first, then a read-more link, then the "[…]" before it.
    """
    for footer in _FOOTERS:
        text = footer.sub("", text)
    text = _strip_read_more(text.rstrip())
    return _ELLIPSIS_MARK.sub("", text).rstrip()
