"""The Google Play spider against a local batchexecute endpoint in Google's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply, ScriptedSite

APP = "jp.example.acme.mixer"
PATH = "/_/PlayStoreUi/data/batchexecute"
FAST = {"download_delay": 0, "retries": 0}
DAY = 86400
T0 = 1714600000  # 2024-05-01 21:46:40 UTC


def review(
    ident: str, stars: int, at: int, text: str, reply: tuple[str, int] | None = None
) -> list[Any]:
    """One review as the RPC writes it: positions, not names."""
    answer = None if reply is None else [None, reply[0], [reply[1], 0]]
    return [
        ident,
        [f"ユーザー{ident[-1]}", [None, 2, None, [None, None, "https://play-lh/x"]]],
        stars,
        None,
        text,
        [at, 123000000],
        3,
        answer,
        None,
        None,
        "4.2.0",
    ]


def answer(reviews: list[list[Any]], token: str | None) -> bytes:
    """The batchexecute answer: the )]}' prefix, the RPC's payload as JSON text."""
    payload = json.dumps([reviews, None, None, [None, token if token else []]])
    outer = [
        ["wrb.fr", "UsvDTd", payload, None, None, None, "generic"],
        ["di", 71],
        ["af.httprm", 71, "-1234", 5],
    ]
    return (")]}'\n\n" + json.dumps(outer, ensure_ascii=False)).encode()


def run(database_url: str, site: ScriptedSite, **params: Any) -> dict[str, Any]:
    return crawl(
        database_url,
        "play",
        "",
        spider="googleplay",
        politeness=FAST,
        app_id=APP,
        about="アクメ",
        api_url=site.url,
        **params,
    )


CRASH = review("gp:AOqpTOE1", 1, T0, "アップデートしたら起動しなくなった。")
SLOW = review("gp:AOqpTOE2", 2, T0 - 2 * DAY, "動作が重い")
OLD = review("gp:AOqpTOE3", 5, T0 - 30 * DAY, "便利です")


def test_reviews_then_a_developer_reply_marks_one_answered(scripted, sqlite_url):
    replied = review(
        "gp:AOqpTOE1",
        1,
        T0,
        "アップデートしたら起動しなくなった。",
        ("ご迷惑をおかけしております。修正版4.2.1を配信しました。", T0 + DAY),
    )
    scripted.script(
        PATH,
        Reply(answer([CRASH, SLOW], "TOKEN-2"), "application/json; charset=utf-8"),
        Reply(answer([OLD], None), "application/json; charset=utf-8"),
        Reply(answer([replied, SLOW], "TOKEN-2"), "application/json; charset=utf-8"),
        Reply(answer([OLD], None), "application/json; charset=utf-8"),
    )
    first = run(sqlite_url, scripted)
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    crash, _slow, old = mentions(sqlite_url, "play")
    assert crash.external_id == "gp:AOqpTOE1"
    assert crash.url == (
        "https://play.google.com/store/apps/details?id=jp.example.acme.mixer"
        "&hl=ja&gl=jp&reviewId=gp%3AAOqpTOE1"
    )
    assert crash.text == "アップデートしたら起動しなくなった。"
    assert crash.author == "ユーザー1"
    assert (crash.rating, crash.rating_best) == (1, 5)
    assert crash.published_at == datetime.fromtimestamp(T0, UTC)
    assert crash.raw == {"stars": 1, "version": "4.2.0", "thumbs_up": 3}
    assert crash.reply_text is None
    assert crash.language == "ja"
    assert [m.brand for m in crash.matches] == ["Acme"]
    assert old.rating == 5
    posted = [s for s in scripted.seen if s.path.startswith(PATH)]
    assert posted[0].path == f"{PATH}?hl=ja&gl=jp"
    form = json.loads(parse_qs(posted[0].body.decode())["f.req"][0])
    assert json.loads(form[0][0][1]) == [
        None,
        None,
        [2, 2, [100, None, None], None, [None, None]],
        [APP, 7],
    ]
    second_form = json.loads(parse_qs(posted[1].body.decode())["f.req"][0])
    assert json.loads(second_form[0][0][1])[2][2] == [100, None, "TOKEN-2"]

    # The developer answered: the review is updated; the old one ends the window.
    again = run(sqlite_url, scripted)
    assert again == {"seen": 2, "new": 0, "updated": 1, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "play")}
    answered = stored["gp:AOqpTOE1"]
    assert (
        answered.reply_text == "ご迷惑をおかけしております。修正版4.2.1を配信しました。"
    )
    assert answered.replied_at == datetime.fromtimestamp(T0 + DAY, UTC)
    assert len([s for s in scripted.seen if s.path.startswith(PATH)]) == 4
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "play") == {"newest": T0}
    sessions.kw["bind"].dispose()


def test_only_reviews_within_the_reply_window_are_read_again(scripted, sqlite_url):
    scripted.script(PATH, Reply(answer([CRASH, SLOW, OLD], None), "application/json"))
    assert run(sqlite_url, scripted, reply_window=DAY)["new"] == 3
    again = run(sqlite_url, scripted, reply_window=DAY)
    assert again == {"seen": 1, "new": 0, "updated": 0, "error": None, "warning": None}


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(b"Forbidden", "text/html", 403), "HTTP 403 from {url}"),
        (Reply(b"", "text/html", 429, {"Retry-After": "3600"}), "HTTP 429 from {url}"),
        (
            Reply(
                b')]}\'\n\n[["wrb.fr","UsvDTd",null,null,null,[3],"generic"]]',
                "application/json",
            ),
            "Google Play refused the request (error [3]) at {url}",
        ),
        (
            Reply(b"<html>sorry</html>", "text/html; charset=Shift_JIS"),
            (
                "not JSON after the )]}' prefix: Expecting value: line 1 column 1 "
                "(char 0) at {url}"
            ),
        ),
    ],
)
def test_refusals_fail_the_source(scripted, sqlite_url, reply, error):
    scripted.script(PATH, reply)
    result = run(sqlite_url, scripted)
    assert result["error"] == error.replace(
        "{url}", f"{scripted.url}{PATH}?hl=ja&gl=jp"
    )
    assert mentions(sqlite_url, "play") == []


def test_a_review_dated_year_9999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    poison = review("gp:AOqpTOE9", 1, 253402300799, "アクメは未来から来た")
    poison[6] = 10**30  # thumbs up
    later = review("gp:AOqpTOE4", 4, T0 + DAY, "アクメのサポートは丁寧")
    scripted.script(
        PATH,
        Reply(answer([poison, CRASH, SLOW], None), "application/json"),
        Reply(answer([poison, later, CRASH, SLOW], None), "application/json"),
    )
    first = run(sqlite_url, scripted)
    assert (first["new"], first["error"]) == (3, None)
    stored = {m.external_id: m for m in mentions(sqlite_url, "play")}
    assert stored["gp:AOqpTOE9"].published_at is None
    assert stored["gp:AOqpTOE9"].text == "アクメは未来から来た"
    assert stored["gp:AOqpTOE1"].published_at == datetime.fromtimestamp(T0, UTC)
    assert "gp:AOqpTOE9: published_at: date 9999-12-31" in first["warning"]
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "play") == {"newest": T0}  # not year 9999
    sessions.kw["bind"].dispose()
    # The next crawl reads on: the review written since is stored.
    again = run(sqlite_url, scripted)
    assert (again["new"], again["error"]) == (1, None)
    assert "gp:AOqpTOE4" in {m.external_id for m in mentions(sqlite_url, "play")}
