"""The dashboard over real HTTP: pages, escaping, CSRF, the access token, host checks."""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from earful.cli import main
from earful.web import is_loopback
from storage import Mention
from storage.queries import Extraction, finish_crawl_run, start_crawl_run


def request(url, path, *, method="GET", body=None, headers=None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    data = urllib.parse.urlencode(body).encode() if body is not None else None
    head = {"Content-Type": "application/x-www-form-urlencoded"} if data else {}
    conn.request(method, path, body=data, headers={**head, **(headers or {})})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response, text


def csrf_of(response, html):
    cookie = re.search(r"earful_csrf=([^;]+)", response.getheader("set-cookie")).group(
        1
    )
    field = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    assert cookie == field
    return cookie


def test_overview_has_four_svg_charts(dashboard):
    response, html = request(dashboard.url, "/?days=3650")
    assert response.status == 200
    for name in ("volume", "net", "sources", "share"):
        assert f'data-chart="{name}"' in html
    assert "Globex (competitor)" in html
    assert "script-src" not in response.getheader("content-security-policy")
    assert "default-src 'none'" in response.getheader("content-security-policy")


def test_hostile_text_is_escaped_everywhere(dashboard):
    for path in ("/inbox", "/search?q=scam"):
        _, html = request(dashboard.url, path)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


def test_toggle_needs_csrf_token_and_persists(dashboard):
    skates = dashboard.ids["skates"]
    response, html = request(dashboard.url, "/inbox")
    token = csrf_of(response, html)
    path = f"/mentions/{skates}/handled"
    forged, _ = request(dashboard.url, path, method="POST", body={"handled": "1"},
                        headers={"Cookie": f"earful_csrf={token}"})  # fmt: skip
    assert forged.status == 403
    cross, _ = request(dashboard.url, path, method="POST",
                       body={"handled": "1", "csrf": token},
                       headers={"Cookie": f"earful_csrf={token}",
                                "Origin": "http://evil.example"})  # fmt: skip
    assert cross.status == 403
    with dashboard.sessions() as s:
        assert s.get(Mention, skates).handled_at is None
    ok, _ = request(dashboard.url, path, method="POST",
                    body={"handled": "1", "csrf": token, "back": "https://evil.example/"},
                    headers={"Cookie": f"earful_csrf={token}"})  # fmt: skip
    assert ok.status == 303
    assert ok.getheader("location") == "/inbox"
    with dashboard.sessions() as s:
        assert s.get(Mention, skates).handled_by == "dashboard"
    missing, _ = request(dashboard.url, "/mentions/9999/handled", method="POST",
                         body={"csrf": token}, headers={"Cookie": f"earful_csrf={token}"})  # fmt: skip
    assert missing.status == 404


def test_health_lists_last_runs(dashboard):
    _, html = request(dashboard.url, "/health")
    assert re.search(r"<td>forum</td><td>failed</td>", html)
    assert "https://forum.example/: HTTP 503" in html


def test_foreign_host_header_is_refused(dashboard):
    response, _ = request(dashboard.url, "/", headers={"Host": "rebind.example"})
    assert response.status == 400


def test_access_token(start_dashboard):
    running = start_dashboard(token="s3cret-tøken")  # noqa: S106 - a test token
    assert request(running.url, "/")[0].status == 401
    assert request(running.url, "/?token=wrong")[0].status == 401
    response, _ = request(running.url, "/inbox?token=s3cret-t%C3%B8ken")
    assert response.status == 303
    cookie = response.getheader("set-cookie").split(";")[0]
    assert request(running.url, "/inbox", headers={"Cookie": cookie})[0].status == 200


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False),  # noqa: S104 - only classified, never bound
     ("192.168.1.5", False), ("example.com", False)],
)  # fmt: skip
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_non_loopback_needs_a_token(sqlite_url, monkeypatch):
    monkeypatch.delenv("EARFUL_DASHBOARD_TOKEN", raising=False)
    result = CliRunner().invoke(
        main,
        ["dashboard", "--database-url", sqlite_url, "--host", "0.0.0.0"],  # noqa: S104 - refused before binding
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: listening on 0.0.0.0 needs an access token: set EARFUL_DASHBOARD_TOKEN\n"
    )


def test_search_folds_width_like_brand_matching(dashboard):
    """Issue 13.9: the dashboard's search finds half-width ｱｸﾒ from アクメ, and back."""
    with dashboard.sessions() as s, s.begin():
        s.add(
            Mention(
                source="forum", source_type="forum", external_id="half",
                text="ｱｸﾒのｻﾎﾟｰﾄは最悪", content_hash="h",
            )
        )  # fmt: skip
    for query in ("アクメのサポート", "ｱｸﾒ", "ＡＣＭＥ"):
        _, html = request(dashboard.url, "/search?q=" + urllib.parse.quote(query))
        found = "ｱｸﾒのｻﾎﾟｰﾄは最悪" in html
        assert found == (query != "ＡＣＭＥ"), query
    _, html = request(dashboard.url, "/search?q=" + urllib.parse.quote("ＡＣＭＥ"))
    assert "Acme rocket skates broke" in html


def test_health_shows_a_source_that_extracted_nothing(dashboard):
    reason = "the xenforo recipe matched no post on https://forum.example/t/<1>"
    with dashboard.sessions.begin() as s:
        finish_crawl_run(
            start_crawl_run(s, "kaden-forum"),
            seen=0,
            new=0,
            extraction=Extraction(pages=2, extracted=0, matched=0),
            warning=reason,
        )
    _, html = request(dashboard.url, "/health")
    row = re.search(r'<tr class="empty"><td>kaden-forum</td>.*?</tr>', html)
    assert row is not None
    assert "<td>2</td><td>0</td><td>0</td>" in row[0]
    assert "<strong>extracted nothing:</strong>" in row[0]
    assert "https://forum.example/t/&lt;1&gt;" in row[0]  # escaped


def test_a_review_shows_its_stars_as_given(dashboard):
    with dashboard.sessions() as s, s.begin():
        mention = s.get_one(Mention, dashboard.ids["hostile"])
        mention.rating, mention.rating_best = 1, 5
    _, html = request(dashboard.url, "/search?q=scam")
    assert '<span class="rating" title="rating as the site gives it">★☆☆☆☆ 1/5' in html
