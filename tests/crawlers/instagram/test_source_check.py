"""The settings of an ``instagram`` source and its dry run for ``earful source check``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawlers.errors import CollectorError
from crawlers.instagram import InstagramSource, newest_items
from crawlers.instagram.kind import params
from tests.crawlers.instagram.conftest import TOKEN, USER_ID
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app


def source(**fields: object) -> InstagramSource:
    """An ``instagram`` source named ``ig`` as a config would give it."""
    return InstagramSource.model_validate({"name": "ig", "type": "instagram", **fields})


def test_settings_resolve_the_token_from_the_named_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = source(user_id=USER_ID, hashtags=["アクメ"], token_env="IG_T")  # noqa: S106 - a name
    monkeypatch.setenv("IG_T", " secret ")
    read = params(settings)
    assert (read.source, read.hashtags, read.hashtag_budget) == ("ig", ("アクメ",), 30)
    assert read.access.token == "secret"  # noqa: S105 - the test's own
    assert "secret" not in repr(read)
    assert settings.secret_envs() == [("token_env", "IG_T")]
    assert settings.secret_values() == ["secret"]
    monkeypatch.delenv("IG_T")
    assert params(settings).access.token is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"user_id": "acme_jp"}, "String should match pattern"),
        ({"user_id": USER_ID, "hashtag_budget": 31}, "less than or equal to 30"),
        ({"user_id": USER_ID, "tokn_env": "X"}, "Extra inputs are not permitted"),
        (
            {"user_id": USER_ID, "comments": False, "tags": False},
            "set comments = true, tags = true or some hashtags",
        ),
    ],
)
def test_settings_refuse_what_cannot_work(
    fields: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        source(**fields)


def test_newest_items_reads_comments_and_tags_but_no_hashtag(
    graph_server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    monkeypatch.setenv("EARFUL_INSTAGRAM_TOKEN", TOKEN)
    items = newest_items(
        params(source(user_id=USER_ID, hashtags=["アクメ"], api_url=url))
    )
    texts = [i.text for i in items]
    assert "届いたその日に壊れました。返品の連絡もつかないです" in texts
    assert "アクメのケトル、注ぎ口から水漏れする😢 @acme_jp" in texts
    assert app.hashtags_queried == []  # each would count against the 30


def test_newest_items_names_the_variable_of_a_refused_token(
    graph_server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = instagram_app(graph_server, {TOKEN: "ok"})
    settings = source(user_id=USER_ID, api_url=url)
    monkeypatch.setenv("EARFUL_INSTAGRAM_TOKEN", "EAAG-bad")
    with pytest.raises(CollectorError, match=r"check EARFUL_INSTAGRAM_TOKEN$"):
        newest_items(params(settings))
    monkeypatch.delenv("EARFUL_INSTAGRAM_TOKEN")
    with pytest.raises(CollectorError, match=r"set EARFUL_INSTAGRAM_TOKEN$"):
        newest_items(params(settings))
