"""The settings of a ``facebook`` source and its dry run for ``earful source check``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawlers.errors import CollectorError
from crawlers.facebook import FacebookSettings, newest_items
from tests.crawlers.facebook.conftest import PAGE_ID, TOKEN
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValidationError, match="String should match pattern"):
        FacebookSettings.model_validate({"page_id": "acme.jp"})
    with pytest.raises(ValidationError, match="set comments = true or ratings = true"):
        FacebookSettings.model_validate({"page_id": PAGE_ID, "comments": False})
    settings = FacebookSettings(page_id=PAGE_ID)
    assert settings.params("fb", {"EARFUL_FACEBOOK_PAGE_TOKEN": TOKEN}).ratings is False


def test_newest_items_shows_comments_and_ratings(graph_server: GraphServer) -> None:
    url, _ = facebook_app(graph_server, {TOKEN: "ok"})
    settings = FacebookSettings(page_id=PAGE_ID, ratings=True, api_url=url)
    items = newest_items(settings.params("fb", {"EARFUL_FACEBOOK_PAGE_TOKEN": TOKEN}))
    texts = [i.text for i in items]
    assert "注文したのに発送まで二週間。問い合わせても返事がない" in texts
    assert "サポートの対応が丁寧でした" in texts
    with pytest.raises(CollectorError, match=r"set EARFUL_FACEBOOK_PAGE_TOKEN$"):
        newest_items(settings.params("fb", {}))
