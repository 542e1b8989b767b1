"""The 2ch-style board formats 5ch serves: ``subject.txt`` and a thread's ``dat``.

A board's ``subject.txt`` lists its live threads, most recently active first, one
a line: ``1700000000.dat<>タイトル (123)``, the number in brackets being the
thread's post count. A thread's ``dat`` holds one post a line::

    name<>mail<>2024/01/02(火) 12:34:56.78 ID:AbCd1234<>body<>title

The title is on the first line only. Names and bodies are HTML (``<br>``,
``&gt;``, trip codes in ``<b>``); a body quotes earlier posts by number
(``>>12``, ``>>12-14``, or in full-width characters), sometimes wrapped in a link. A
post deleted by a moderator keeps its line, and so its number, but every field
says ``あぼーん``. Dates are Japan time (UTC+9) without a zone.

Both files are Shift_JIS on 5ch (``cp932``, Microsoft's superset, which 5ch
really writes); the encoding is a property of the board, never guessed from
the bytes or from the ``Content-Type`` header, which boards often get wrong.
Each line is decoded strictly: a line that is not valid in the board's encoding
is decoded with U+FFFD in place of the bad bytes and reported, so no post is lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from crawlers.text import html_to_text, normalize_whitespace, one_line

JST = timezone(timedelta(hours=9), "JST")
DELETED = frozenset({"あぼーん", "うふ\uff5eん", "削除"})  # \uff5e: full-width ~
_SUBJECT = re.compile(r"^(\d{9,10})\.(?:dat|cgi)(?:<>|,)(.*?)\s*\((\d+)\)\s*$")
_DATE = re.compile(
    r"(\d{2,4})/(\d{1,2})/(\d{1,2})(?:\s*\([^)]*\))?\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
)
_POSTER_ID = re.compile(r"\bID:([^\s<>]+)")
# ">>12", ">>12-14", ">>12,15", after entities are decoded and NFKC has folded
# the full-width forms of the anchors (and only of them).
_WIDE_ANCHOR = re.compile(
    r"[\uff1e>]{2}\s?[\uff10-\uff19\d]+(?:\s?[-,\uff0d\u3001]\s?[\uff10-\uff19\d]+)?"
)
_ANCHOR = re.compile(r">>\s?(\d{1,4})(?:\s?[-,]\s?(\d{1,4}))?")
_LINKED_ANCHOR = re.compile(r"<a\b[^>]*>(\s*(?:&gt;|>){2}[^<]*)</a>", re.IGNORECASE)
MAX_QUOTED = 20


@dataclass(frozen=True)
class ThreadEntry:
    """One thread as ``subject.txt`` lists it."""

    key: str
    title: str
    posts: int


@dataclass(frozen=True)
class Post:
    """One live post of a thread's ``dat``."""

    number: int
    name: str
    mail: str
    published_at: datetime | None
    poster_id: str | None
    text: str
    quotes: list[int] = field(default_factory=list)
    title: str | None = None


def decode_line(raw: bytes, encoding: str) -> tuple[str, str | None]:
    """``raw`` decoded strictly, and ``None``; or with U+FFFD, and what was wrong."""
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError as exc:
        problem = f"not {encoding} at byte {exc.start}"
        return raw.decode(encoding, errors="replace"), problem


def parse_subject_line(line: str) -> ThreadEntry | None:
    """A thread from one line of ``subject.txt``; ``None`` for a line that is not one."""
    found = _SUBJECT.match(line.strip())
    if not found:
        return None
    title = one_line(html_to_text(found[2]))
    return ThreadEntry(key=found[1], title=title, posts=int(found[3]))


def parse_date(text: str) -> datetime | None:
    """``2024/01/02(火) 12:34:56.78`` (Japan time) as an aware UTC datetime."""
    found = _DATE.search(text)
    if not found:
        return None
    year = int(found[1])
    year += 2000 if year < 100 else 0  # noqa: PLR2004 - two-digit years of old dats
    fraction = (found[7] or "0").ljust(6, "0")
    try:
        local = datetime(
            year,
            int(found[2]),
            int(found[3]),
            int(found[4]),
            int(found[5]),
            int(found[6] or 0),
            int(fraction),
            tzinfo=JST,
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def quotes(text: str, before: int) -> list[int]:
    """The earlier post numbers ``text`` quotes with ``>>N`` anchors, in order."""
    found: list[int] = []
    for anchor in _ANCHOR.finditer(text):
        first = int(anchor[1])
        last = int(anchor[2]) if anchor[2] else first
        for number in range(first, min(last, first + MAX_QUOTED) + 1):
            if 0 < number < before and number not in found:
                found.append(number)
    return found


def body_text(body_html: str) -> tuple[str, str]:
    """(text without anchors, text with them) of a post's HTML body, NFKC-folded anchors."""
    body = _LINKED_ANCHOR.sub(r"\1", body_html)
    text = html_to_text(body.replace("<br>", "\n").replace("<BR>", "\n"))
    folded = _WIDE_ANCHOR.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    return normalize_whitespace(_ANCHOR.sub("", folded)), folded


def parse_post(line: str, number: int) -> Post | None:
    """Post ``number`` from its ``dat`` line; ``None`` when it was deleted (あぼーん).

    Raises ``ValueError`` for a line that does not have the dat's fields.
    """
    fields = line.rstrip("\r\n").split("<>")
    if len(fields) < 4:  # noqa: PLR2004 - name, mail, date and body at least
        msg = f"post {number} has {len(fields)} fields, not name<>mail<>date<>body"
        raise ValueError(msg)
    name, mail, stamp, body = fields[:4]
    if stamp.strip() in DELETED or (name.strip() in DELETED and not body.strip()):
        return None
    text, anchored = body_text(body)
    title = one_line(html_to_text(fields[4])) if len(fields) > 4 else ""  # noqa: PLR2004
    poster = _POSTER_ID.search(stamp)
    return Post(
        number=number,
        name=one_line(html_to_text(name)),
        mail=one_line(html_to_text(mail)),
        published_at=parse_date(stamp),
        poster_id=poster[1] if poster else None,
        text=text,
        quotes=quotes(anchored, number),
        title=title or None,
    )
