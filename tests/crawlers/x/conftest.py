"""Fixtures for X collector tests: the replay server and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.match import BrandRule, Matcher
from crawlers.x import XCollector, XCredentials, XSource
from storage import Mention
from tests.servers.x import XServer


@pytest.fixture(scope="session")
def x_server() -> Iterator[XServer]:
    """The X replay server, once per test session."""
    with XServer() as server:
        yield server


MakeCollector = Callable[..., XCollector]


@pytest.fixture
def x_collector(
    x_server: XServer,
    database_url: str,
    open_db: Callable[[str], sessionmaker[Session]],
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: build a collector for a bearer token (scenario), brands and params."""
    sessions = open_db(database_url)

    def make(
        token: str | None, brands: tuple[BrandRule, ...], **params: object
    ) -> XCollector:
        return XCollector(
            XCredentials(bearer_token=token, api_url=x_server.url),
            XSource(name="x", type="x", **params),  # type: ignore[arg-type]
            Matcher(brands),
            sessions,
        )

    return make


def stored(collector: XCollector) -> list[Mention]:
    """Every stored mention, by external id."""
    with collector.sessions() as session:
        return list(session.scalars(select(Mention).order_by(Mention.external_id)))
