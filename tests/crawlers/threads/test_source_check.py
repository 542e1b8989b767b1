"""Threads settings, its dry run for ``earful source check``, and a refused token."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawlers.errors import CollectorError
from crawlers.threads import ThreadsSource, newest_items
from crawlers.threads.kind import params
from tests.crawlers.threads.conftest import TOKEN, USER_ID, MakeCollector
from tests.servers.graph import GraphServer
from tests.servers.threads import threads_app


def source(**fields: object) -> ThreadsSource:
    """A ``threads`` source named ``th`` as a config would give it."""
    return ThreadsSource.model_validate({"name": "th", "type": "threads", **fields})


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 2200"):
        source(user_id=USER_ID, search_budget=5000)
    with pytest.raises(ValidationError, match="set replies, mentions or search"):
        source(user_id=USER_ID, replies=False, mentions=False)


def test_newest_items_reads_replies_and_mentions_but_does_not_search(
    graph_server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    monkeypatch.setenv("EARFUL_THREADS_TOKEN", TOKEN)
    items = newest_items(params(source(user_id=USER_ID, search=True, api_url=url)))
    texts = [i.text for i in items]
    assert "注文して一週間、まだ届きません…問い合わせも繋がらない" in texts
    assert "@acme_jp のケトル、取っ手が熱くなりすぎて持てない" in texts
    assert app.searches == []
    assert "keyword_search" not in {r["path"] for r in app.requests}


def test_a_refused_token_fails_the_run_naming_its_variable(
    graph_server: GraphServer,
    threads_collector: MakeCollector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = threads_app(graph_server, {TOKEN: "ok"})
    outcome = threads_collector(url, token="THAA-revoked").poll()  # noqa: S106 - a test token
    assert outcome.error == (
        "threads source threads: the access token was refused (code 190): Invalid "
        "OAuth access token - Cannot parse access token; check EARFUL_THREADS_TOKEN"
    )
    unset = threads_collector(url, token=None).poll()
    assert unset.error == (
        "threads source threads: the access token is not set: set EARFUL_THREADS_TOKEN"
    )
    monkeypatch.setenv("EARFUL_THREADS_TOKEN", "THAA-revoked")
    with pytest.raises(CollectorError, match=r"check EARFUL_THREADS_TOKEN$"):
        newest_items(params(source(user_id=USER_ID, api_url=url)))
