"""Datasette serves the documented views with their descriptions, facets and search.

Datasette is a dev dependency only; it runs in-process through its ASGI client.
"""

from __future__ import annotations

import asyncio
import html
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from storage.views import MENTION_VIEW, VIEWS
from tests.storage.analyst_seed import seed

datasette_app = pytest.importorskip("datasette.app")


@pytest.fixture
def served(sqlite_url, open_db, tmp_path):
    seed(open_db(sqlite_url))
    target = tmp_path / "metadata.json"
    result = CliRunner().invoke(
        main, ["db", "datasette-metadata", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    metadata = json.loads(target.read_text(encoding="utf-8"))
    return Path(sqlite_url.removeprefix("sqlite:///")), metadata


def get(served, path):
    db, metadata = served

    async def fetch():
        ds = datasette_app.Datasette([str(db)], metadata=metadata)
        return await ds.client.get(path)

    return asyncio.run(fetch())


def test_views_are_served_with_their_descriptions(served):
    for view in VIEWS:
        page = get(served, f"/earful/{view.name}")
        assert page.status_code == 200
        shown = html.unescape(page.text)
        assert view.description in shown
        for doc in view.columns.values():
            assert doc in shown, doc
    data = get(
        served, "/earful/mention_view.json?_shape=objects&model_id=earful-default"
    )
    rows = data.json()["rows"]
    assert {r["brand"] for r in rows} == {"Acme", "Globex"}
    assert set(data.json()["facet_results"]) >= set(MENTION_VIEW.facets)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("アクメの配送", ["アクメの配送が遅すぎる。品質も悪い。"]),
        ("GLOBEX LAUNCHES", ["Globex launches a new widget today."]),
    ],
)
def test_full_text_search_on_the_view(served, search, expected):
    data = get(served, f"/earful/mention_view.json?_shape=objects&_search={search}")
    assert data.status_code == 200, data.text
    assert [r["text"] for r in data.json()["rows"]] == expected


def test_internal_tables_are_hidden(served):
    page = get(served, "/earful.json")
    hidden = {t["name"] for t in page.json()["tables"] if t["hidden"]}
    assert {"alembic_version", "scheduled_jobs", "source_cursors"} <= hidden
