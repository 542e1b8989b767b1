"""The poll the Meta collectors share: back-off, failures as outcomes, matching items.

``InstagramCollector`` and ``FacebookCollector`` subclass ``GraphPoller``
and write only ``_poll``, which reads their edges with ``self.client``.
``poll()`` turns what ``crawlers.metagraph`` raises into the run's outcome:

- usage near Meta's allowance (the client stopped itself): a warning, and
  the source waits the time the headers give, without failing;
- throttled by Meta (codes 4, 17, 32, 613, 800xx): the run fails, and the
  source waits the same way;
- 5xx, timeouts, dropped connections: the run fails, and the source backs
  off from 60 s, doubling to 15 minutes;
- a refused token, a missing permission, a database error: the run fails
  with the message (which names the token's variable, never the token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.backoff import Backoff
from crawlers.bounds import parse_iso
from crawlers.errors import BadItemError, CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import (
    GraphAccess,
    GraphClient,
    GraphRateLimitError,
    GraphUnavailableError,
)
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline
from crawlers.poller import load_cursor, matched, store

log = logging.getLogger(__name__)

FRESH = timedelta(days=2)  # posts this young are read every poll, whatever their count

MAX_IDS = 500  # comment ids remembered per watched post, for counting deletions


class GraphPoller:
    """One Meta source's poll; subclasses set ``kind`` and write ``_poll``."""

    kind: ClassVar[str]

    def __init__(
        self,
        source: str,
        access: GraphAccess,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        self.source = source
        self.access = access
        self.matcher = matcher
        self.sessions = sessions
        self.own_accounts = tuple(own_accounts)  # their posts: the brand's replies
        self.backoff = Backoff()
        self.paused = False  # waiting on usage, not after a failure
        self._client: GraphClient | None = None
        self._normalize = NormalizePipeline()
        self.now: Callable[[], datetime] = _utcnow  # tests move the clock

    @property
    def client(self) -> GraphClient:
        """The Graph client, made on first use (an unset token surfaces there)."""
        if self._client is None:
            self._client = GraphClient(self.access)
        return self._client

    def poll(self) -> Outcome:
        """Read the source once; never raises."""
        outcome = Outcome(self.source)
        if (wait := self.backoff.waiting()) > 0:
            message = f"waiting {wait:.0f} s for Meta's rate limit to reset"
            if self.paused:
                outcome.warnings.append(message)
            else:
                outcome.error = self.named(f"backing off after errors: {message}")
            return outcome
        self.paused = False
        try:
            self._poll(outcome)
            self.backoff.succeeded()
        except GraphRateLimitError as exc:
            self.backoff.wait_for(exc.retry_after)
            self.paused = exc.code is None  # the client stopped before Meta had to
            if self.paused:
                outcome.warnings.append(f"paused: {exc}")
            else:
                again = f"retrying in {exc.retry_after:.0f} s"
                outcome.error = self.named(f"{exc}; {again}")
        except GraphUnavailableError as exc:
            delay = self.backoff.failed()
            outcome.error = self.named(f"{exc}; retrying in {delay:g} s")
        except (CollectorError, SQLAlchemyError) as exc:
            outcome.error = self.named(str(exc) or type(exc).__name__)
        if outcome.error:
            log.warning("%s", outcome.error)
        return outcome

    def named(self, message: str) -> str:
        """``message`` as the run's error: ``instagram source ig-acme: …``."""
        return f"{self.kind} source {self.source}: {message}"

    def _poll(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def read(
        self,
        parse: Callable[[], MentionItem],
        outcome: Outcome,
        own: Iterable[str] = (),
    ) -> list[MentionItem]:
        """The item ``parse`` makes, if it names a brand (or ``own`` wrote it).

        An item that cannot be read is skipped with a warning: one stranger's
        comment never stops the poll.
        """
        try:
            item = parse()
        except BadItemError as exc:
            outcome.warnings.append(f"skipped: {exc}")
            return []
        accounts = (*self.own_accounts, *own)
        found = matched(item, self.matcher, self._normalize, accounts)
        return [found] if found is not None else []

    def recent(self, posted: datetime | None) -> bool:
        """Whether a post of this time is young enough to be read every poll."""
        return posted is not None and self.now() - posted < FRESH

    def fresh(self, posted: Any) -> bool:
        """:meth:`recent` for Graph's ISO 8601 time string (or nothing)."""
        return self.recent(parse_iso(str(posted or "")))

    def follow(
        self,
        key: str,
        posts: Mapping[str, Watch],
        read: Callable[[Any], tuple[list[MentionItem], set[str], bool]],
        outcome: Outcome,
    ) -> None:
        """Read again the comments under each watched post whose count moved.

        The cursor's ``key`` holds each post's comment count and ids, for the
        posts listed now (the window); each post's comments are stored with
        the cursor, so a restart loses and doubles nothing. ``read`` returns a
        post's items, their ids and whether they were read to the end.
        """
        cursor = load_cursor(self.sessions, self.source)
        before_poll: dict[str, Any] = dict(cursor.get(key) or {})
        state = {k: v for k, v in before_poll.items() if k in posts}
        for post_id, watch in posts.items():
            before = state.get(post_id) or {}
            if before.get("count", 0) == watch.count and not watch.due:
                continue
            items, ids, complete = read(watch.post)
            state[post_id] = watched(before, ids, complete, watch.count, outcome)
            cursor[key] = state
            store(self.sessions, self.source, items, cursor, outcome)
        if state != before_poll:
            cursor[key] = state
            store(self.sessions, self.source, (), cursor, outcome)


@dataclass(frozen=True)
class Watch:
    """A post whose comments a poller follows: its count, and whether it is due anyway
    (posted recently, or a network that gives no count)."""

    post: Any
    count: int | None
    due: bool


def watched(
    before: Mapping[str, Any],
    ids: set[str],
    complete: bool,
    count: int | None,
    outcome: Outcome,
) -> dict[str, Any]:
    """A watched post's cursor entry after its comments were read again.

    The ids stored before that are gone now are counted as deleted, when
    the comments were read to their end; otherwise the old ids are kept, so
    the next full read still counts them.
    """
    old = set(before.get("ids") or ())
    if complete:
        outcome.counts["deleted"] += len(old - ids)
    else:
        ids = ids | old
    return {"count": count, "ids": sorted(ids)[-MAX_IDS:]}


def _utcnow() -> datetime:
    return datetime.now(UTC)
