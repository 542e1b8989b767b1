"""The demo: its Japanese sources crawl cleanly, and a Japanese complaint alerts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from earful.demo import demo_config, japanese_sources, serve_sample_site
from tests.crawlers.conftest import crawl, mentions


def test_the_demo_watches_a_5ch_thread_and_an_app_review(sqlite_url):
    with serve_sample_site() as site:
        config = demo_config(site, sqlite_url)
        assert {s.type for s in config.sources} == {
            "feed",
            "reviews",
            "board",
            "appstore",
        }
        for source in japanese_sources(site):
            params = {k: v for k, v in source.items() if k not in {"name", "type"}}
            result = crawl(
                sqlite_url,
                source["name"],
                params.pop("url", ""),
                [config.brands[0].rule()],
                spider=source["type"],
                politeness={"download_delay": 0},
                **params,
            )
            assert result["error"] is None, result
            assert result["new"] > 0
    thread = mentions(sqlite_url, "5ch-kaden")
    assert [m.external_id for m in thread] == [
        "kaden/1700000000/1",
        "kaden/1700000000/2",
        # 3 was deleted (あぼーん); 4 answers 2, not the opening post, and names
        # no brand itself, so the thread's title does not make it one
        # (crawlers.attribution)
    ]
    assert thread[1].text.startswith("二日で壊れた。")
    assert thread[1].parent_id == "kaden/1700000000/1"
    (review,) = mentions(sqlite_url, "acme-ios-jp")
    assert review.title == "アップデート後に使えない"
    assert (review.rating, review.rating_best) == (1, 5)
    assert {m.language for m in [*thread, review]} == {"ja"}


@pytest.mark.slow
def test_the_demo_alerts_on_the_japanese_complaint_and_not_the_compliment(
    tmp_path: Path,
) -> None:
    env = {"SLACK_BOT_TOKEN": None, "SLACK_WEBHOOK_URL": None}
    result = CliRunner().invoke(
        main,
        ["demo", "--database", str(tmp_path / "demo.db")],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "アクメの配送が遅すぎる" in result.output  # the 1-star review alerts
    assert "ｱｸﾒのケトルは本当に素晴らしい" not in result.output  # the 5-star does not
