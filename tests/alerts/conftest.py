"""Fixtures for the alerts tests: the local Slack server and stored mentions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, SlackDeliverer, enqueue
from alerts.pace import ChannelPacer
from storage.db import open_database
from storage.models import Mention
from storage.queries import Match, save_score, upsert_mention
from tests.servers.slack import SlackServer

MODEL = "test-model"
RULE = AlertRule(name="acme-negative", brands=("Acme",), channel="#brand-alerts")
PUBLISHED = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)

_IDS = itertools.count(1)
# Tests post many messages to one channel; the pacing test sets its own pacer.
NO_PACING = ChannelPacer(interval=0.0)


@pytest.fixture
def config_file(tmp_path: Path, sqlite_url: str, slack: SlackServer) -> Path:
    """An earful.toml on the test's SQLite database, sending to the local Slack."""
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "{sqlite_url}"\n'
        '[[brands]]\nname = "Acme"\nterms = ["acme"]\n'
        f'[slack]\nbase_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fast_retry() -> FixedValueRetryIntervalCalculator:
    """slack-sdk's own fixed-interval calculator, so 5xx retries take 10 ms."""
    return FixedValueRetryIntervalCalculator(fixed_internal=0.01)


@pytest.fixture
def slack_deliverer(
    slack: SlackServer, fast_retry: FixedValueRetryIntervalCalculator
) -> Callable[[str], SlackDeliverer]:
    """A SlackDeliverer for ``token`` (the scenario) pointed at the local Slack."""

    def make(token: str) -> SlackDeliverer:
        return SlackDeliverer(
            token, base_url=slack.api_url, retry_interval=fast_retry, pacer=NO_PACING
        )

    return make


@pytest.fixture
def db(sqlite_url: str) -> sessionmaker[Session]:
    """A migrated SQLite database."""
    return open_database(sqlite_url)


def store_mention(
    factory: sessionmaker[Session],
    *,
    negative: float = 0.93,
    brands: tuple[str, ...] = ("Acme",),
    label: str | None = None,
    label_source: str = "text",
    **fields: Any,
) -> int:
    """Store a scored mention the way collectors and the scorer do; its id."""
    values: dict[str, Any] = {
        "source": "reddit-acme",
        "source_type": "reddit",
        "external_id": f"t3_{next(_IDS)}",
        "url": "https://www.reddit.com/r/acme/comments/abc123/",
        "title": "Acme support is broken",
        "text": "Waited two weeks for a refund & still nothing.",
        "author": "unhappy_customer",
        "site_name": "r/acme",
        "score": 1234,
        "comments": 56,
        "published_at": PUBLISHED,
    }
    values.update(fields)
    matches = [Match(brand=b, competitor=False, terms=(b.lower(),)) for b in brands]
    with factory() as session, session.begin():
        result = upsert_mention(session, values, matches)
        mention = session.get_one(Mention, result.mention_id)
        label = label or ("negative" if negative >= 0.5 else "neutral")
        probabilities = {"negative": negative, "neutral": 1 - negative, "positive": 0.0}
        save_score(
            session,
            mention,
            model_id=MODEL,
            model_revision="r1",
            label=label,
            probabilities=probabilities,
            label_source=label_source,
        )
        return result.mention_id


@pytest.fixture
def queue(db: sessionmaker[Session]) -> Callable[..., int]:
    """Store one scored mention and enqueue its alert; the alert count created."""

    def make(rule: AlertRule = RULE, **fields: Any) -> int:
        store_mention(db, **fields)
        with db() as session, session.begin():
            return enqueue(session, [rule], model_id=MODEL)

    return make
