"""Fixtures for TikTok collector tests: the local Business API and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.tiktok import TikTokCollector, TikTokParams
from storage import Mention
from tests.crawlers.conftest import ACME
from tests.servers.tiktok import TikTokServer

TOKEN = "act.tiktok-test-token"  # noqa: S105 - the local server's own
BUSINESS_ID = "-000AcmeJpOpenIdxxxxxxxxxxxxxxxxxxxxxx"
TOKEN_ENV = "EARFUL_TIKTOK_TOKEN"  # noqa: S105 - a variable name
LATER = datetime(2026, 12, 10, tzinfo=UTC)  # the video is over two days old

MakeCollector = Callable[..., TikTokCollector]


@pytest.fixture(scope="session")
def tiktok_server() -> Iterator[TikTokServer]:
    """The local Business API, once per test session."""
    with TikTokServer() as server:
        yield server


@pytest.fixture
def tiktok_collector(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: a collector for an account's URL."""
    sessions = open_db(database_url)

    def make(url: str, token: str | None = TOKEN, **params: object) -> TikTokCollector:
        collector = TikTokCollector(
            TikTokParams(
                source="tiktok",
                access=GraphAccess(token, TOKEN_ENV, url),
                business_id=BUSINESS_ID,
                **params,  # type: ignore[arg-type]
            ),
            Matcher((ACME,)),
            sessions,
        )
        collector.now = lambda: LATER
        return collector

    return make


def stored(collector: TikTokCollector) -> dict[str, Mention]:
    """Every stored mention with its brand matches, by external id."""
    with collector.sessions() as session:
        query = select(Mention).options(selectinload(Mention.matches))
        return {m.external_id: m for m in session.scalars(query)}
