"""Mastodon statuses as MentionItems: HTML to text, the author's reach, edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawlers.bounds import reads_item
from crawlers.items import MentionItem
from crawlers.text import html_to_text


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


@reads_item
def status_item(source: str, instance: str, status: Any) -> MentionItem | None:
    """A status as a mention, keyed by its ActivityPub ``uri``; None for a boost.

    The ``uri`` is the same on every instance a post federates to, so a toot
    read on mstdn.jp and on mastodon.social is one mention. A boost repeats
    its original's text and is skipped.
    """
    if _get(status, "reblog"):
        return None
    account = _get(status, "account") or {}
    acct = str(_get(account, "acct") or "")
    if acct and "@" not in acct:  # a local account: its home is the instance
        home = urlsplit(str(_get(account, "url") or "")).hostname
        acct = f"{acct}@{home or instance.split('/', maxsplit=1)[0]}"
    uri = _get(status, "uri") or _get(status, "url")
    if not uri:
        return None
    edited = _get(status, "edited_at")
    return MentionItem(
        source=source,
        source_type="mastodon",
        external_id=str(uri),
        url=str(_get(status, "url") or uri),
        title=_get(status, "spoiler_text") or None,  # a content warning
        text=html_to_text(str(_get(status, "content") or "")),
        author=f"@{acct}" if acct else None,
        site_name=instance.split("/", maxsplit=1)[0],
        thread_id=str(_get(status, "in_reply_to_id") or _get(status, "id")),
        top_level=_get(status, "in_reply_to_id") is None,
        score=_get(status, "favourites_count"),
        comments=_get(status, "replies_count"),
        followers=_get(account, "followers_count"),
        published_at=_get(status, "created_at"),
        raw={
            "id": str(_get(status, "id")),
            "instance": instance,
            "boosts": _get(status, "reblogs_count"),
            "edited_at": edited.isoformat() if isinstance(edited, datetime) else None,
        },
    )
