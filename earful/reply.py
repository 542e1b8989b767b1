"""Post the replies people approved, through each network's poster, exactly once.

Each due reply (``storage.replies.due``) goes to the poster of its mention's
network, which looks for it on the network before posting (``crawlers.reply``).
The outcome is recorded at once, one transaction per reply: posted (the case
becomes ``replied`` with the reply's URL and time), or failed with the reason,
retried next run unless the network refused it for good. A mention on a
network with no poster (no brand account there, or no reply API) keeps its
draft: ``answer_where`` says where a person must answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from crawlers.reply import (
    REPLIERS,
    Reply,
    ReplyError,
    ReplyPoster,
    open_replier,
    send,
)
from earful.config import ReplyAccountsConfig
from storage.models import Mention, ReplyPost
from storage.replies import due, mark_failed, mark_posted

log = logging.getLogger(__name__)


@dataclass
class PostReport:
    """What one run did: replies posted (their URLs), failed, and left as drafts."""

    posted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unposted: list[str] = field(default_factory=list)


def posters(
    accounts: ReplyAccountsConfig, env: Mapping[str, str]
) -> dict[str, ReplyPoster]:
    """A poster per network whose account is configured and whose secrets are set.

    ``earful config check`` names every unset variable; an account missing one
    gets no poster, so its replies wait as drafts.
    """

    def get(name: str) -> str:
        return env.get(name, "").strip()

    out: dict[str, ReplyPoster] = {}
    for network in REPLIERS:
        account = getattr(accounts, network, None)
        if account is not None and (poster := open_replier(network, account, get)):
            out[network] = poster
    return out


def answer_where(mention: Mention) -> str:
    """Where a person answers a mention Earful cannot reply to: its URL or source."""
    return mention.url or f"{mention.source} ({mention.external_id})"


def _reply(post: ReplyPost) -> Reply:
    mention = post.mention
    return Reply(
        network=post.network,
        target=mention.external_id,
        text=post.text,
        key=f"earful-reply-{post.id}",
        raw=dict(mention.raw or {}),
    )


def post_approved(
    sessions: sessionmaker[Session], posters: Mapping[str, ReplyPoster]
) -> PostReport:
    """Post every due approved reply whose network has a poster."""
    report = PostReport()
    with sessions() as session:
        ids = [p.id for p in due(session)]
    for post_id in ids:
        with sessions() as session, session.begin():
            post = session.get_one(ReplyPost, post_id)
            poster = posters.get(post.network)
            if poster is None:
                where = answer_where(post.mention)
                report.unposted.append(f"reply {post_id}: answer on {where}")
                continue
            try:
                posted = send(poster, _reply(post))
            except ReplyError as exc:
                mark_failed(session, post, str(exc), final=not exc.retry)
                log.warning("reply %d not posted: %s", post_id, exc)
                report.failed.append(f"reply {post_id}: {exc}")
                continue
            mark_posted(
                session,
                post,
                url=posted.url,
                external_id=posted.external_id,
                at=posted.at,
            )
            log.info("reply %d posted: %s", post_id, posted.url)
            report.posted.append(posted.url)
    return report
