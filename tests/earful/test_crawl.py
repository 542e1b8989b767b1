"""A crawl end to end: a child process crawls the sample site into a real database."""

from __future__ import annotations

import logging
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawlers.collector import Context
from crawlers.crawl_job import CrawlJob
from crawlers.crawl_parent import CrawlKind, crawl_outcome, run_child
from crawlers.crawl_sources import FeedSource
from crawlers.match import BrandRule
from crawlers.outcome import Outcome
from crawlers.politeness import Politeness
from earful.cli.run import _print_summary
from earful.config import parse_config
from earful.errors import ConfigError
from earful.pipeline import Pipeline, RunSummary
from earful.runs import recorded_run
from storage.queries import Extraction
from tests.crawlers.conftest import ACME, crawl_runs, mentions
from tests.servers.scripted import Reply, ScriptedSite


def spec(database_url: str, source: str, url: str, **kwargs) -> CrawlKind:
    return CrawlKind(
        FeedSource(name=source, type="feed", url=url),
        Context(
            brands=(ACME, BrandRule("Globex", ("globex",), competitor=True)),
            sessions=None,
            database_url=database_url,
            **kwargs,
        ),
    )


def run_crawl(crawl: CrawlKind, sessions) -> Outcome:
    """Crawl once and record the run, as the pipeline does."""
    return recorded_run(sessions, crawl.source.name, crawl.collect)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_crawl_stores_mentions_and_records_an_ok_run(
    site, database_url, open_db, capfd
):
    agent = "Earful/0.1 (+https://github.com/earful/earful; mailto:pr@example.com)"
    url = f"{site.url}/acme/news.xml"
    sessions = open_db(database_url)
    polite = Politeness(contact="mailto:pr@example.com")
    outcome = run_crawl(
        spec(database_url, "gadget-talk", url, politeness=polite), sessions
    )
    assert outcome == Outcome(
        "gadget-talk", 3, 3, 0, None, extraction=Extraction(1, 4, 3)
    )  # one feed, four entries, three name Acme
    stored = mentions(database_url, "gadget-talk")
    assert [m.external_id for m in stored] == ["acme-1", "acme-2", "acme-4"]
    assert {m.source_type for m in stored} == {"feed"}
    [run] = crawl_runs(database_url)
    assert (run.source, run.status, run.items_seen, run.items_new, run.error) == (
        "gadget-talk",
        "ok",
        3,
        3,
        None,
    )
    assert (run.pages_fetched, run.items_extracted, run.items_matched) == (1, 4, 3)
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert site.requests_for("/acme/news.xml")[-1]["User-Agent"] == agent
    # The child logs at WARNING and above only; a clean crawl says nothing.
    assert " INFO: " not in capfd.readouterr().err


def test_failing_sources_are_recorded_while_another_works_in_parallel(
    site, sqlite_url, open_db
):
    port = closed_port()
    sessions = open_db(sqlite_url)
    specs = [
        spec(sqlite_url, "closed", f"http://127.0.0.1:{port}/feed.xml"),
        spec(sqlite_url, "broken-server", f"{site.url}/status/500"),
        spec(sqlite_url, "gone", f"{site.url}/no/such/feed.xml"),
        spec(sqlite_url, "working", f"{site.url}/acme/news.xml"),
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        closed, broken, gone, working = pool.map(
            lambda s: run_crawl(s, sessions), specs
        )
    assert closed.error is not None
    assert closed.error.startswith(
        f"cannot fetch http://127.0.0.1:{port}/feed.xml: Connection was refused"
    )
    assert broken.error == f"HTTP 500 from {site.url}/status/500"
    assert gone.error == f"HTTP 404 from {site.url}/no/such/feed.xml"
    assert working == Outcome("working", 3, 3, 0, None, extraction=Extraction(1, 4, 3))
    assert broken.extraction == Extraction(0, 0, 0)  # an error page is no page
    runs = {run.source: run for run in crawl_runs(sqlite_url)}
    assert (runs["closed"].status, runs["closed"].error) == ("failed", closed.error)
    assert (runs["broken-server"].status, runs["broken-server"].error) == (
        "failed",
        broken.error,
    )
    assert (runs["gone"].status, runs["gone"].error) == ("failed", gone.error)
    assert (runs["working"].status, runs["working"].items_new) == ("ok", 3)
    assert len(mentions(sqlite_url, "working")) == 3
    assert mentions(sqlite_url, "closed") == mentions(sqlite_url, "broken-server") == []


def test_a_page_that_yields_nothing_is_an_empty_run_with_its_reason(sqlite_url, caplog):
    page = "<html><body><p>ＡＣＭＥのミキサーが壊れた</p></body></html>"
    with ScriptedSite() as site:
        url = site.script("/t/1", Reply(page.encode(), "text/html; charset=utf-8"))
        source = {"name": "wrong-recipe", "type": "forum", "url": url}
        config = parse_config(
            {
                "database_url": sqlite_url,
                "brands": [{"name": "Acme", "terms": ["acme"]}],
                "sources": [{**source, "recipe": "xenforo"}],
            },
            environ=False,
        )
        pipeline = Pipeline(config)
        with caplog.at_level(logging.WARNING, logger="earful.pipeline"):
            outcome = pipeline.collect(config.sources[0])
        pipeline.sessions.kw["bind"].dispose()
    assert outcome.error is None
    assert outcome.empty
    assert outcome.extraction == Extraction(1, 0, 0)
    reason = f"the xenforo recipe matched no post on {url}"
    assert outcome.warning is not None
    assert outcome.warning.startswith(reason)
    assert not RunSummary(crawls=[outcome]).ok  # never a plain success
    assert f"source wrong-recipe extracted nothing: {reason}" in caplog.text
    [run] = crawl_runs(sqlite_url)
    assert (run.status, run.pages_fetched, run.items_extracted) == ("empty", 1, 0)
    assert run.warning == outcome.warning


def test_a_hanging_source_is_killed_and_recorded_as_timed_out(
    site, sqlite_url, open_db
):
    sessions = open_db(sqlite_url)
    outcome = run_crawl(
        spec(sqlite_url, "slow", f"{site.url}/hang", timeout_s=2.0), sessions
    )
    assert outcome == Outcome("slow", 0, 0, 0, "timed out after 2 s")
    assert not outcome.empty
    [run] = crawl_runs(sqlite_url)
    assert (run.status, run.error) == ("failed", "timed out after 2 s")


def test_invalid_spider_arguments_are_recorded_not_raised(sqlite_url, open_db):
    bad = CrawlJob(
        source="bad",
        spider="feed",
        params={"url": "ftp://example.com/feed"},
        brands=(ACME,),
        database_url=sqlite_url,
    )
    outcome = recorded_run(
        open_db(sqlite_url), "bad", lambda: crawl_outcome("bad", run_child(bad, 60))
    )
    assert outcome.error is not None
    assert outcome.error.startswith("invalid feed arguments: url: ")
    [run] = crawl_runs(sqlite_url)
    assert (run.status, run.error) == ("failed", outcome.error)


def test_the_crawler_table_of_the_config_reaches_the_crawl(site, sqlite_url):
    url = f"{site.url}/acme/news.xml"
    config = parse_config(
        {
            "database_url": sqlite_url,
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [{"name": "polite", "type": "feed", "url": url}],
            "crawler": {
                "contact": "ops@acme.example",
                "download_delay": "2s",
                "concurrency_per_domain": 1,
                "retries": 3,
                "retry_backoff": 0.5,
            },
        },
        environ=False,
    )
    pipeline = Pipeline(config)
    crawl = CrawlKind(config.sources[0], pipeline.context(config.sources[0]))
    assert crawl.context.politeness == Politeness(
        contact="ops@acme.example",
        download_delay=2.0,
        concurrency_per_domain=1,
        retries=3,
        retry_backoff=0.5,
    )
    outcome = run_crawl(crawl, pipeline.sessions)
    pipeline.sessions.kw["bind"].dispose()
    assert (outcome.new, outcome.error) == (3, None)
    agent = site.requests_for("/acme/news.xml")[-1]["User-Agent"]
    assert agent == "Earful/0.1 (+https://github.com/earful/earful; ops@acme.example)"


def test_a_contact_that_would_break_the_header_is_a_config_error():
    data = {
        "brands": [{"name": "Acme", "terms": ["acme"]}],
        "crawler": {"contact": "ops@acme.example\r\nX-Evil: 1", "retries": -1},
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data, environ=False)
    assert str(caught.value).splitlines() == [
        (
            "earful.toml: crawler.contact: must be printable ASCII on one line (a URL or "
            "an e-mail address)"
        ),
        "earful.toml: crawler.retries: Input should be greater than or equal to 0",
    ]


def test_each_japanese_source_becomes_arguments_its_spider_accepts(sqlite_url):
    sources = [
        {
            "type": "board",
            "url": "https://egg.5ch.net/kaden/",
            "threads": ["1700000000"],
        },
        {"type": "appstore", "app_id": 123456789, "about": "アクメ"},
        {"type": "googleplay", "app_id": "jp.example.acme", "about": "アクメ"},
        {"type": "hatena", "urls": ["https://acme.example.jp/news"], "query": "アクメ"},
        {"type": "chiebukuro", "query": "アクメ", "interval": "1h"},
    ]
    config = parse_config(
        {
            "database_url": sqlite_url,
            "brands": [{"name": "Acme", "terms": ["acme", "アクメ"]}],
            "sources": [{"name": s["type"], **s} for s in sources],
        },
        environ=False,
    )
    pipeline = Pipeline(config)
    loader = SpiderLoader.from_settings(get_project_settings())
    try:
        for source in config.sources:
            job = CrawlKind(source, pipeline.context(source)).job(source.spider_args())
            spider = loader.load(job.spider)
            assert spider.name == source.type
            spider.params_model.model_validate(job.params)
    finally:
        pipeline.sessions.kw["bind"].dispose()


def test_the_run_summary_warns_of_an_empty_source_safely(sqlite_url, capsys):
    config = parse_config(
        {"database_url": sqlite_url, "brands": [{"name": "Acme", "terms": ["acme"]}]},
        environ=False,
    )
    pipeline = Pipeline(config)
    empty = Outcome(
        "kaden-forum",
        0,
        0,
        0,
        None,
        [
            "the xenforo recipe matched no post on https://f.example/\x1b[2J (1 page read)",
            "declared Shift_JIS, decoded as CP932",
        ],
        Extraction(1, 0, 0),
    )
    _print_summary(RunSummary(crawls=[empty]), pipeline)
    pipeline.sessions.kw["bind"].dispose()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "Crawled 1 source: 0 mentions found, 0 new.",
        (
            "  WARNING: kaden-forum extracted nothing: the xenforo recipe matched no post "
            "on https://f.example/\\x1b[2J (1 page read)"
        ),
        "  warning: kaden-forum: declared Shift_JIS, decoded as CP932",
    ]
