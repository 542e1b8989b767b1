"""``earful source check``: what a source would extract, printed safely, nothing stored."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from earful.cli import main
from earful.cli.common import terminal_safe
from tests.crawlers import markup_pages as pages
from tests.servers.scripted import Reply, ScriptedSite

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
