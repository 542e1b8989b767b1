"""Bluesky posts as MentionItems: Jetstream commit events and searchPosts results.

A post is known by its AT URI (``at://<did>/app.bsky.feed.post/<rkey>``), which
is the mention's external id whether the firehose or a search found it, so the
two paths store one mention. Its permalink is
``https://bsky.app/profile/<handle or did>/post/<rkey>``: Jetstream carries only
the DID, a search result the handle too. Every field comes from a stranger:
types are checked, and a record that is not a post with a text is skipped. A
``createdAt`` that cannot be a post's date (year 9999 at UTC-14, before 1990,
more than a day ahead) gives way to the time the relay saw the post, with a
warning on the item (``crawlers.bounds``); a ``time_us`` out of range is no
``time_us``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawlers.bounds import bounded_int, from_timestamp, parse_iso, sane_date
from crawlers.items import MentionItem

POST = "app.bsky.feed.post"
APP = "https://bsky.app"
MAX_RAW_TEXT = 20_000  # far above Bluesky's 300 graphemes; a bigger one is cut
MAX_TIME_US = 2**53  # microseconds: year 2255, and exact in a JSON double


@dataclass(frozen=True, slots=True)
class PostEvent:
    """One Jetstream commit on a post: create, update or delete."""

    did: str
    time_us: int
    operation: str  # create | update | delete
    rkey: str
    record: dict[str, Any] | None  # None for a delete

    @property
    def uri(self) -> str:
        """The post's AT URI, its external id."""
        return at_uri(self.did, self.rkey)

    @property
    def text(self) -> str:
        """The post's text ('' for a delete or a record without one)."""
        text = (self.record or {}).get("text")
        return text[:MAX_RAW_TEXT] if isinstance(text, str) else ""


def at_uri(did: str, rkey: str) -> str:
    """``at://<did>/app.bsky.feed.post/<rkey>``."""
    return f"at://{did}/{POST}/{rkey}"


def permalink(author: str, rkey: str) -> str:
    """The post's page on bsky.app, by handle or DID."""
    return f"{APP}/profile/{author}/post/{rkey}"


def time_us_of(event: Any) -> int | None:
    """The event's ``time_us`` (every Jetstream event has one), or None.

    None too when it is negative or past ``MAX_TIME_US``: no date comes of it.
    """
    if isinstance(event, dict):
        return bounded_int(event.get("time_us"), 0, MAX_TIME_US)
    return None


def post_event(event: dict[str, Any]) -> PostEvent | None:
    """The post commit in a decoded Jetstream event, or None for anything else.

    Identity and account events, other collections and malformed commits are
    None: the collector only moves its cursor past them.
    """
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return None
    did, rkey = event.get("did"), commit.get("rkey")
    operation = commit.get("operation")
    time_us = time_us_of(event)
    if commit.get("collection") != POST or time_us is None:
        return None
    if not isinstance(did, str) or not isinstance(rkey, str) or "/" in rkey:
        return None
    record = commit.get("record")
    if operation == "delete":
        return PostEvent(did, time_us, operation, rkey, None)
    if operation not in {"create", "update"} or not isinstance(record, dict):
        return None
    return PostEvent(did, time_us, operation, rkey, record)


def _created(
    record: dict[str, Any], fallback: datetime | None
) -> tuple[datetime | None, str | None]:
    """``createdAt`` in UTC, else ``fallback``; and why ``createdAt`` was not used."""
    value = record.get("createdAt")
    if not isinstance(value, str):
        return fallback, None
    when = parse_iso(value)
    if when is None:
        return fallback, None
    when, problem = sane_date(when)
    if problem is not None:
        instead = "dated when the relay saw it" if fallback else "stored undated"
        return fallback, f"createdAt: {problem}; {instead}"
    return when, None


def _reply_uris(record: dict[str, Any]) -> tuple[str | None, str | None]:
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return None, None
    uris = []
    for key in ("root", "parent"):
        ref = reply.get(key)
        uri = ref.get("uri") if isinstance(ref, dict) else None
        uris.append(uri if isinstance(uri, str) else None)
    return uris[0], uris[1]


def _language(record: dict[str, Any]) -> str | None:
    langs = record.get("langs")
    if isinstance(langs, list) and langs and isinstance(langs[0], str):
        return langs[0]
    return None


def post_item(
    source: str,
    *,
    did: str,
    rkey: str,
    record: dict[str, Any],
    handle: str | None = None,
    followers: int | None = None,
    score: int | None = None,
    comments: int | None = None,
    time_us: int | None = None,
) -> MentionItem:
    """A post record as a mention (not yet normalised or matched)."""
    seen = from_timestamp(time_us / 1e6) if time_us else None
    published, problem = _created(record, seen)
    root, parent = _reply_uris(record)
    uri = at_uri(did, rkey)
    text = record.get("text")
    item = MentionItem(
        source=source,
        source_type="bluesky",
        external_id=uri,
        text=text[:MAX_RAW_TEXT] if isinstance(text, str) else "",
        url=permalink(handle or did, rkey),
        author=handle or did,
        site_name="Bluesky",
        thread_id=root or uri,
        parent_id=parent,
        top_level=root is None,
        score=score,
        comments=comments,
        followers=followers,
        language=_language(record),
        published_at=published,
        raw={"did": did, "rkey": rkey, "time_us": time_us} if time_us else None,
    )
    if problem is not None:
        item.warnings.append(f"{uri}: {problem}")
    return item
