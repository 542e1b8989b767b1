"""Replies as the brand's Reddit account: PRAW's ``reply`` on the comment or post.

Replying needs a user: a script app signed in as the brand's account
(password grant), unlike the read-only collector. The mention is stored by its
fullname (``t1_…`` a comment, ``t3_…`` a post). ``find_posted`` reads the
account's newest comments for one whose parent is that thing, with the same
text. Reddit answers a refused comment with HTTP 200 and ``json.errors``
(PRAW raises ``RedditAPIException``): ``RATELIMIT`` is retried later, the rest
(``TOO_LONG`` past 10000 characters, a deleted or locked thread) is not.

prawcore itself retries a request twice after a dropped connection, a read
timeout or a 5xx: for ``POST /api/comment`` that is a second comment whenever
Reddit took the first and the answer was lost. ``OncePostingRequestor`` stops
that for POSTs (the token request aside), so the only retry is the outbox's,
which looks for the comment first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import praw
from praw.exceptions import PRAWException, RedditAPIException
from prawcore import Requestor
from prawcore.exceptions import (
    OAuthException,
    PrawcoreException,
    RequestException,
    ResponseException,
    TooManyRequests,
)
from prawcore.sessions import Session
from requests import Response

from crawlers.reddit.client import USER_AGENT
from crawlers.reply import PostedReply, Reply, ReplyError, same_text

OWN_COMMENTS = 100
REDDIT = "https://www.reddit.com"


class UnansweredPostError(Exception):
    """A POST got no answer, or a 5xx: Reddit may have carried it out."""


class OncePostingRequestor(Requestor):
    """A prawcore requestor whose POSTs prawcore does not retry (see the module)."""

    def request(
        self, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Response:
        """The request; a lost POST answer comes back as a non-retried error."""
        method, url = (str(a) for a in args[:2])
        once = method.upper() == "POST" and not url.endswith("/access_token")
        try:
            response = super().request(*args, timeout=timeout, **kwargs)
        except RequestException as exc:
            lost = exc.original_exception
            if once and isinstance(lost, Session.RETRY_EXCEPTIONS):
                error = UnansweredPostError(type(lost).__name__)
                raise RequestException(error, args, kwargs) from None
            raise
        if once and response.status_code in Session.RETRY_STATUSES:
            error = UnansweredPostError(f"HTTP {response.status_code}")
            raise RequestException(error, args, kwargs)
        return response


@dataclass(frozen=True)
class RedditAccount:
    """The brand's account and the script app it signs in with (secrets out of repr)."""

    username: str
    password: str
    client_id: str
    client_secret: str
    oauth_url: str | None = None  # for tests; Reddit's own by default
    reddit_url: str | None = None

    def __repr__(self) -> str:
        return f"RedditAccount({self.username!r}, ...)"


def make_user_reddit(account: RedditAccount) -> praw.Reddit:
    """A ``praw.Reddit`` signed in as the account (no request is made yet)."""
    urls = {"oauth_url": account.oauth_url, "reddit_url": account.reddit_url}
    settings: dict[str, Any] = {k: v for k, v in urls.items() if v}
    if account.reddit_url:
        settings["short_url"] = account.reddit_url
    return praw.Reddit(
        client_id=account.client_id,
        client_secret=account.client_secret,
        username=account.username,
        password=account.password,
        user_agent=USER_AGENT.replace("read-only", "replies"),
        check_for_updates=False,
        check_for_async=False,
        requestor_class=OncePostingRequestor,
        **settings,
    )


def _error(exc: Exception, username: str) -> ReplyError:
    where = f"reddit u/{username}"
    if isinstance(exc, RedditAPIException):
        codes = [item.error_type for item in exc.items]
        text = "; ".join(f"{i.error_type}: {i.message}" for i in exc.items)[:200]
        return ReplyError(f"{where}: refused: {text}", retry=codes == ["RATELIMIT"])
    if isinstance(exc, OAuthException):
        return ReplyError(f"{where}: sign-in refused ({exc.error})", retry=False)
    if isinstance(exc, TooManyRequests):
        return ReplyError(f"{where}: rate limited (429)", retry=True)
    if isinstance(exc, ResponseException):
        status = exc.response.status_code
        return ReplyError(f"{where}: HTTP {status}", retry=status >= 500)  # noqa: PLR2004
    if isinstance(exc, RequestException):
        cause = type(exc.original_exception).__name__
        if isinstance(exc.original_exception, UnansweredPostError):
            cause = f"no answer: {exc.original_exception}"
        return ReplyError(f"{where}: not reachable ({cause})", retry=True)
    return ReplyError(f"{where}: {type(exc).__name__}", retry=True)


class RedditReplier:
    """Posts replies as the account of a user-context ``praw.Reddit``."""

    network = "reddit"

    def __init__(self, reddit: praw.Reddit, username: str) -> None:
        self._reddit = reddit
        self._username = username

    def __repr__(self) -> str:
        return f"RedditReplier({self._username!r})"

    def find_posted(self, reply: Reply) -> PostedReply | None:
        """The account's own comment under the mention with this text, if it is out."""
        try:
            own = self._reddit.redditor(self._username).comments.new(limit=OWN_COMMENTS)
            for comment in own:
                if comment.parent_id == reply.target and same_text(
                    comment.body, reply.text
                ):
                    return _posted(comment)
        except (PRAWException, PrawcoreException) as exc:
            raise _error(exc, self._username) from None
        return None

    def post(self, reply: Reply) -> PostedReply:
        """Reply under the comment or post the mention is."""
        kind, _, thing_id = reply.target.partition("_")
        try:
            if kind == "t1":
                thing: Any = self._reddit.comment(thing_id)
            elif kind == "t3":
                thing = self._reddit.submission(thing_id)
            else:
                msg = f"reddit: {reply.target} is not a comment or post"
                raise ReplyError(msg, retry=False)
            comment = thing.reply(reply.text)
        except (PRAWException, PrawcoreException) as exc:
            raise _error(exc, self._username) from None
        if comment is None:  # PRAW: the thread is locked or archived
            msg = f"reddit: {reply.target} takes no replies (locked or archived)"
            raise ReplyError(msg, retry=False)
        return _posted(comment)


def _posted(comment: Any) -> PostedReply:
    return PostedReply(
        url=REDDIT + str(comment.permalink),
        external_id=str(comment.name),
        at=datetime.fromtimestamp(float(comment.created_utc), UTC),
    )


def replier(account: Any, secret: Callable[[str], str]) -> RedditReplier | None:
    """``[response.accounts.reddit]``'s poster, or None while a secret is unset."""
    keys = ("password_env", "client_id_env", "client_secret_env")
    values = [secret(getattr(account, key)) for key in keys]
    if not all(values):
        return None
    password, client_id, client_secret = values
    user = RedditAccount(account.username, password, client_id, client_secret)
    return RedditReplier(make_user_reddit(user), account.username)
