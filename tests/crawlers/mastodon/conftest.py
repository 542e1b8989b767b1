"""Fixtures for Mastodon collector tests: local instances and a collector factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.mastodon import InstanceAccess, MastodonCollector, MastodonParams
from crawlers.match import Matcher
from storage import Mention
from tests.crawlers.conftest import ACME
from tests.servers.mastodon import MastodonServer

TOKEN = "mastodon-test-token"  # noqa: S105 - the local instance's own


@pytest.fixture(scope="session")
def mastodon_server() -> Iterator[MastodonServer]:
    """The local Mastodon instances, once per test session."""
    with MastodonServer() as server:
        yield server


MakeCollector = Callable[..., MastodonCollector]


def access(url: str, token: str | None = None) -> InstanceAccess:
    """An instance at ``url`` with ``token``, as the config would make it."""
    return InstanceAccess(url, token, "EARFUL_MASTODON_TOKEN_MSTDN_JP")


@pytest.fixture
def mastodon_collector(
    database_url: str, open_db: Callable[[str], sessionmaker[Session]]
) -> MakeCollector:
    """On SQLite and, when reachable, PostgreSQL: build a collector for some instances (``access(...)``) and params."""
    sessions = open_db(database_url)

    def make(*instances: InstanceAccess, **params: object) -> MastodonCollector:
        params.setdefault("hashtags", ("アクメ", "acme"))
        return MastodonCollector(
            MastodonParams(source="mastodon", instances=instances, **params),  # type: ignore[arg-type]
            Matcher((ACME,)),
            sessions,
        )

    return make


def stored(collector: MastodonCollector) -> dict[str, Mention]:
    """Every stored mention, by external id."""
    with collector.sessions() as session:
        return {m.external_id: m for m in session.scalars(select(Mention))}
