"""Fixtures for Instagram collector tests: a local Graph host and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crawlers.instagram import InstagramCollector, InstagramParams
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from storage import Mention
from tests.crawlers.conftest import ACME
from tests.servers.graph import GraphServer

TOKEN = "EAAG-instagram-test-token"  # noqa: S105 - the local server's own
USER_ID = "17841405822304914"
TOKEN_ENV = "EARFUL_INSTAGRAM_TOKEN"  # noqa: S105 - a variable name
MEDIA = "17895695668004550"

MakeCollector = Callable[..., InstagramCollector]


@pytest.fixture(scope="session")
def graph_server() -> Iterator[GraphServer]:
    """The local Graph host, once per test session."""
    with GraphServer() as server:
        yield server


@pytest.fixture
def instagram_collector(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: a collector for an app's URL."""
    sessions = open_db(database_url)

    def make(
        url: str, token: str | None = TOKEN, **params: object
    ) -> InstagramCollector:
        return InstagramCollector(
            InstagramParams(
                source="instagram",
                access=GraphAccess(token, TOKEN_ENV, url),
                user_id=USER_ID,
                **params,  # type: ignore[arg-type]
            ),
            Matcher((ACME,)),
            sessions,
        )

    return make


def stored(collector: InstagramCollector) -> dict[str, Mention]:
    """Every stored mention, by external id."""
    with collector.sessions() as session:
        return {
            m.external_id: m
            for m in session.scalars(
                select(Mention).options(selectinload(Mention.matches))
            )
        }
