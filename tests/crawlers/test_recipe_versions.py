"""Shipped recipes read every version of their site's markup, and say which one matched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.check import check_page
from crawlers.recipes import Recipe
from tests.crawlers import version_pages as pages


def _check(tmp_path: Path, recipe: str, url: str, html: str) -> list[dict]:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    result = check_page("forum", {"url": url, "recipe": recipe}, path, [])
    return result["items"]


def _when(report: dict) -> datetime | None:
    iso = report["published_at"]
    return datetime.fromisoformat(iso).astimezone(UTC) if iso else None


CASES = {
    "xenforo-1": (
        "xenforo",
        "https://forum.example/threads/acme.55/",
        pages.XENFORO_1,
        [
            (
                "たろう",
                datetime(2026, 10, 3, 21, 15, tzinfo=UTC),
                "https://forum.example/threads/acme.55/#post-1001",
            ),
            (
                "Hanako",
                datetime(2026, 10, 4, 7, 2, tzinfo=UTC),
                "https://forum.example/threads/acme.55/#post-1002",
            ),
        ],
        {"item": 2, "permalink": 5, "date": 2, "text": 2},
    ),
    "xenforo-2-opposite": (
        "xenforo",
        "https://forum.example/threads/acme.77/",
        pages.XENFORO_2_OPPOSITE,
        [
            (
                "さくら",
                datetime(2026, 10, 5, 1, 0, tzinfo=UTC),
                "https://forum.example/threads/acme.77/post-2001",
            )
        ],
        {"item": 1, "permalink": 3, "date": 1},
    ),
    "vbulletin-3": (
        "vbulletin",
        "https://forum.example/showthread.php?t=5",
        pages.VBULLETIN_3,
        [
            (
                "じろう",
                datetime(2026, 10, 13, 20, 45, tzinfo=UTC),
                "https://forum.example/showthread.php?p=501#post501",
            )
        ],
        {"item": 3, "date": 4, "permalink": 3},
    ),
    "vbulletin-4": (
        "vbulletin",
        "https://forum.example/showthread.php?t=9",
        pages.VBULLETIN_4,
        [
            (
                "さぶろう",
                datetime(2026, 10, 11, 9, 30, tzinfo=UTC),
                "https://forum.example/showthread.php?t=9&p=601#post601",
            )
        ],
        {"item": 2, "date": 2, "permalink": 2},
    ),
    "vbulletin-5": (
        "vbulletin",
        "https://forum.example/node/700",
        pages.VBULLETIN_5,
        [
            (
                "しろう",
                datetime(2026, 10, 12, 14, 20, tzinfo=UTC),
                "https://forum.example/node/700#post701",
            )
        ],
        {"item": 1, "date": 1, "permalink": 1},
    ),
    "amazon-camelcase": (
        "amazon",
        "https://www.amazon.co.jp/dp/B0000000X1",
        pages.AMAZON_CAMELCASE,
        [
            (
                "みき",
                datetime(2026, 10, 20, tzinfo=UTC),
                "https://www.amazon.co.jp/gp/customer-reviews/R1QWERTY12345/",
            )
        ],
        {"item": 2, "title": 2, "date": 2, "permalink": 2},
    ),
    "trustpilot-old": (
        "trustpilot",
        "https://www.trustpilot.com/review/acme.example",
        pages.TRUSTPILOT_OLD,
        [
            (
                "Keiko",
                datetime(2026, 9, 28, 8, 0, tzinfo=UTC),
                "https://www.trustpilot.com/reviews/5f00aa",
            )
        ],
        {"item": 2, "date": 2, "rating": 2, "permalink": 2},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_version_of_the_markup_is_read(tmp_path, case):
    recipe, url, html, expected, used = CASES[case]
    reports = _check(tmp_path, recipe, url, html)
    assert [(r["author"], _when(r), r["url"]) for r in reports] == expected
    first = reports[0]
    assert not {"author", "date", "permalink"} & set(first["missing"])
    assert "アクメ" in first["text"] or "ＡＣＭＥ" in first["text"]
    assert {
        field: int(which.split()[1]) for field, which in first["alternatives"].items()
    }.items() >= used.items()


def test_a_xenforo_1_quote_is_not_part_of_the_reply(tmp_path):
    reports = _check(
        tmp_path, "xenforo", "https://forum.example/threads/acme.55/", pages.XENFORO_1
    )
    assert reports[1]["text"] == "うちのアクメは問題なし。"


def test_the_trustpilot_rating_is_read_from_the_older_star_image(tmp_path):
    (report,) = _check(
        tmp_path,
        "trustpilot",
        "https://www.trustpilot.com/review/acme.example",
        pages.TRUSTPILOT_OLD,
    )
    assert report["rating_value"] == 2.0
    assert report["title"] == "配送が遅い"


def test_a_recipe_field_may_list_alternatives_and_each_is_checked():
    recipe = Recipe(item=["div.post", "li.post"], text="p", date=["time", "span.d"])
    assert recipe.item == ["div.post", "li.post"]
    with pytest.raises(ValueError, match="invalid CSS selector"):
        Recipe(item=["div.post", "li[["], text="p")
    with pytest.raises(ValueError, match="an alternative is empty"):
        Recipe(item=["div.post", ""], text="p")
