"""Fixtures for Reddit collector tests: the replay server and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.match import BrandRule, Matcher
from crawlers.reddit import RedditCollector, RedditCredentials, RedditParams
from storage import Mention
from tests.conftest import fixture_roots
from tests.servers.reddit import RedditServer


@pytest.fixture(scope="session")
def reddit_server() -> Iterator[RedditServer]:
    """The Reddit replay server, once per test session."""
    with RedditServer(fixture_roots()) as server:
        yield server


def credentials(server: RedditServer, client_id: str | None) -> RedditCredentials:
    """Credentials pointing PRAW at the replay server."""
    return RedditCredentials(
        client_id=client_id,
        client_secret="not-a-secret",  # noqa: S106 - the replay server ignores it
        user_agent="earful-tests",
        oauth_url=server.url,
        reddit_url=server.url,
    )


MakeCollector = Callable[..., RedditCollector]


@pytest.fixture
def collector(
    reddit_server: RedditServer,
    sqlite_url: str,
    open_db: Callable[[str], sessionmaker[Session]],
) -> MakeCollector:
    """Build a collector for a client id (scenario), brands and params."""
    sessions = open_db(sqlite_url)

    def make(
        client_id: str | None, brands: tuple[BrandRule, ...], **params: object
    ) -> RedditCollector:
        return RedditCollector(
            credentials(reddit_server, client_id),
            RedditParams(source="reddit", **params),  # type: ignore[arg-type]
            Matcher(brands),
            sessions,
        )

    return make


def stored(collector: RedditCollector) -> list[Mention]:
    """Every stored mention, by external id."""
    with collector.sessions() as session:
        return list(session.scalars(select(Mention).order_by(Mention.external_id)))
