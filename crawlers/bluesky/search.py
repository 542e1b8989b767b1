"""Bluesky brand searches (``app.bsky.feed.searchPosts``) with the ``atproto`` client.

The firehose sees only what is posted while it listens; a search backfills
what was said before a brand was added (or while Earful was down longer than
Jetstream keeps its history, about a day). Search needs an account: a handle
and an app password from the environment, exchanged for a session
(``com.atproto.server.createSession``) on first use and kept. Each positive
term of each brand is searched, newest first, up to ``pages`` pages of
``limit`` posts; results are matched locally with the same matcher (the
search index is looser: stemming, no NFKC) and stored under the same AT URI
as the firehose stores them, so a post found both ways is one mention.

Failures are the source's, never the daemon's: missing or refused
credentials, an expired session (dropped, so the next search logs in again),
HTTP 429 (no search until ``ratelimit-reset``) and network errors come back
as the outcome's error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from atproto import Client
from atproto.exceptions import (
    AtProtocolError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.backoff import Backoff
from crawlers.bluesky.posts import post_item
from crawlers.errors import CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline, detect_item_language
from crawlers.query import positive_terms
from storage.queries import upsert_mentions

log = logging.getLogger(__name__)

DEFAULT_RATE_LIMIT_WAIT_S = 300.0
APP_PASSWORDS = "https://bsky.app/settings/app-passwords"


class BlueskyCredentialsError(CollectorError):
    """The Bluesky search account is missing from the environment, or refused."""


@dataclass(frozen=True)
class BlueskyCredentials:
    """The search account, from the environment variables the config names."""

    handle: str | None
    app_password: str | None = field(repr=False)
    handle_env: str = "EARFUL_BLUESKY_HANDLE"
    app_password_env: str = "EARFUL_BLUESKY_APP_PASSWORD"  # noqa: S105 - a name
    api_url: str = "https://bsky.social"

    def missing(self) -> BlueskyCredentialsError | None:
        """Why these credentials cannot log in, before trying; None if complete."""
        unset = [
            env
            for env, value in (
                (self.handle_env, self.handle),
                (self.app_password_env, self.app_password),
            )
            if not value
        ]
        if not unset:
            return None
        return BlueskyCredentialsError(
            f"Bluesky search needs an account: set {' and '.join(unset)} "
            f"(an app password from {APP_PASSWORDS})"
        )


@dataclass(frozen=True)
class SearchParams:
    """How much one round of searches reads."""

    source: str
    limit: int = 100
    pages: int = 5


class BlueskySearcher:
    """Searches one source's brands; see the module docstring."""

    def __init__(
        self,
        credentials: BlueskyCredentials,
        params: SearchParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
    ) -> None:
        self.credentials = credentials
        self.params = params
        self.matcher = matcher
        self.sessions = sessions
        self._client: Client | None = None
        self._normalize = NormalizePipeline()
        self.backoff = Backoff()

    def search(self) -> Outcome:
        """Search every brand term once (newest first) and store what matches."""
        outcome = Outcome(self.params.source)
        if (wait := self.backoff.waiting()) > 0:
            outcome.error = self._message(
                f"rate limited by Bluesky (HTTP 429), next search in {wait:.0f} s"
            )
            return outcome
        try:
            client = self._login()
            for term in self._terms():
                self._search_term(client, term, outcome)
        except BlueskyCredentialsError as exc:
            outcome.error = self._message(str(exc))
        except RateLimitExceededError as exc:
            outcome.error = self._message(self._rate_limited(exc))
        except UnauthorizedError as exc:
            self._client = None
            outcome.error = self._message(self._refused(exc))
        except (AtProtocolError, SQLAlchemyError) as exc:
            self._client = None  # an expired session logs in afresh next time
            reason = str(exc) or type(exc).__name__
            outcome.error = self._message(f"search failed: {reason}")
        if outcome.error:
            log.warning("%s", outcome.error)
        return outcome

    def _message(self, reason: str) -> str:
        return f"bluesky source {self.params.source}: {reason}"

    def _login(self) -> Client:
        if self._client is not None:
            return self._client
        problem = self.credentials.missing()
        if problem is not None:
            raise problem
        client = Client(base_url=self.credentials.api_url)
        client.login(
            self.credentials.handle,
            self.credentials.app_password,
            fetch_bsky_profile=False,
        )
        self._client = client
        return client

    def _refused(self, exc: RequestErrorBase) -> str:
        body = _error_body(exc)
        code = body.get("error") or "Unauthorized"
        message = body.get("message") or "no reason given"
        return (
            f"Bluesky refused the account in {self.credentials.handle_env} / "
            f"{self.credentials.app_password_env}: {code}: {message} (check the "
            f"handle and make a new app password at {APP_PASSWORDS})"
        )

    def _rate_limited(self, exc: RateLimitExceededError) -> str:
        reset = exc.reset_at
        delay = DEFAULT_RATE_LIMIT_WAIT_S
        if reset is not None:
            delay = max(1.0, (reset - datetime.now(UTC)).total_seconds())
        self.backoff.wait_for(delay)
        return f"rate limited by Bluesky (HTTP 429), next search in {delay:.0f} s"

    def _terms(self) -> list[str]:
        terms = (t for rule in self.matcher.rules for t in positive_terms(rule.tree()))
        return list(dict.fromkeys(t.strip() for t in terms if t.strip()))

    def _search_term(self, client: Client, term: str, outcome: Outcome) -> None:
        cursor: str | None = None
        query = f'"{term}"' if " " in term else term
        for _ in range(self.params.pages):
            params: dict[str, Any] = {
                "q": query,
                "sort": "latest",
                "limit": self.params.limit,
            }
            if cursor:
                params["cursor"] = cursor
            response = client.app.bsky.feed.search_posts(params)
            outcome.counts["requests"] += 1
            self._store([self._mention(post) for post in response.posts], outcome)
            cursor = response.cursor
            if not cursor or not response.posts:
                return

    def _mention(self, post: Any) -> MentionItem | None:
        record = post.record.model_dump(by_alias=True, exclude_none=True)
        did, rkey = post.author.did, post.uri.rpartition("/")[2]
        item = post_item(
            self.params.source,
            did=did,
            rkey=rkey,
            record=record,
            handle=post.author.handle,
            score=post.like_count,
            comments=post.reply_count,
        )
        item = self._normalize.process_item(item)
        if self.matcher.needs_language:
            detect_item_language(item)
        item.matches = self.matcher.match(item.text, item.language)
        if not item.matches:
            return None
        detect_item_language(item)
        return item

    def _store(self, items: list[MentionItem | None], outcome: Outcome) -> None:
        found = [i for i in items if i is not None]
        if not found:
            return
        with self.sessions.begin() as session:
            results = upsert_mentions(
                session, [(i.mention_fields(), i.matches) for i in found]
            )
        outcome.seen += len(results)
        outcome.new += sum(r.status == "new" for r in results)
        outcome.updated += sum(r.status == "updated" for r in results)


def _error_body(exc: RequestErrorBase) -> dict[str, Any]:
    content = getattr(exc.response, "content", None)
    if isinstance(content, dict):
        return content
    error = getattr(content, "error", None)
    message = getattr(content, "message", None)
    return {"error": error, "message": message}
