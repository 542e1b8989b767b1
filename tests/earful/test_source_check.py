"""``earful source check``: what a source would extract, printed safely, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from earful.cli.common import terminal_safe
from tests.crawlers import markup_pages as pages
from tests.crawlers.facebook.conftest import PAGE_ID
from tests.crawlers.facebook.conftest import TOKEN as FACEBOOK_TOKEN
from tests.crawlers.instagram.conftest import TOKEN as INSTAGRAM_TOKEN
from tests.crawlers.instagram.conftest import USER_ID as INSTAGRAM_USER
from tests.crawlers.threads.conftest import TOKEN as THREADS_TOKEN
from tests.crawlers.threads.conftest import USER_ID as THREADS_USER
from tests.crawlers.tiktok.conftest import BUSINESS_ID
from tests.crawlers.tiktok.conftest import TOKEN as TIKTOK_TOKEN
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app
from tests.servers.scripted import Reply, ScriptedSite
from tests.servers.threads import threads_app
from tests.servers.tiktok import TikTokServer

HTML = "text/html; charset=utf-8"
CONFIG = """
database_url = "{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "kaden-forum"
type = "forum"
url = "{url}"
recipe = "xenforo"

[[sources]]
name = "hn"
type = "hackernews"
query = "acme"
api_url = "{hn}"
"""


def _config(tmp_path: Path, url: str, hn: str = "http://127.0.0.1:9/hn") -> Path:
    path = tmp_path / "earful.toml"
    db = f"sqlite:///{tmp_path / 'earful.db'}"
    path.write_text(CONFIG.format(db=db, url=url, hn=hn), encoding="utf-8")
    return path


def test_a_configured_forum_source_is_fetched_once_and_nothing_is_stored(tmp_path):
    with ScriptedSite() as site:
        url = site.script(
            "/threads/acme.12/", Reply(pages.XENFORO2_THREAD.encode(), HTML)
        )
        config = _config(tmp_path, url)
        result = CliRunner().invoke(
            main, ["source", "check", "--config", str(config), "kaden-forum"]
        )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "forum source kaden-forum",
        "1 page read, 2 items extracted, 2 name a brand (extracted by: xenforo)",
    ]
    assert lines[2:8] == [
        "[1] 中村 · 2026-11-20 00:00 UTC · rating - · ja",
        f"    {site.url}/threads/acme.12/post-301",
        "    ＡＣＭＥの保証は何年ですか？",
        "    brands: Acme (acme)",
        "    empty rating: no selector",
        "    empty title: no selector",
    ]
    assert [line for line in lines if line.startswith("    brands:")] == [
        "    brands: Acme (acme)",
        "    brands: Acme (acme, アクメ)",  # the page title's and the text's
    ]
    assert not (tmp_path / "earful.db").exists()  # a check stores nothing


def test_a_url_that_yields_nothing_exits_1_with_the_reason(tmp_path):
    page = "<html><body><p>ＡＣＭＥ</p></body></html>"
    with ScriptedSite() as site:
        url = site.script("/t/9", Reply(page.encode(), HTML))
        result = CliRunner().invoke(
            main,
            [
                *("source", "check", "--config", str(tmp_path / "none.toml")),
                *("--type", "forum", "--recipe", "vbulletin", url),
            ],
        )
    assert result.exit_code == 1
    assert "1 page read, 0 items extracted, 0 name a brand" in result.output
    assert (
        f"warning: the vbulletin recipe matched no post on {url} (item selector "
        in result.output
    )
    assert result.output.endswith("Error: nothing extracted; see the warning above\n")


def test_a_saved_page_is_read_with_the_generic_extractor_and_printed_safely(
    tmp_path,
):
    hostile = pages.PLAIN_REVIEW_LIST.replace("高橋", "高\x1b[2J橋\u202e")
    saved = tmp_path / "toaster.html"
    saved.write_text(hostile, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            *("source", "check", "--config", str(tmp_path / "none.toml")),
            *("--type", "reviews", "--url", "https://reviews.example/toaster"),
            str(saved),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output
    # NormalizePipeline drops the ESC itself; terminal_safe escapes what is left.
    assert "[1] 高[2J橋\\u202e · 2026-11-03 · rating ★★★★☆ 4/5 · ja" in (result.output)
    assert "(extracted by: generic)" in result.output
    assert "note: the generic extractor guessed these" in result.output


def test_a_configured_hacker_news_source_reads_a_few_newest_items(site, tmp_path):
    config = _config(tmp_path, "https://unused.example/", hn=f"{site.url}/hn/api/v1")
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "hn", "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("hackernews source hn\n")
    assert "items extracted" in result.output


def test_terminal_safe_keeps_japanese_and_escapes_controls():
    assert terminal_safe("ＡＣＭＥ\x07\x1b[31mｱｸﾒ\u200f\n次") == (
        "ＡＣＭＥ\\x07\\x1b[31mｱｸﾒ\\u200f 次"
    )


def test_a_feed_url_lists_its_entries_and_which_name_the_brand(site, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            *("source", "check", "--config", str(tmp_path / "none.toml")),
            *("--type", "feed", f"{site.url}/acme/news.xml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 page read, 4 items extracted, 0 name a brand" in result.output
    assert result.output.count("    brands: no brand matched") == 4  # no config


@pytest.fixture(scope="module")
def graph_server() -> Iterator[GraphServer]:
    """The local Graph host (Instagram, Facebook, Threads)."""
    with GraphServer() as server:
        yield server


@pytest.fixture(scope="module")
def tiktok_server() -> Iterator[TikTokServer]:
    """The local TikTok API for Business."""
    with TikTokServer() as server:
        yield server


def _network(
    kind: str, graph: GraphServer, tiktok: TikTokServer
) -> tuple[str, str, str, str]:
    """A fresh account of ``kind``: its node URL, token variable, token, a comment."""
    if kind == "instagram":
        url, _ = instagram_app(graph, {INSTAGRAM_TOKEN: "ok"})
        return (
            f"{url}/{INSTAGRAM_USER}",
            "EARFUL_INSTAGRAM_TOKEN",
            INSTAGRAM_TOKEN,
            "届いたその日に壊れました。返品の連絡もつかないです",
        )
    if kind == "facebook":
        url, _ = facebook_app(graph, {FACEBOOK_TOKEN: "ok"})
        return (
            f"{url}/{PAGE_ID}",
            "EARFUL_FACEBOOK_PAGE_TOKEN",
            FACEBOOK_TOKEN,
            "注文したのに発送まで二週間。問い合わせても返事がない",
        )
    if kind == "threads":
        url, _ = threads_app(graph, {THREADS_TOKEN: "ok"})
        return (
            f"{url}/{THREADS_USER}",
            "EARFUL_THREADS_TOKEN",
            THREADS_TOKEN,
            "注文して一週間、まだ届きません…問い合わせも繋がらない",
        )
    url, _ = tiktok.account({TIKTOK_TOKEN: "ok"})
    return (
        f"{url}/{BUSINESS_ID}",
        "EARFUL_TIKTOK_TOKEN",
        TIKTOK_TOKEN,
        "買ったけど一週間で熱くならなくなった。返金してほしい",
    )


@pytest.mark.parametrize("kind", ["instagram", "facebook", "threads", "tiktok"])
def test_type_kind_reads_an_accounts_newest_comments_by_its_node_url(
    kind: str,
    graph_server: GraphServer,
    tiktok_server: TikTokServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    node, token_env, token, comment = _network(kind, graph_server, tiktok_server)
    check = [
        *("source", "check", "--config", str(tmp_path / "none.toml")),
        *("--type", kind, node),
    ]
    monkeypatch.delenv(token_env, raising=False)
    unset = CliRunner().invoke(main, check)
    assert unset.exit_code == 1
    assert unset.output.rstrip().endswith(f"set {token_env}")
    monkeypatch.setenv(token_env, token)
    result = CliRunner().invoke(main, check)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{kind} source check"
    assert f"    {comment}" in lines
    assert token not in result.output


def test_a_configured_instagram_source_matches_the_brands_and_stores_nothing(
    graph_server: GraphServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, app = instagram_app(graph_server, {INSTAGRAM_TOKEN: "ok"})
    monkeypatch.setenv("IG_ACME_TOKEN", INSTAGRAM_TOKEN)
    config = tmp_path / "earful.toml"
    config.write_text(
        f"""
database_url = "sqlite:///{tmp_path / "earful.db"}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[sources]]
name = "ig-acme"
type = "instagram"
user_id = "{INSTAGRAM_USER}"
hashtags = ["アクメ"]
token_env = "IG_ACME_TOKEN"
api_url = "{url}"
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["source", "check", "--config", str(config), "ig-acme"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("instagram source ig-acme\n")
    assert "    アクメのケトル、注ぎ口から水漏れする😢 @acme_jp" in result.output
    assert "    brands: Acme (アクメ)" in result.output
    assert app.hashtags_queried == []  # a check spends none of the 30 a week
    assert not (tmp_path / "earful.db").exists()
