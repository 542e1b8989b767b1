"""The Bluesky firehose: Jetstream over a WebSocket, matched as it arrives, stored once.

Jetstream sends every public post as one JSON event (``kind = "commit"``,
``commit.operation`` create, update or delete) with ``time_us``, the time the
relay saw it. ``JetstreamCollector.listen`` is the one entry point: it connects
(``wantedCollections=app.bsky.feed.post``), matches each post's text against the
brand rules with the multi-pattern matcher, and every ``FLUSH_EVERY_S`` stores
the matches together with the newest ``time_us`` in one transaction
(``source_cursors``); the very first listen stores the time it began. After a crash or a dropped connection it reconnects with
``cursor=`` set that far back less ``replay_margin``: Jetstream replays from
there, and the unique (source, external id) of mentions drops what was stored
already, so a kill at any moment loses nothing and stores nothing twice.

A listen is bounded (``seconds``) and stops at ``stop``, so it runs as a job
like any other source and could run on a task queue; the daemon starts the
next one at once (``earful.pipeline``). Inside it, a failed connection is
retried with backoff doubling from ``FIRST_BACKOFF_S`` to ``max_backoff``; the
listen's outcome carries the last error, so status shows a firehose that
cannot connect. Deleted posts are not stored, as on every other source; a
mention stored before its post was deleted stays, as the record of what was
said. An update stores the new text (scored again) when it still names a brand.

One stranger's post never stops the listen: an event that cannot be read
(not JSON, nested too deep, ``time_us`` out of range or more than a day
ahead) is skipped and counted, a post with an impossible ``createdAt`` is
stored dated by ``time_us``; both are the run's warning in ``earful status``,
and the cursor moves on with the next event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from websockets.exceptions import InvalidURI, WebSocketException
from websockets.sync.client import connect

from crawlers.backoff import Backoff
from crawlers.bluesky.posts import POST, PostEvent, post_event, post_item, time_us_of
from crawlers.bluesky.settings import JETSTREAM_URL
from crawlers.bounds import AHEAD, loads_json
from crawlers.errors import BadItemError, CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.outcome import Outcome
from crawlers.pipelines import NormalizePipeline, detect_item_language
from storage.queries import get_cursor, set_cursor, upsert_mentions

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 0.5  # matches wait at most this long before they are stored
FLUSH_AT = 500  # ... or this many of them
FIRST_BACKOFF_S = 1.0
OPEN_TIMEOUT_S = 10.0
MAX_MESSAGE = 1 << 20  # Jetstream events are a few KB; a bigger one is refused


@dataclass(frozen=True)
class JetstreamParams:
    """What one Bluesky firehose source listens to."""

    source: str
    url: str = JETSTREAM_URL
    replay_margin_s: float = 5.0  # how far before the stored cursor a reconnect starts
    max_backoff_s: float = 60.0


@dataclass
class _Pending:
    items: list[MentionItem] = field(default_factory=list)
    time_us: int | None = None
    since: float = field(default_factory=time.monotonic)


def subscribe_url(base: str, cursor: int | None) -> str:
    """``base`` with ``wantedCollections`` for posts and, when resuming, ``cursor``."""
    parts = urlsplit(base)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query)
        if k not in {"cursor", "wantedCollections"}
    ]
    query.append(("wantedCollections", POST))
    if cursor is not None:
        query.append(("cursor", str(cursor)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class JetstreamCollector:
    """Listens to Jetstream for one source; see the module docstring."""

    def __init__(
        self,
        params: JetstreamParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
    ) -> None:
        self.params = params
        self.matcher = matcher
        self.sessions = sessions
        self._normalize = NormalizePipeline()
        self.backoff = Backoff(FIRST_BACKOFF_S, params.max_backoff_s)

    def listen(
        self,
        seconds: float,
        stop: threading.Event,
        wake: Callable[[], object] | None = None,
    ) -> Outcome:
        """Listen for up to ``seconds`` or until ``stop``; ``wake`` after storing news.

        Never raises for network or database trouble: it is in the outcome.
        """
        outcome = Outcome(self.params.source)
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                self._connection(outcome, deadline, stop, wake)
            except (OSError, WebSocketException, InvalidURI, SQLAlchemyError) as exc:
                outcome.error = self._failed(exc)
                left = max(0.0, deadline - time.monotonic())
                stop.wait(min(self.backoff.waiting(), left))
        if skipped := outcome.counts["skipped"]:
            outcome.warnings.insert(0, f"{skipped} event(s) skipped as unreadable")
        return outcome

    def _failed(self, exc: Exception) -> str:
        delay = self.backoff.failed()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = (
            f"bluesky source {self.params.source}: Jetstream at "
            f"{urlsplit(self.params.url).netloc or self.params.url}: {reason}; "
            f"reconnecting in {delay:g} s"
        )
        log.warning("%s", message)
        return message

    def _resume_from(self) -> int:
        """The ``cursor=`` to connect with; the first listen ever stores "now" first.

        So a crash before the first flush resumes from when listening began,
        not from the live tail of the restart.
        """
        with self.sessions.begin() as session:
            stored = time_us_of(get_cursor(session, self.params.source))
            if stored is None:
                stored = time.time_ns() // 1000
                set_cursor(session, self.params.source, {"time_us": stored})
        return max(0, stored - int(self.params.replay_margin_s * 1_000_000))

    def _connection(
        self,
        outcome: Outcome,
        deadline: float,
        stop: threading.Event,
        wake: Callable[[], object] | None,
    ) -> None:
        """One connection, read until the deadline, ``stop`` or a disconnect."""
        url = subscribe_url(self.params.url, self._resume_from())
        pending = _Pending()
        with connect(
            url, open_timeout=OPEN_TIMEOUT_S, max_size=MAX_MESSAGE, compression=None
        ) as socket:
            outcome.counts["connects"] += 1
            outcome.error = None
            self.backoff.succeeded()  # a connection that opens starts it over
            try:
                while not stop.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    try:
                        message = socket.recv(timeout=min(FLUSH_EVERY_S, left))
                    except TimeoutError:
                        message = None
                    if message is not None:
                        outcome.counts["events"] += 1
                        self._event(message, pending, outcome)
                    if (
                        len(pending.items) >= FLUSH_AT
                        or time.monotonic() - pending.since >= FLUSH_EVERY_S
                    ):
                        self._flush(pending, outcome, wake)
                        pending = _Pending()
            finally:
                self._flush(pending, outcome, wake)

    def _event(self, message: str | bytes, pending: _Pending, outcome: Outcome) -> None:
        try:
            event = read_event(message)
        except BadItemError as exc:
            self._skip(outcome, f"a message is not a Jetstream event: {exc}")
            return
        time_us = time_us_of(event)
        if time_us is None:
            self._skip(outcome, "an event has no time_us, or one out of range")
            return
        if time_us > (time.time_ns() // 1000) + AHEAD // timedelta(microseconds=1):
            self._skip(outcome, f"an event's time_us {time_us} is in the future")
            return
        post = post_event(event)
        if post is not None:
            if post.operation == "delete":
                outcome.counts["deleted"] += 1
            else:
                item = self._matched(post)
                if item is not None:
                    pending.items.append(item)
                    for warning in item.warnings:
                        outcome.warn(warning)
        if pending.time_us is None or time_us > pending.time_us:
            pending.time_us = time_us

    def _skip(self, outcome: Outcome, reason: str) -> None:
        """Count an unreadable event (logged once a listen: a wrong URL would flood)."""
        outcome.counts["malformed"] += 1
        outcome.counts["skipped"] += 1
        outcome.warn(reason)
        if outcome.counts["malformed"] == 1:
            log.warning(
                "bluesky source %s: %s (is jetstream_url a Jetstream /subscribe "
                "without compress=true?)",
                self.params.source,
                reason,
            )

    def _matched(self, post: PostEvent) -> MentionItem | None:
        """The normalised mention when the post names a brand, else None (cheap)."""
        language = None
        text = post.text
        record = post.record or {}
        if self.matcher.needs_language:
            item = post_item(
                self.params.source, did=post.did, rkey=post.rkey, record=record
            )
            detect_item_language(self._normalize.process_item(item))
            language = item.language
        matches = self.matcher.match(text, language)
        if not matches:
            return None
        item = post_item(
            self.params.source,
            did=post.did,
            rkey=post.rkey,
            record=record,
            time_us=post.time_us,
        )
        item = self._normalize.process_item(item)
        detect_item_language(item)
        item.matches = matches
        return item

    def _flush(
        self,
        pending: _Pending,
        outcome: Outcome,
        wake: Callable[[], object] | None,
    ) -> None:
        """Store the matches and the cursor past them, in one transaction."""
        if pending.time_us is None:
            return
        with self.sessions.begin() as session:
            results = upsert_mentions(
                session, [(i.mention_fields(), i.matches) for i in pending.items]
            )
            set_cursor(session, self.params.source, {"time_us": pending.time_us})
        outcome.seen += len(results)
        fresh = sum(r.status == "new" for r in results)
        changed = sum(r.status == "updated" for r in results)
        outcome.new += fresh
        outcome.updated += changed
        if (fresh or changed) and wake is not None:
            wake()


def read_event(message: str | bytes) -> dict[str, Any]:
    """A Jetstream message decoded; ``BadItemError`` when it is not a JSON object.

    Nesting and size are bounded (``crawlers.bounds``): a message nested
    100,000 deep is a bad item, not a ``RecursionError``.
    """
    event = loads_json(message, max_bytes=MAX_MESSAGE)
    if not isinstance(event, dict):
        msg = f"a JSON {type(event).__name__}, not an object"
        raise BadItemError(msg)
    return event


def parse_event(message: str | bytes) -> dict[str, Any] | None:
    """A Jetstream message decoded, or None when it is not a JSON object."""
    try:
        return read_event(message)
    except BadItemError:
        return None


def newest_posts(
    params: JetstreamParams, limit: int = 10, seconds: float = 15.0
) -> list[MentionItem]:
    """The next ``limit`` posts from the live tail, within ``seconds``.

    For ``earful source check``: nothing is stored and no cursor is moved.
    Errors raise ``CollectorError`` naming the source and the endpoint.
    """
    items: list[MentionItem] = []
    deadline = time.monotonic() + seconds
    try:
        with connect(
            subscribe_url(params.url, None),
            open_timeout=OPEN_TIMEOUT_S,
            max_size=MAX_MESSAGE,
            compression=None,
        ) as socket:
            while len(items) < limit and (left := deadline - time.monotonic()) > 0:
                try:
                    event = parse_event(socket.recv(timeout=left))
                except TimeoutError:
                    break
                post = post_event(event) if event is not None else None
                if post is not None and post.record is not None:
                    items.append(
                        post_item(
                            params.source,
                            did=post.did,
                            rkey=post.rkey,
                            record=post.record,
                            time_us=post.time_us,
                        )
                    )
    except (OSError, WebSocketException, InvalidURI) as exc:
        where = urlsplit(params.url).netloc or params.url
        msg = f"bluesky source {params.source}: Jetstream at {where}: {exc}"
        raise CollectorError(msg) from None
    return items
