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
