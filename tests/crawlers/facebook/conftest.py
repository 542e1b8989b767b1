"""Fixtures for Facebook Pages collector tests: a collector factory on the Graph host."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crawlers.facebook import FacebookCollector, FacebookParams
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from storage import Mention
from tests.crawlers.conftest import ACME
from tests.servers.graph import GraphServer

TOKEN = "EAAB-page-test-token"  # noqa: S105 - the local server's own
PAGE_ID = "104857600000001"
POST = "104857600000001_122100000000000001"
TOKEN_ENV = "EARFUL_FACEBOOK_PAGE_TOKEN"  # noqa: S105 - a variable name

MakeCollector = Callable[..., FacebookCollector]


@pytest.fixture(scope="session")
def graph_server() -> Iterator[GraphServer]:
    """The local Graph host, once per test session."""
    with GraphServer() as server:
        yield server


@pytest.fixture
def facebook_collector(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: a collector for an app's URL."""
    sessions = open_db(database_url)

    def make(
        url: str, token: str | None = TOKEN, **params: object
    ) -> FacebookCollector:
        return FacebookCollector(
            FacebookParams(
                source="facebook",
                access=GraphAccess(token, TOKEN_ENV, url),
                page_id=PAGE_ID,
                **params,  # type: ignore[arg-type]
            ),
            Matcher((ACME,)),
            sessions,
        )

    return make


def stored(collector: FacebookCollector) -> dict[str, Mention]:
    """Every stored mention with its brand matches, by external id."""
    with collector.sessions() as session:
        query = select(Mention).options(selectinload(Mention.matches))
        return {m.external_id: m for m in session.scalars(query)}
