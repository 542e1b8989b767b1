"""Fixtures for the Bluesky collectors: the local Jetstream and a listening collector."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.bluesky import JetstreamCollector, JetstreamParams
from crawlers.match import BrandRule, Matcher
from crawlers.outcome import Outcome
from storage import Mention
from tests.servers.jetstream import JetstreamServer

ACME = BrandRule("Acme", ("acme", "アクメ"), exclude=("acme corp",))


@pytest.fixture
def jetstream() -> Iterator[JetstreamServer]:
    """A fresh local Jetstream per test (its history is the test's)."""
    with JetstreamServer() as server:
        yield server


@dataclass
class Listening:
    """A collector listening in a thread; ``stored`` waits on its wake-ups."""

    collector: JetstreamCollector
    sessions: sessionmaker[Session]
    stop: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)
    wakes: int = 0
    outcome: Outcome | None = None
    thread: threading.Thread | None = None

    def wake(self) -> None:
        with self.cond:
            self.wakes += 1
            self.cond.notify_all()

    def start(self, seconds: float = 30.0) -> Listening:
        def run() -> None:
            self.outcome = self.collector.listen(seconds, self.stop, self.wake)
            self.wake()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return self

    def mentions(self) -> list[Mention]:
        with self.sessions() as session:
            return list(session.scalars(select(Mention).order_by(Mention.id)))

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout=20.0) -> None:
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                msg = f"timed out waiting for {what}"
                raise TimeoutError(msg)

    def finish(self) -> Outcome:
        self.stop.set()
        assert self.thread is not None
        self.thread.join(timeout=10)
        assert self.outcome is not None
        return self.outcome


@pytest.fixture
def listening(
    jetstream: JetstreamServer,
    sqlite_url: str,
    open_db: Callable[[str], sessionmaker[Session]],
) -> Iterator[Callable[..., Listening]]:
    """Make a collector on the local Jetstream and start it listening."""
    sessions = open_db(sqlite_url)
    made: list[Listening] = []

    def make(*rules: BrandRule, **params: object) -> Listening:
        collector = JetstreamCollector(
            JetstreamParams(source="bsky", url=jetstream.url, **params),  # type: ignore[arg-type]
            Matcher(rules or (ACME,)),
            sessions,
        )
        made.append(Listening(collector, sessions))
        return made[-1].start()

    yield make
    for run in made:
        run.stop.set()
        if run.thread is not None:
            run.thread.join(timeout=10)
