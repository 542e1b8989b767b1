"""Fixtures for YouTube collector tests: the replay server and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.match import BrandRule, Matcher
from crawlers.youtube import YouTubeCollector, YouTubeCredentials, YouTubeSource
from storage import Mention
from tests.servers.youtube import YouTubeServer

CHANNEL = "UCacme0000000000000000aa"
# The collectors' clock: hours after the fixture's newest video and comment, so
# its search window (a day back) finds them whatever day the suite runs.
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def youtube_server() -> Iterator[YouTubeServer]:
    """The YouTube replay server, once per test session."""
    with YouTubeServer() as server:
        yield server


MakeCollector = Callable[..., YouTubeCollector]


@pytest.fixture
def youtube_collector(
    youtube_server: YouTubeServer,
    database_url: str,
    open_db: Callable[[str], sessionmaker[Session]],
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: build a collector for an API key (scenario), brands and params."""
    sessions = open_db(database_url)

    def make(
        key: str | None, brands: tuple[BrandRule, ...], **params: object
    ) -> YouTubeCollector:
        collector = YouTubeCollector(
            YouTubeCredentials(api_key=key, api_url=youtube_server.endpoint),
            YouTubeSource(name="youtube", type="youtube", **params),  # type: ignore[arg-type]
            Matcher(brands),
            sessions,
        )
        collector.now = lambda: NOW
        return collector

    return make


def stored(collector: YouTubeCollector) -> dict[str, Mention]:
    """Every stored mention, by external id."""
    with collector.sessions() as session:
        return {m.external_id: m for m in session.scalars(select(Mention))}
