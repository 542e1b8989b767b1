"""Reddit submissions and comments as MentionItems, and the brand query in search syntax."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from praw.models import Comment, Submission

from crawlers.bounds import from_timestamp
from crawlers.items import MentionItem
from crawlers.match import BrandRule

REDDIT = "https://www.reddit.com"
GONE = frozenset({"[deleted]", "[removed]"})


def search_query(rule: BrandRule) -> str:
    """The brand's terms in Reddit search syntax: ``"acme corp" OR acme NOT "x"``.

    Reddit search is looser than the matcher (stemming, no NFKC), so results
    are filtered locally with the same matcher afterwards.
    """
    terms = " OR ".join(_quoted(t) for t in rule.terms)
    excluded = "".join(f" NOT {_quoted(t)}" for t in rule.exclude)
    return f"({terms}){excluded}" if excluded else terms


def _quoted(term: str) -> str:
    clean = term.replace('"', " ").strip()
    return f'"{clean}"' if " " in clean or not clean.isalnum() else clean


def _published(thing: Any) -> datetime | None:
    """``created_utc`` as a date; None when it is no number Python can date."""
    try:
        return from_timestamp(float(thing.created_utc))
    except (TypeError, ValueError):
        return None


def _dated(item: MentionItem, thing: Any) -> MentionItem:
    """``item``, with a warning when its ``created_utc`` could not be a date."""
    if item.published_at is None:
        stamp = str(vars(thing).get("created_utc"))[:30]
        item.warnings.append(
            f"{item.external_id}: created_utc {stamp} is absurd; stored undated"
        )
    return item


def _author(thing: Any) -> str | None:
    author = getattr(thing, "author", None)
    return str(author) if author is not None else None


def submission_item(source: str, post: Submission) -> MentionItem | None:
    """A submission as a mention, or None when it was deleted or removed."""
    text = post.selftext or ""
    if text in GONE or (text == "" and post.title in GONE):
        return None
    item = MentionItem(
        source=source,
        source_type="reddit",
        external_id=post.name,
        url=REDDIT + post.permalink,
        title=post.title,
        text=text,
        author=_author(post),
        site_name=f"r/{post.subreddit.display_name}",
        thread_id=post.name,
        score=int(post.score),
        comments=int(post.num_comments),
        followers=vars(post).get("subreddit_subscribers"),
        published_at=_published(post),
        raw={"link": post.url, "over_18": bool(post.over_18), "edited": post.edited},
    )
    return _dated(item, post)


def comment_item(
    source: str,
    comment: Comment,
    *,
    title: str | None = None,
    followers: int | None = None,
) -> MentionItem | None:
    """A comment as a mention (titled with its thread), or None when it is gone."""
    body = comment.body or ""
    if body in GONE or (_author(comment) is None and not body):
        return None
    item = MentionItem(
        source=source,
        source_type="reddit",
        external_id=comment.name,
        url=_comment_url(comment),
        title=title or vars(comment).get("link_title"),
        text=body,
        author=_author(comment),
        site_name=f"r/{comment.subreddit.display_name}",
        thread_id=comment.link_id,
        parent_id=comment.parent_id,
        top_level=comment.parent_id.startswith("t3_"),
        score=int(comment.score),
        followers=followers,
        published_at=_published(comment),
        raw={"parent_id": comment.parent_id, "edited": comment.edited},
    )
    return _dated(item, comment)


def _comment_url(comment: Comment) -> str:
    known = vars(comment).get("permalink")
    if known:
        return REDDIT + str(known)
    thread = comment.link_id.partition("_")[2]
    sub = comment.subreddit.display_name
    return f"{REDDIT}/r/{sub}/comments/{thread}/_/{comment.id}/"
