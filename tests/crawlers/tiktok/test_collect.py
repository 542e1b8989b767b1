"""TikTok: comments on the brand's own videos, deletions, paging, tokens, rate limits."""

from __future__ import annotations

import pytest

from crawlers.errors import CollectorError
from crawlers.tiktok import TikTokSource, newest_items
from crawlers.tiktok.kind import params
from tests.crawlers.tiktok.conftest import (
    BUSINESS_ID,
    TOKEN,
    MakeCollector,
    stored,
)
from tests.servers.tiktok import TikTokServer

COMPLAINT = "tiktok:comment:7443000000000100001"


def test_comments_on_the_brands_videos_are_stored(
    tiktok_server: TikTokServer, tiktok_collector: MakeCollector
) -> None:
    url, account = tiktok_server.account({TOKEN: "ok"})
    tiktok = tiktok_collector(url)
    outcome = tiktok.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (3, None, None)
    mentions = stored(tiktok)
    ja = mentions[COMPLAINT]
    assert ja.text == "買ったけど一週間で熱くならなくなった。返金してほしい"
    assert ja.language == "ja"
    assert [m.brand for m in ja.matches] == ["Acme"]  # under the brand's video
    assert (ja.author, ja.score, ja.comments) == ("@haru_0420", 230, 1)
    assert ja.url == "https://www.tiktok.com/@acme_jp/video/7443000000000000001"
    assert ja.published_at is not None
    own = mentions["tiktok:comment:7443000000000100002"]
    assert (own.matches, own.parent_id) == ([], COMPLAINT)  # the brand answering
    assert account.requests[-1]["include_replies"] == "true"


def test_unchanged_videos_are_skipped_and_deletions_counted(
    tiktok_server: TikTokServer, tiktok_collector: MakeCollector
) -> None:
    url, account = tiktok_server.account({TOKEN: "ok"})
    tiktok = tiktok_collector(url)
    tiktok.poll()
    quiet = tiktok.poll()
    assert (quiet.new, quiet.error) == (0, None)
    assert account.requests[-1]["path"] == "business/video/list/"
    account.delete("7443000000000100003")
    account.comment("アクメのドライヤー、交換品も同じ症状")
    account.comment("私も")
    later = tiktok_collector(url).poll()  # a restart: the cursor is in the database
    assert (later.new, later.counts["deleted"], later.error) == (2, 1, None)


def test_pages_are_followed_by_cursor(
    tiktok_server: TikTokServer, tiktok_collector: MakeCollector
) -> None:
    url, account = tiktok_server.account({TOKEN: "ok"})
    for n in range(40):
        account.comment(f"アクメ {n}")
    outcome = tiktok_collector(url).poll()
    assert (outcome.new, outcome.error) == (43, None)
    reads = [r for r in account.requests if r["path"] == "business/comment/list/"]
    assert [r.get("cursor") for r in reads] == [None, "30"]


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (None, "(code 40105): Access token is incorrect or has been revoked."),
        ("expired", "(code 40102): Access token has expired."),
    ],
)
def test_a_refused_token_names_its_variable(
    tiktok_server: TikTokServer,
    tiktok_collector: MakeCollector,
    state: str | None,
    said: str,
) -> None:
    tokens = {TOKEN: "ok"} if state is None else {"act.old": state}
    url, _ = tiktok_server.account(tokens)
    outcome = tiktok_collector(url, token="act.old").poll()  # noqa: S106 - a test token
    assert outcome.error == (
        f"tiktok source tiktok: the access token was refused {said}; check "
        "EARFUL_TIKTOK_TOKEN"
    )


def test_too_many_requests_backs_the_source_off(
    tiktok_server: TikTokServer, tiktok_collector: MakeCollector
) -> None:
    url, account = tiktok_server.account({TOKEN: "ok"}, allowance=0)
    tiktok = tiktok_collector(url)
    outcome = tiktok.poll()
    assert outcome.error == (
        "tiktok source tiktok: rate limited (code 40100): Too many requests. Please "
        "retry in some time.; retrying in 60 s"
    )
    assert tiktok.poll().error is not None
    assert len(account.requests) == 1


def test_settings_and_the_source_check_dry_run(
    tiktok_server: TikTokServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = tiktok_server.account({TOKEN: "ok"})
    settings = TikTokSource.model_validate(
        {"name": "tt", "type": "tiktok", "business_id": BUSINESS_ID, "api_url": url}
    )
    monkeypatch.setenv("EARFUL_TIKTOK_TOKEN", TOKEN)
    items = newest_items(params(settings))
    texts = [i.text for i in items]
    assert "買ったけど一週間で熱くならなくなった。返金してほしい" in texts
    monkeypatch.delenv("EARFUL_TIKTOK_TOKEN")
    with pytest.raises(CollectorError, match=r"set EARFUL_TIKTOK_TOKEN$"):
        newest_items(params(settings))
