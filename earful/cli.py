"""The ``earful`` command: the one place that prints and chooses exit codes."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from earful.config import Config, load_config
from earful.errors import EarfulError
from earful.pipeline import Pipeline, RunSummary
from sentiment import SentimentError
from storage import StorageError, make_engine, redact_url, upgrade

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="earful.toml",
    envvar="EARFUL_CONFIG",
    show_default=True,
    help="The config file (env EARFUL_CONFIG).",
)
DB_OPTION = click.option(
    "--database-url",
    help="Overrides database_url from the config and EARFUL_DATABASE_URL.",
)


def _load(config_path: Path, database_url: str | None = None) -> Config:
    try:
        config = load_config(config_path)
    except EarfulError as exc:
        raise click.ClickException(str(exc)) from None
    if database_url:
        config = config.model_copy(update={"database_url": database_url})
    return config


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("scrapy", "twisted", "urllib3", "filelock", "httpx"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="earful")
def main(verbose: int) -> None:
    """Earful: watch what people say about your brand, and hear the bad news first."""
    _setup_logging(verbose)


def _pipeline(config: Config) -> Pipeline:
    try:
        return Pipeline(config)
    except (StorageError, SentimentError) as exc:
        raise click.ClickException(str(exc)) from None


def _run_once(pipeline: Pipeline) -> RunSummary:
    try:
        return pipeline.run_once()
    except (StorageError, SentimentError) as exc:
        raise click.ClickException(str(exc)) from None


def _print_summary(summary: RunSummary, pipeline: Pipeline) -> None:
    crawls = summary.crawls
    click.echo(
        f"Crawled {len(crawls)} source{'s' * (len(crawls) != 1)}: "
        f"{summary.found} mentions found, {summary.new} new."
    )
    for failed in summary.failed_sources:
        click.echo(f"  failed: {failed.source}: {failed.error}")
    model = (
        pipeline.scorer.model_id if summary.scored else pipeline.config.sentiment.model
    )
    click.echo(
        f"Scored {summary.scored} mentions with {model}: {summary.negative} negative."
    )
    d = summary.delivery
    if d is not None:
        click.echo(
            f"Alerts: {summary.queued} queued, {d.sent} delivered to "
            f"{pipeline.delivery_target()}, {d.failed} failed, "
            f"{d.still_pending} pending."
        )
        for error in d.errors:
            click.echo(f"  alert error: {error}")
    click.echo(f"Database: {redact_url(pipeline.config.database_url)}")


@main.command()
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default="earful-demo.db",
    show_default=True,
    help="SQLite file the demo writes.",
)
@click.option("--fresh", is_flag=True, help="Delete the demo database first.")
def demo(database: Path, fresh: bool) -> None:
    """Crawl a built-in sample site, score it, and alert on negative posts.

    Alerts go to Slack when SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL is set,
    otherwise to this terminal.
    """
    from earful.demo import demo_config, serve_sample_site  # noqa: PLC0415 - demo only

    if fresh:
        database.unlink(missing_ok=True)
    with serve_sample_site() as site:
        click.echo(f"Serving the sample site at {site}/")
        config = demo_config(site, f"sqlite:///{database.resolve()}")
        pipeline = _pipeline(config)
        try:
            summary = _run_once(pipeline)
        finally:
            pipeline.close()
    _print_summary(summary, pipeline)
    if not summary.ok:
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--once", is_flag=True, help="Run every source once, then exit.")
def run(config_path: Path, database_url: str | None, once: bool) -> None:
    """Collect, score and alert: once, or on schedule until SIGINT/SIGTERM."""
    config = _load(config_path, database_url)
    pipeline = _pipeline(config)
    try:
        if once:
            summary = _run_once(pipeline)
            _print_summary(summary, pipeline)
            if not summary.ok:
                sys.exit(1)
            return
        from earful.scheduler import run_forever  # noqa: PLC0415 - daemon only

        click.echo(
            f"earful running: {len(pipeline.enabled_sources())} sources, "
            f"database {redact_url(config.database_url)}; Ctrl-C to stop",
            err=True,
        )
        run_forever(pipeline)
    finally:
        pipeline.close()


@main.group("config")
def config_group() -> None:
    """Inspect the config file."""


@config_group.command("check")
@CONFIG_OPTION
def config_check(config_path: Path) -> None:
    """Validate the config and print every problem at once."""
    config = _load(config_path)
    click.echo(
        f"{config_path}: ok ({len(config.brands)} brands, {len(config.sources)} "
        f"sources, {len(config.alerts)} alert rules)"
    )


@main.group("db")
def db_group() -> None:
    """Manage the mention database."""


@db_group.command("upgrade")
@CONFIG_OPTION
@DB_OPTION
def db_upgrade(config_path: Path, database_url: str | None) -> None:
    """Apply database migrations (also done automatically on first use)."""
    url = database_url or _load(config_path).database_url
    try:
        upgrade(make_engine(url))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{redact_url(url)}: up to date")


@main.group("sentiment")
def sentiment_group() -> None:
    """Evaluate sentiment models."""


@sentiment_group.command("eval")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder with TweetEval-format {split}_text.txt, {split}_labels.txt, mapping.txt.",
)
@click.option("--split", default="val", show_default=True)
@click.option(
    "--model",
    default="earful-default",
    show_default=True,
    help="Hugging Face model id, local folder, or earful-default.",
)
def sentiment_eval(data_dir: Path, split: str, model: str) -> None:
    """Score a labelled data set and print accuracy, macro recall and F1."""
    from sentiment import load_scorer  # noqa: PLC0415 - torch loads only when needed
    from sentiment.evaluate import evaluate, load_tweeteval  # noqa: PLC0415

    try:
        texts, gold = load_tweeteval(data_dir, split)
        scorer = load_scorer(model)
        report = evaluate(scorer, texts, gold)
    except SentimentError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.format())
