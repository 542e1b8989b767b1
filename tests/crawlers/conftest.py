"""Fixtures for collector tests: the Acme brand, a crawl runner, a scripted site."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crawlers.match import BrandRule
from storage import CrawlRun, Mention, open_database
from tests.servers.scripted import ScriptedSite

ACME = BrandRule("Acme", ("acme", "アクメ"), exclude=("acme corp",))
# Spiders that take no url argument.
URL_LESS = frozenset({"hackernews", "appstore", "hatena", "googleplay", "chiebukuro"})
REPO = Path(__file__).resolve().parents[2]


def crawl(
    database_url: str,
    source: str,
    url: str,
    brands: Sequence[BrandRule] = (ACME,),
    *,
    spider: str = "feed",
    politeness: dict[str, Any] | None = None,
    counts: bool = False,
    own_accounts: Sequence[str] = (),
    **params: Any,
) -> dict[str, Any]:
    """Run ``spider`` once in a child process (``python -m crawlers.crawl_child``).

    The outcome's extraction counts (pages, extracted, matched) are left out
    unless ``counts``, so tests about storing compare what they are about.
    """
    job = {
        "source": source,
        "spider": spider,
        "params": params if spider in URL_LESS else {"url": url, **params},
        "brands": [
            {
                "name": b.name,
                "terms": b.terms,
                "exclude": b.exclude,
                "query": b.query,
                "languages": b.languages,
                "competitor": b.competitor,
            }
            for b in brands
        ],
        "own_accounts": list(own_accounts),
        "database_url": database_url,
        "politeness": politeness or {},
    }
    done = subprocess.run(
        [sys.executable, "-m", "crawlers.crawl_child"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    if not counts:
        for key in ("pages", "extracted", "matched"):
            del result[key]
    return result


def mentions(database_url: str, source: str) -> list[Mention]:
    """The stored mentions of ``source`` with their brand matches, by external id."""
    sessions = open_database(database_url)
    with sessions() as session:
        stmt = (
            select(Mention)
            .options(selectinload(Mention.matches))
            .where(Mention.source == source)
            .order_by(Mention.external_id)
        )
        found = list(session.scalars(stmt))
    sessions.kw["bind"].dispose()
    return found


def crawl_runs(database_url: str) -> list[CrawlRun]:
    """Every recorded crawl run, oldest first."""
    sessions = open_database(database_url)
    with sessions() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    sessions.kw["bind"].dispose()
    return runs


@pytest.fixture
def scripted() -> Iterator[ScriptedSite]:
    """A site whose answers the test scripts (``tests/servers/scripted.py``)."""
    with ScriptedSite() as site:
        yield site
