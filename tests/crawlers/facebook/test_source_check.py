"""The settings of a ``facebook`` source and its dry run for ``earful source check``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawlers.errors import CollectorError
from crawlers.facebook import FacebookSource, newest_items
from crawlers.facebook.kind import params
from tests.crawlers.facebook.conftest import PAGE_ID, TOKEN
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer


def source(**fields: object) -> FacebookSource:
    """A ``facebook`` source named ``fb`` as a config would give it."""
    return FacebookSource.model_validate({"name": "fb", "type": "facebook", **fields})


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValidationError, match="String should match pattern"):
        source(page_id="acme.jp")
    with pytest.raises(ValidationError, match="set comments = true or ratings = true"):
        source(page_id=PAGE_ID, comments=False)
    assert params(source(page_id=PAGE_ID)).ratings is False


def test_newest_items_shows_comments_and_ratings(
    graph_server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = facebook_app(graph_server, {TOKEN: "ok"})
    settings = source(page_id=PAGE_ID, ratings=True, api_url=url)
    monkeypatch.setenv("EARFUL_FACEBOOK_PAGE_TOKEN", TOKEN)
    items = newest_items(params(settings))
    texts = [i.text for i in items]
    assert "注文したのに発送まで二週間。問い合わせても返事がない" in texts
    assert "サポートの対応が丁寧でした" in texts
    monkeypatch.delenv("EARFUL_FACEBOOK_PAGE_TOKEN")
    with pytest.raises(CollectorError, match=r"set EARFUL_FACEBOOK_PAGE_TOKEN$"):
        newest_items(params(settings))
