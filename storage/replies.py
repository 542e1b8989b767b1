"""Approved replies waiting to go out on the mention's network, and what became of them.

Rules a reader must know:

- A reply is posted only once a person approved it: ``draft`` records the
  final text and who wrote it, ``approve`` who approved it (the text cannot
  change after; an edit is a new draft).
- ``due`` lists approved replies not posted yet (failed ones included, to
  retry); the poster checks the network for the reply before posting again, so
  a retry after a timeout never posts twice.
- ``mark_posted`` keeps the reply's public URL and time, and makes the
  mention's case ``replied`` (its reply URL set) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.cases import Actor, CaseError, change, open_case
from storage.models import CaseState, Mention, ReplyPost, ReplyPostState, utcnow

MAX_ERROR = 500
MAX_ATTEMPTS = 5


def draft(
    session: Session,
    mention_id: int,
    text: str,
    author: Actor,
    now: datetime | None = None,
) -> ReplyPost:
    """Record ``text`` as a draft reply to the mention, written by ``author``."""
    mention = session.get(Mention, mention_id)
    if mention is None:
        msg = f"mention {mention_id} not found"
        raise CaseError(msg)
    if not text.strip():
        msg = f"mention {mention_id}: the draft is empty"
        raise CaseError(msg)
    post = ReplyPost(
        mention_id=mention_id,
        network=mention.source_type,
        text=text,
        drafted_by=author.label,
        drafted_at=now or utcnow(),
        state=ReplyPostState.DRAFT,
        attempts=0,
    )
    session.add(post)
    open_case(session, mention_id, now)
    session.flush()
    return post


def approve(
    session: Session, post_id: int, approver: Actor, now: datetime | None = None
) -> ReplyPost:
    """``approver`` approved draft ``post_id``: it is due to be posted.

    CaseError when there is no such draft, or it was approved already (a
    second click changes nothing and is said so).
    """
    post = session.get(ReplyPost, post_id)
    if post is None:
        msg = f"reply {post_id} not found"
        raise CaseError(msg)
    if post.state != ReplyPostState.DRAFT:
        msg = f"reply {post_id} was approved already, by {post.approved_by}"
        raise CaseError(msg)
    post.state = ReplyPostState.APPROVED
    post.approved_by, post.approved_at = approver.label, now or utcnow()
    session.flush()
    return post


def due(session: Session, limit: int = 50) -> list[ReplyPost]:
    """Approved replies not posted yet, oldest approval first (failed ones retried)."""
    stmt = (
        select(ReplyPost)
        .where(
            ReplyPost.state.in_((ReplyPostState.APPROVED, ReplyPostState.FAILED)),
            ReplyPost.attempts < MAX_ATTEMPTS,
        )
        .order_by(ReplyPost.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_posted(
    session: Session, post: ReplyPost, *, url: str, external_id: str, at: datetime
) -> None:
    """The reply is out: keep its URL and time; the case is replied with that URL."""
    post.state, post.url, post.external_id = ReplyPostState.POSTED, url, external_id
    post.posted_at, post.last_error = at, None
    post.attempts += 1
    actor = Actor(post.approved_by or "someone", "collector")
    case = change(session, post.mention_id, actor, state=CaseState.REPLIED, now=at)
    case.reply_url = url
    case.replied_at = min(at, case.replied_at) if case.replied_at else at
    session.flush()


def mark_failed(session: Session, post: ReplyPost, error: str, *, final: bool) -> None:
    """Posting failed with ``error``; ``final`` (refused for good) stops the retries."""
    post.state = ReplyPostState.FAILED
    post.last_error = error[:MAX_ERROR]
    post.attempts = MAX_ATTEMPTS if final else post.attempts + 1
    session.flush()
