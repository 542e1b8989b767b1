"""The Mastodon collector: hashtag and public timelines, and keyword search, per instance.

Each poll visits every configured instance in turn. On each it reads the
hashtag timelines (and, if asked, the public timeline) forward from the
newest status stored (``min_id``), up to ``max_pages`` pages of 40, and
with an access token searches each brand's terms (``/api/v2/search``,
``type=statuses``). Every status is matched with the brand rules; a toot is
keyed by its ActivityPub ``uri``, so one seen on two instances is stored once.

- **Full-text search** works only where the instance runs Elasticsearch, and
  even then finds only posts whose authors opted in (Mastodon 4.2+) or that the
  token's account interacted with. Many instances therefore find nothing:
  a search that has never found a post on an instance says so in the run's
  warning, rather than looking like a quiet day. Without a token the search
  is skipped with a warning naming the variable.
- **Rate limits**: each answer's ``X-RateLimit-Remaining`` / ``-Reset`` are
  read (Mastodon.py, ``ratelimit_method="throw"``); at 0 that instance pauses
  until the reset, without failing the source, and a 429 waits for the reset
  too. 5xx answers and dropped connections back the instance off 60 s,
  doubling. One instance failing never stops the others.
- **Edits and deletions**: timelines list a status once, when it is posted;
  an edit is seen when a search finds the post again (its mention is updated
  and scored again). A deleted toot is no longer listed; its mention stays.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mastodon import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.backoff import Backoff
from crawlers.errors import BadItemError, CollectorError
from crawlers.items import MentionItem
from crawlers.mastodon.client import InstanceAccess, make_mastodon
from crawlers.mastodon.things import status_item
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline
from crawlers.poller import load_cursor, matched, newer, store
from crawlers.query import positive_terms

log = logging.getLogger(__name__)

PAGE = 40  # Mastodon's largest timeline page
MAX_SEARCH_TERMS = 5  # searches per brand and instance (one term each)


@dataclass(frozen=True)
class MastodonParams:
    """What one Mastodon source reads."""

    source: str
    instances: tuple[InstanceAccess, ...]
    hashtags: tuple[str, ...] = ()
    public_timeline: bool = False
    local_only: bool = False  # True: only posts made on the instance itself
    search: bool = True
    max_pages: int = 3


class _Paused(Exception):  # noqa: N818 - control flow, not an error
    """The instance's rate limit is used up until its reset."""


@dataclass
class _Instance:
    access: InstanceAccess
    client: Any = None
    backoff: Backoff = field(default_factory=Backoff)
    paused: bool = False


class MastodonCollector:
    """Polls one Mastodon source across its instances; see the module docstring."""

    def __init__(
        self,
        params: MastodonParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.params = params
        self.matcher = matcher
        self.own_accounts = tuple(own_accounts)  # their posts: the brand's replies
        self.sessions = sessions
        self.instances = [_Instance(a) for a in params.instances]
        self._normalize = NormalizePipeline()

    def poll(self) -> Outcome:
        """Every instance once; failures of one instance do not stop the others."""
        outcome = Outcome(self.params.source)
        errors = []
        for instance in self.instances:
            problem = self._poll_instance(instance, outcome)
            if problem:
                errors.append(problem)
        if errors:
            outcome.error = f"mastodon source {self.params.source}: " + "; ".join(
                errors
            )
            log.warning("%s", outcome.error)
        return outcome

    def _poll_instance(self, instance: _Instance, outcome: Outcome) -> str | None:
        name = instance.access.name
        if (wait := instance.backoff.waiting()) > 0:
            message = f"{name}: waiting {wait:.0f} s for its rate limit to reset"
            if instance.paused:
                outcome.warnings.append(message)
                return None
            return f"{name}: backing off after errors, next try in {wait:.0f} s"
        instance.paused = False
        try:
            if instance.client is None:
                instance.client = make_mastodon(instance.access)
            for key, read in self._timelines(instance):
                self._timeline(instance, outcome, key, read)
            if self.params.search:
                self._search(instance, outcome)
            instance.backoff.succeeded()
        except _Paused:
            outcome.warnings.append(self._pause(instance))
        except (MastodonError, CollectorError, SQLAlchemyError) as exc:
            return self._failed(instance, exc)
        return None

    def _timelines(self, instance: _Instance) -> list[tuple[str, Any]]:
        client = instance.client
        local = self.params.local_only
        found: list[tuple[str, Any]] = [
            (
                f"{instance.access.name}|tag:{tag.lower()}",
                lambda tag=tag, **kw: client.timeline_hashtag(tag, local=local, **kw),
            )
            for tag in self.params.hashtags
        ]
        if self.params.public_timeline:
            found.append(
                (
                    f"{instance.access.name}|public",
                    lambda **kw: client.timeline_public(local=local, **kw),
                )
            )
        return found

    def _check_limit(self, instance: _Instance) -> None:
        client = instance.client
        reset = getattr(client, "ratelimit_reset", None)
        remaining = getattr(client, "ratelimit_remaining", None)
        if remaining is not None and remaining <= 0 and reset and reset > time.time():
            raise _Paused

    def _timeline(
        self, instance: _Instance, outcome: Outcome, key: str, read: Any
    ) -> None:
        """One timeline's statuses newer than the cursor, stored with it."""
        cursor = load_cursor(self.sessions, self.params.source)
        since = cursor.get(key)
        newest = since
        items: list[MentionItem] = []
        try:
            for _ in range(self.params.max_pages):
                self._check_limit(instance)
                page = list(
                    read(min_id=newest, limit=PAGE) if newest else read(limit=PAGE)
                )
                for status in page:
                    status_id = str(status["id"])
                    if newer(status_id, newest):
                        newest = status_id
                    items += self._matched(instance, status, outcome)
                if len(page) < PAGE or since is None:
                    break
        finally:
            if newest != since:
                cursor[key] = newest
            store(self.sessions, self.params.source, items, cursor, outcome)

    def _search(self, instance: _Instance, outcome: Outcome) -> None:
        access = instance.access
        if not access.token:
            outcome.warnings.append(
                f"{access.name}: keyword search skipped: it needs an access token "
                f"(set {access.token_env}); hashtag timelines still run"
            )
            return
        cursor = load_cursor(self.sessions, self.params.source)
        items: list[MentionItem] = []
        for rule in self.matcher.rules:
            terms = positive_terms(rule.tree())[:MAX_SEARCH_TERMS]
            for term in terms:
                self._check_limit(instance)
                answer = instance.client.search_v2(
                    term, resolve=False, result_type="statuses", limit=PAGE
                )
                statuses = answer["statuses"] or []
                if statuses:
                    cursor[f"{access.name}|search_found"] = True
                for status in statuses:
                    items += self._matched(instance, status, outcome)
        if not cursor.get(f"{access.name}|search_found"):
            outcome.warnings.append(
                f"{access.name}: keyword search has found no posts yet: this "
                "instance may search only hashtags and posts its users opted in "
                "or the token's account interacted with (full-text search needs "
                "Elasticsearch); hashtag timelines still run"
            )
        store(self.sessions, self.params.source, items, cursor, outcome)

    def _matched(
        self, instance: _Instance, status: Any, outcome: Outcome
    ) -> list[MentionItem]:
        try:
            item = status_item(self.params.source, instance.access.name, status)
        except BadItemError as exc:  # one stranger's status never stops the poll
            outcome.warnings.append(f"{instance.access.name}: skipped: {exc}")
            return []
        if item is None:
            return []
        found = matched(item, self.matcher, self._normalize, self.own_accounts)
        return [found] if found is not None else []

    def _pause(self, instance: _Instance) -> str:
        reset = getattr(instance.client, "ratelimit_reset", None) or time.time() + 60
        wait = max(0.0, float(reset) - time.time())
        instance.backoff.wait_for(wait)
        instance.paused = True
        return (
            f"{instance.access.name}: rate limit used up (X-RateLimit-Remaining: 0), "
            f"next requests after its reset in {wait:.0f} s"
        )

    def _failed(self, instance: _Instance, exc: Exception) -> str:
        access = instance.access
        name = access.name
        if isinstance(exc, MastodonRatelimitError):
            reset = getattr(instance.client, "ratelimit_reset", None)
            wait = max(0.0, float(reset) - time.time()) if reset else 60.0
            instance.backoff.wait_for(wait)
            return f"{name}: rate limited (HTTP 429), retrying after {wait:.0f} s"
        if isinstance(exc, MastodonUnauthorizedError):
            return (
                f"{name} refused the access token (HTTP 401: {_said(exc)}): check "
                f"{access.token_env}"
            )
        if isinstance(exc, (MastodonServerError, MastodonNetworkError)):
            delay = instance.backoff.failed()
            args: tuple[Any, ...] = tuple(exc.args)
            what = (
                f"HTTP {args[1]} {args[2]}"
                if isinstance(exc, MastodonServerError) and len(args) > 2  # noqa: PLR2004
                else "connection failed"
            )
            return f"{name} unavailable ({what}), retrying in {delay:g} s"
        if isinstance(exc, MastodonAPIError) and _status(exc) == 422:  # noqa: PLR2004
            return (
                f"{name} lets only signed-in users read this timeline: set "
                f"{access.token_env} to an access token"
            )
        return f"{name}: {_said(exc) or type(exc).__name__}"


def _said(exc: Exception) -> str:
    """What the instance said: its ``{"error": ...}`` text, else the HTTP reason.

    Mastodon.py's API errors carry ``(message, status, reason, error text)``.
    """
    args: tuple[Any, ...] = tuple(exc.args)
    if len(args) > 3 and args[3]:  # noqa: PLR2004
        return str(args[3])[:300]
    if len(args) > 2 and args[2]:  # noqa: PLR2004
        return str(args[2])[:300]
    return str(exc)[:300]


def _status(exc: Exception) -> int | None:
    args: tuple[Any, ...] = tuple(exc.args)
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def newest_items(params: MastodonParams, limit: int = 10) -> list[MentionItem]:
    """The newest statuses of each hashtag (or the public timeline) on each instance.

    For ``earful source check``: nothing stored, no cursor, no search.
    """
    items: list[MentionItem] = []
    collector = MastodonCollector(params, Matcher(()), sessionmaker())
    for instance in collector.instances:
        name = instance.access.name
        try:
            instance.client = make_mastodon(instance.access)
            for _, read in collector._timelines(instance):
                for status in read(limit=max(1, min(limit, PAGE))):
                    item = status_item(params.source, name, status)
                    if item is not None:
                        items.append(item)
        except MastodonError as exc:
            message = collector._failed(instance, exc)
            msg = f"mastodon source {params.source}: {message}"
            raise CollectorError(msg) from None
    return items
