"""Fixtures for Threads collector tests: a collector factory on the Graph host."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.threads import ThreadsCollector, ThreadsParams
from storage import Mention
from tests.crawlers.conftest import ACME
from tests.servers.graph import GraphServer

TOKEN = "THAA-threads-test-token"  # noqa: S105 - the local server's own
USER_ID = "25000000000000001"
TOKEN_ENV = "EARFUL_THREADS_TOKEN"  # noqa: S105 - a variable name
NOW = datetime(2026, 12, 3, tzinfo=UTC)  # the brand's post is two days old

MakeCollector = Callable[..., ThreadsCollector]


@pytest.fixture(scope="session")
def graph_server() -> Iterator[GraphServer]:
    """The local Graph host, once per test session."""
    with GraphServer() as server:
        yield server


@pytest.fixture
def threads_collector(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: a collector for an app's URL."""
    sessions = open_db(database_url)

    def make(url: str, token: str | None = TOKEN, **params: object) -> ThreadsCollector:
        collector = ThreadsCollector(
            ThreadsParams(
                source="threads",
                access=GraphAccess(token, TOKEN_ENV, url),
                user_id=USER_ID,
                **params,  # type: ignore[arg-type]
            ),
            Matcher((ACME,)),
            sessions,
        )
        collector.now = lambda: NOW
        return collector

    return make


def stored(collector: ThreadsCollector) -> dict[str, Mention]:
    """Every stored mention with its brand matches, by external id."""
    with collector.sessions() as session:
        query = select(Mention).options(selectinload(Mention.matches))
        return {m.external_id: m for m in session.scalars(query)}
