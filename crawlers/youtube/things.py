"""YouTube comment threads and videos as MentionItems, and the brand in search syntax."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from crawlers.bounds import parse_iso, reads_item
from crawlers.items import MentionItem
from crawlers.match import BrandRule
from crawlers.query import positive_terms

WATCH = "https://www.youtube.com/watch?v="


def search_query(rule: BrandRule) -> str:
    """The brand for ``search.list``'s ``q``: ``acme|"アクメ" -"acme corp"``.

    YouTube's ``q`` takes ``|`` for OR and ``-`` for NOT; results are matched
    again locally, so a brand ``query`` is searched by the terms it needs.
    """
    terms = positive_terms(rule.tree()) if rule.query else list(rule.terms)
    found = "|".join(_quoted(t) for t in terms)
    return " ".join([found, *(f"-{_quoted(t)}" for t in rule.exclude)])


def _quoted(term: str) -> str:
    clean = " ".join(term.replace('"', " ").split())
    return clean if clean.isascii() and clean.isalnum() else f'"{clean}"'


def when(value: Any) -> datetime | None:
    """An RFC 3339 time of the API as an aware datetime."""
    return parse_iso(value) if isinstance(value, str) else None


@reads_item
def thread_item(
    source: str, thread: dict[str, Any], titles: dict[str, str]
) -> MentionItem | None:
    """A comment thread's top-level comment as a mention (titled with its video)."""
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    comment = top.get("snippet") or {}
    video_id = snippet.get("videoId") or comment.get("videoId")
    comment_id = top.get("id") or thread.get("id")
    text = comment.get("textOriginal") or comment.get("textDisplay") or ""
    if not comment_id or not video_id or not text:
        return None
    published = comment.get("publishedAt")
    updated = comment.get("updatedAt")
    return MentionItem(
        source=source,
        source_type="youtube",
        external_id=str(comment_id),
        url=f"{WATCH}{video_id}&lc={comment_id}",
        title=titles.get(video_id),
        text=str(text),
        author=comment.get("authorDisplayName"),
        site_name="YouTube",
        thread_id=str(video_id),
        top_level=True,
        score=comment.get("likeCount"),
        comments=snippet.get("totalReplyCount"),
        published_at=when(published),
        raw={
            "video_id": video_id,
            "channel_id": snippet.get("channelId"),
            "author_channel": (comment.get("authorChannelId") or {}).get("value"),
            "updated_at": updated,
            "edited": bool(updated and updated != published),
        },
    )


@reads_item
def video_item(source: str, result: dict[str, Any]) -> MentionItem | None:
    """A ``search.list`` result (a video naming the brand) as a mention.

    Search snippets come HTML-escaped (``&amp;``, ``&#39;``); they are unescaped.
    """
    video_id = (result.get("id") or {}).get("videoId")
    snippet = result.get("snippet") or {}
    if not video_id:
        return None
    return MentionItem(
        source=source,
        source_type="youtube",
        external_id=f"video:{video_id}",
        url=f"{WATCH}{video_id}",
        title=html.unescape(str(snippet.get("title") or "")) or None,
        text=html.unescape(str(snippet.get("description") or "")),
        author=snippet.get("channelTitle"),
        site_name="YouTube",
        thread_id=str(video_id),
        published_at=when(snippet.get("publishedAt")),
        raw={"video_id": video_id, "channel_id": snippet.get("channelId")},
    )
