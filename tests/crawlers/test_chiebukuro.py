"""The Yahoo!知恵袋 spider against local question and search pages (QAPage JSON-LD)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from crawlers.qapage import page_text
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply, ScriptedSite

FAST = {"download_delay": 0, "retries": 0}
QUESTION = "13300000001"
FOUND = "13300000002"


def answer(name: str, created: str, text: str, votes: int) -> dict[str, Any]:
    return {
        "@type": "Answer",
        "text": text,
        "dateCreated": created,
        "upvoteCount": votes,
        "author": {"@type": "Person", "name": name},
    }


def question_page(
    title: str,
    text: str,
    best: dict[str, Any] | None,
    *others: dict[str, Any],
    charset: str = "UTF-8",
) -> str:
    """A question page: chrome, the posts as HTML, and their QAPage JSON-LD."""
    entity: dict[str, Any] = {
        "@type": "Question",
        "name": title,
        "text": text,
        "dateCreated": "2024-05-01T21:00:00+09:00",
        "answerCount": len(others) + (1 if best else 0),
        "author": {"@type": "Person", "name": "kad***さん"},
        "suggestedAnswer": list(others),
    }
    if best:
        entity["acceptedAnswer"] = best
    markup = json.dumps(
        {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity},
        ensure_ascii=False,
    )
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="{charset}">'
        f"<title>{title} - Yahoo!知恵袋</title>"
        f'<script type="application/ld+json">{markup}</script></head>'
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    )


BEST = answer(
    "家電好き", "2024-05-02T08:00:00+09:00", "メーカーの無償修理の対象です。", 12
)
OTHER = answer("通りすがり", "2024-05-01T22:30:00+09:00", "私も二日で壊れました。", 3)
PAGE = question_page(
    "アクメのミキサーが壊れました",
    "買って二日で動かなくなりました。<br>返品できますか？ &lt;!channel&gt;",
    BEST,
    OTHER,
)


def run(database_url: str, site: ScriptedSite, **params: Any) -> dict[str, Any]:
    return crawl(
        database_url,
        "qa",
        "",
        spider="chiebukuro",
        politeness=FAST,
        question_url=f"{site.url}/qa/question_detail/",
        search_url=f"{site.url}/search",
        **params,
    )


def test_page_text_trusts_the_bytes_over_a_wrong_header():
    body = "<meta charset='Shift_JIS'>知恵袋".encode("cp932")
    assert page_text(body, "text/html; charset=UTF-8") == (
        "<meta charset='Shift_JIS'>知恵袋",
        "declared as utf-8 but is cp932",
    )
    assert page_text("知恵袋".encode(), "text/html; charset=UTF-8") == ("知恵袋", None)


def test_a_question_its_best_answer_and_answers_then_no_duplicates(
    scripted, sqlite_url
):
    scripted.script(
        f"/qa/question_detail/q{QUESTION}",
        Reply(PAGE.encode(), "text/html; charset=UTF-8"),
    )
    first = run(sqlite_url, scripted, questions=[f"q{QUESTION}"])
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    question, *answers = mentions(sqlite_url, "qa")
    assert question.external_id == f"q{QUESTION}"
    assert question.url == f"{scripted.url}/qa/question_detail/q{QUESTION}"
    assert question.title == "アクメのミキサーが壊れました"
    assert (
        question.text == "買って二日で動かなくなりました。\n返品できますか？ <!channel>"
    )
    assert question.author == "kad***さん"
    assert question.published_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert question.language == "ja"
    assert [m.brand for m in question.matches] == ["Acme"]
    by_best = {a.raw["best"]: a for a in answers}
    assert by_best[True].text == "メーカーの無償修理の対象です。"
    assert by_best[True].author == "家電好き"
    assert by_best[True].score == 12
    assert by_best[True].parent_id == question.external_id
    assert by_best[False].published_at == datetime(2024, 5, 1, 13, 30, tzinfo=UTC)

    again = run(sqlite_url, scripted, questions=[f"q{QUESTION}"])
    assert again["new"] == 0
    assert len(mentions(sqlite_url, "qa")) == 3


def test_search_discovers_questions_in_a_mis_declared_page(scripted, sqlite_url):
    search = (
        "<html><head><meta charset='Shift_JIS'></head><body>"
        f"<a href='https://detail.chiebukuro.yahoo.co.jp/qa/question_detail/q{FOUND}"
        "?__ysp=44Ki44Kv44Oh'>ｱｸﾒの掃除機について</a>"
        f"<a href='/qa/question_detail/q{FOUND}'>同じ質問</a></body></html>"
    )
    scripted.script(
        "/search", Reply(search.encode("cp932"), "text/html; charset=UTF-8")
    )
    found = question_page(
        "ｱｸﾒの掃除機について", "吸引力が落ちました", None, OTHER, charset="EUC-JP"
    )
    scripted.script(
        f"/qa/question_detail/q{FOUND}", Reply(found.encode("euc-jp"), "text/html")
    )
    result = run(sqlite_url, scripted, query="アクメ")
    assert result["error"] is None
    assert (
        result["warning"]
        == f"{scripted.url}/search?p=%E3%82%A2%E3%82%AF%E3%83%A1: declared as utf-8 but is cp932"
    )
    question, reply = mentions(sqlite_url, "qa")
    assert question.title == "ｱｸﾒの掃除機について"
    assert question.text == "吸引力が落ちました"
    assert reply.text == "私も二日で壊れました。"
    assert len(scripted.requests_for(f"/qa/question_detail/q{FOUND}")) == 1


@pytest.mark.parametrize(
    ("reply", "error", "warning"),
    [
        (
            Reply(b"gone", "text/html", 404),
            None,
            "question q{q} was deleted: HTTP 404 from {url}",
        ),
        (Reply(b"Forbidden", "text/html", 403), "HTTP 403 from {url}", None),
        (
            Reply(b"", "text/html", 429, {"Retry-After": "600"}),
            "HTTP 429 from {url}",
            None,
        ),
        (
            Reply(b"<html><body>redesigned</body></html>", "text/html"),
            "no QAPage markup at {url}",
            None,
        ),
    ],
)
def test_deleted_refused_and_unreadable_questions(
    scripted, sqlite_url, reply, error, warning
):
    url = scripted.script(f"/qa/question_detail/q{QUESTION}", reply)
    result = run(sqlite_url, scripted, questions=[QUESTION])
    fill = {"url": url, "q": QUESTION}
    assert result["error"] == (error.format(**fill) if error else None)
    assert result["warning"] == (warning.format(**fill) if warning else None)
    assert mentions(sqlite_url, "qa") == []


def test_an_answer_dated_year_9999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    poison = answer(
        "未来人", "9999-12-31T23:59:59-14:00", "一万年後も壊れません", 10**30
    )
    broken = {"@type": "Answer", "text": ["入れ子"], "author": [[{"name": []}]]}
    later = answer("修理屋", "2024-05-03T09:00:00+09:00", "保証書を確認して", 1)
    title, text = "アクメのミキサーが壊れました", "買って二日で動かなくなりました。"
    path = f"/qa/question_detail/q{QUESTION}"
    scripted.script(
        path,
        Reply(question_page(title, text, BEST, poison, broken, OTHER).encode(), None),
        Reply(question_page(title, text, BEST, poison, OTHER, later).encode(), None),
    )
    first = run(sqlite_url, scripted, questions=[f"q{QUESTION}"])
    assert (first["new"], first["error"]) == (4, None)
    stored = {m.text: m for m in mentions(sqlite_url, "qa")}
    assert {text, "メーカーの無償修理の対象です。", "私も二日で壊れました。"} <= set(
        stored
    )
    bad = stored["一万年後も壊れません"]
    assert (bad.published_at, bad.score, bad.author) == (None, None, "未来人")
    assert ": published_at: date 9999-12-31" in first["warning"]
    assert f": score {str(10**30)[:30]} is out of range" in first["warning"]
    again = run(sqlite_url, scripted, questions=[f"q{QUESTION}"])
    assert (again["new"], again["error"]) == (1, None)
    assert stored.keys() < {m.text for m in mentions(sqlite_url, "qa")}
