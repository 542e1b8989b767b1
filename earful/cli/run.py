"""Commands that run the pipeline: ``demo``, ``run``, ``config check``, ``db upgrade``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click

from earful.cli.common import (
    CONFIG_OPTION,
    DB_OPTION,
    checked_url,
    load,
    open_pipeline,
    require_secrets,
    terminal_safe,
)
from earful.config import Config, load_config
from earful.errors import ConfigError, EarfulError
from earful.logs import LogFormat, add_secret, setup_logging
from earful.pipeline import Pipeline, RunSummary
from sentiment import SentimentError
from storage import StorageError, make_engine, redact_url, upgrade


def load_config_file(config_path: Path, database_url: str | None) -> Config:
    """The config as ``run`` loads it, for SIGHUP reloads (errors raise, not exit)."""
    config = load_config(config_path)
    if problems := config.unset_secrets():
        raise ConfigError([f"{config_path}: {problem}" for problem in problems])
    if database_url:
        config = config.model_copy(update={"database_url": database_url})
    return config


def _show_progress(scored: int) -> None:
    click.echo(f"Scoring: {scored} mentions scored so far…", err=True)


def _run_once(pipeline: Pipeline) -> RunSummary:
    if sys.stderr.isatty():  # long first crawls and backfills show progress
        pipeline.on_scored = _show_progress
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
    for empty in summary.empty_sources:
        reason = (empty.warning or "").splitlines()[0]
        click.echo(
            terminal_safe(f"  WARNING: {empty.source} extracted nothing: {reason}")
        )
    for crawl in crawls:
        lines = (crawl.warning or "").splitlines()[1 if crawl.empty else 0 :]
        for line in lines:
            click.echo(terminal_safe(f"  warning: {crawl.source}: {line}"))
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
        if d.held and d.held_until is not None:
            click.echo(
                f"  {d.held} held (quiet hours or digest) until "
                f"{d.held_until:%Y-%m-%d %H:%M} UTC: `earful alerts release` "
                "sends them now"
            )
        for error in d.errors:
            click.echo(f"  alert error: {error}")
        if d.due_left:
            click.echo(
                f"  {d.due_left} alert{'s' * (d.due_left != 1)} due but not sent "
                "in this run (over its limit): run again"
            )
    replies = summary.replies
    if replies.posted or replies.failed:
        click.echo(
            f"Replies: {len(replies.posted)} posted, {len(replies.failed)} failed."
        )
    for line in [*replies.posted, *replies.failed]:
        click.echo(terminal_safe(f"  reply: {line}"))
    click.echo(f"Database: {redact_url(pipeline.config.database_url)}")


@click.command()
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
        pipeline = open_pipeline(config)
        try:
            summary = _run_once(pipeline)
        finally:
            pipeline.close()
    _print_summary(summary, pipeline)
    if not summary.ok:
        sys.exit(1)


@click.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--once", is_flag=True, help="Run every source once, then exit.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr: readable text, or one JSON object per line.",
)
@click.option(
    "--role",
    type=click.Choice(["all", "scheduler", "worker"]),
    default="all",
    show_default=True,
    help="all: one process does everything (with PostgreSQL, any number may "
    "run: one schedules, all work). With PostgreSQL, split it: scheduler (one "
    "active, others stand by) and worker.",
)
def run(
    config_path: Path,
    database_url: str | None,
    once: bool,
    log_format: LogFormat,
    role: str,
) -> None:
    """Collect, score and alert: once, or on schedule until SIGINT/SIGTERM.

    On schedule, SIGHUP reloads the config; `earful status` shows each source.
    """
    if once and role != "all":
        raise click.UsageError("--once runs everything in one process: drop --role")
    config = load(config_path, database_url)
    require_secrets(config, config_path)
    if role != "all":
        from earful.roles import require_postgres  # noqa: PLC0415 - roles only

        try:
            require_postgres(config, role)
        except EarfulError as exc:
            raise click.ClickException(str(exc)) from None
    level = logging.getLogger().getEffectiveLevel()
    if once:
        setup_logging(level, log_format)
    else:  # a daemon says what it does; crawl children only their problems
        setup_logging(min(level, logging.INFO), log_format, capture_stderr=True)
        logging.getLogger("crawlers.crawl_parent").setLevel(max(level, logging.WARNING))
    for secret in config.secret_values():
        add_secret(secret)
    if once:
        pipeline = open_pipeline(config)
        try:
            summary = _run_once(pipeline)
        finally:
            pipeline.close()
        _print_summary(summary, pipeline)
        if not summary.ok:
            sys.exit(1)
        return
    try:
        _run_daemon(
            config,
            lambda: load_config_file(config_path, database_url),
            announce=log_format == "text",  # JSON logs stay one object per line
            role=role,
        )
    except click.ClickException as exc:
        # The daemon's stderr is its log: say it as a CRITICAL record, not as
        # a line of stray output (which would be logged at WARNING).
        logging.getLogger("earful.cli").critical(
            "earful run stopped: %s", exc.format_message()
        )
        sys.exit(exc.exit_code)


def _run_daemon(
    config: Config, reload: Callable[[], Config], *, announce: bool, role: str = "all"
) -> None:
    from earful.daemon import run_forever  # noqa: PLC0415 - daemon only
    from earful.leader import sqlite_daemon_lock  # noqa: PLC0415 - daemon only
    from earful.roles import (  # noqa: PLC0415 - daemon only
        run_all,
        run_scheduler,
        run_worker,
    )

    pipeline = open_pipeline(config)
    try:
        if announce:
            as_role = "" if role == "all" else f" as {role}"
            click.echo(
                f"earful running{as_role}: {len(pipeline.enabled_sources())} sources, "
                f"database {redact_url(config.database_url)}; Ctrl-C to stop",
                file=sys.__stderr__,  # sys.stderr now turns lines into log records
            )
        try:
            if role == "scheduler":
                run_scheduler(pipeline, reload)
            elif role == "worker":
                run_worker(pipeline)
            elif config.database_url.startswith("postgresql"):
                run_all(pipeline, reload)
            else:
                with sqlite_daemon_lock(config.database_url):
                    run_forever(pipeline, reload)
        except EarfulError as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        pipeline.close()


@click.group("config")
def config_group() -> None:
    """Inspect the config file."""


@config_group.command("check")
@CONFIG_OPTION
def config_check(config_path: Path) -> None:
    """Validate the config and print every problem at once.

    A secret variable the file names (``token_env = "MY_SLACK_TOKEN"``) that is
    unset is a problem too.
    """
    config = load(config_path)
    require_secrets(config, config_path)
    click.echo(
        f"{config_path}: ok ({len(config.brands)} brands, {len(config.sources)} "
        f"sources, {len(config.alerts)} alert rules)"
    )


@click.group("db")
def db_group() -> None:
    """Manage the mention database."""


@db_group.command("upgrade")
@CONFIG_OPTION
@DB_OPTION
def db_upgrade(config_path: Path, database_url: str | None) -> None:
    """Apply database migrations (also done automatically on first use)."""
    url = checked_url(database_url) if database_url else load(config_path).database_url
    try:
        upgrade(make_engine(url))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{redact_url(url)}: up to date")
