"""The dashboard shows times in `[daemon] timezone`, named, and has Japanese fonts."""

from __future__ import annotations

import re
import urllib.parse

from tests.earful.web.test_dashboard import request


def test_times_are_in_the_configured_zone_and_named(start_dashboard):
    dashboard = start_dashboard(zone="Asia/Tokyo")
    _, html = request(dashboard.url, f"/search?q={urllib.parse.quote('配送')}")
    assert "<span>2026-11-09 19:00 JST</span>" in html  # 10:00 UTC
    assert '<span class="zone"' in html
    assert ">Asia/Tokyo</span>" in html
    _, html = request(dashboard.url, "/health")
    row = re.search(r"<td>news</td><td>ok</td><td>([^<]*)</td><td>([^<]*)</td>", html)
    assert row is not None
    assert row.groups() == ("2026-11-16 18:00 JST", "2026-11-16 19:00 JST")
    assert ":00.000000" not in html
    assert "+00:00" not in html


def test_utc_is_named_too(dashboard):
    _, html = request(dashboard.url, "/health")
    assert "<td>2026-11-16 09:00 UTC</td><td>2026-11-16 10:00 UTC</td>" in html


def test_the_stylesheet_names_japanese_fonts(dashboard):
    _, css = request(dashboard.url, "/static/earful.css")
    body = css[css.index("body {") : css.index("}", css.index("body {"))]
    for face in ("Hiragino Sans", "Yu Gothic UI", "Noto Sans CJK JP", "IPAexGothic"):
        assert face in body


def test_a_japanese_dashboard(start_dashboard):
    dashboard = start_dashboard(language="ja", brand_names={"Acme": "アクメ"})
    response, html = request(dashboard.url, "/inbox")
    assert response.status == 200
    assert '<html lang="ja">' in html
    assert ">ネガティブな言及</a>" in html
    assert "<h1>ネガティブな言及（リーチの大きい順）</h1>" in html
    assert ">対応済みにする</button>" in html
    assert '<option value="in_progress">対応中</option>' in html
    assert '<option value="resolved">解決</option>' in html
    assert "<span>アクメ</span>" in html
    assert "Negative" not in html
    assert "Mark handled" not in html
    _, html = request(dashboard.url, "/health")
    assert "<th>最終成功</th>" in html
    assert "<td>失敗</td>" in html
    _, html = request(dashboard.url, "/compare?days=3650")
    assert "<h2>自社ブランドと競合</h2>" in html
    assert '<th scope="col" class="own">アクメ</th>' in html
    assert "週ごとの言及数（ネットセンチメント）" in html
    _, html = request(dashboard.url, "/response?days=3650")
    assert "<h1>対応時間</h1>" in html
    assert "<h2>収集元の種類別</h2>" in html


def test_english_is_the_default(dashboard):
    _, html = request(dashboard.url, "/inbox")
    assert '<html lang="en">' in html
    assert ">Mark handled</button>" in html
    assert "<span>Acme</span>" in html
