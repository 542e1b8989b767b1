"""Analyst commands: ``earful mentions`` (find and export) and ``earful stats``."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from earful.cli.breakdown import breakdown_lines
from earful.cli.common import (
    CONFIG_OPTION,
    READ_DB_OPTION,
    checked_url,
    load,
    no_database,
    slack_updater,
    url_without_config,
)
from earful.cli.response import response_lines, response_target
from earful.cli.tables import (
    fit,
    pad,
    render_table,
    terminal_safe,
    write_rows,
)
from storage import StorageError, open_existing_database
from storage.errors import SearchError
from storage.localtime import zone_of
from storage.search import LABELS, SORTS, MentionQuery, find_mentions
from storage.stats import (
    Volume,
    Window,
    latest_model,
    share_of_voice,
    top_negative,
    volume_by,
)
from storage.stats import volume_over_time as volume_series

DEFAULT_MODEL = "earful-default"
TOKEN_ENV = "EARFUL_DASHBOARD_TOKEN"  # noqa: S105 - a variable's name, not a secret
_RELATIVE = re.compile(r"^(\d+)([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
F = TypeVar("F", bound=Callable[..., Any])


def parse_when(
    value: str, *, end: bool = False, now: datetime | None = None, zone: str = "UTC"
) -> datetime:
    """``7d``/``12h``/``2w`` ago, a date (midnight in ``zone``), or an ISO time.

    A date or time without an offset is in ``zone`` (the config's ``[daemon]
    timezone``), as the stats buckets are. With ``end``, a bare date means the
    end of that day, so ``--until 2026-11-30`` includes the 30th.
    """
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(value.strip())
    if match:
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        msg = f"{value!r} is not a date (use 2026-11-30, 2026-11-30T09:00 or 7d)"
        raise click.BadParameter(msg) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone_of(zone))
    if end and len(value.strip()) == len("2026-11-30"):
        parsed += timedelta(days=1)  # wall-clock: the next local midnight
    return parsed.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class When:
    """A ``--since``/``--until`` as typed: checked at once, read in the config's zone."""

    text: str
    end: bool

    def at(self, zone: str) -> datetime:
        """The instant in UTC, a bare date or time taken as local to ``zone``."""
        return parse_when(self.text, end=self.end, zone=zone)


def _when(end: bool) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    def convert(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        parse_when(value, end=end)  # a bad date is a usage error before any work
        return When(value, end)

    return convert


def _at(when: When | None, zone: str) -> datetime | None:
    return None if when is None else when.at(zone)


@dataclass(frozen=True, slots=True)
class Analyst:
    """The database to read and the sentiment model whose scores count."""

    database_url: str
    model_id: str
    zone: str = "UTC"  # the config's [daemon] timezone: where days begin, times shown
    language: str = "en"  # the config's [ui] language
    brand_names: tuple[tuple[str, str], ...] = ()  # name → display name in language


def analyst_for(
    config_path: Path, database_url: str | None, model: str | None
) -> Analyst:
    """The config's database and model; without a config, what the URL's database records."""
    url = url_without_config(config_path, database_url)
    if url is None and not config_path.exists():
        raise no_database(config_path)
    if url is None:
        config = load(config_path, database_url)
        model_id = model or config.sentiment.model
        language = config.ui.language
        names = tuple(
            (b.name, b.display_name[language])
            for b in config.brands
            if language in b.display_name
        )
        return Analyst(
            config.database_url, model_id, config.daemon.timezone, language, names
        )
    url = checked_url(url)
    if model is None:
        with session_for(Analyst(url, DEFAULT_MODEL)) as session:
            model = latest_model(session) or DEFAULT_MODEL
    return Analyst(url, model)


@contextmanager
def session_for(analyst: Analyst) -> Iterator[Session]:
    """A read session on the analyst's database; storage errors exit 1.

    A missing SQLite file is an error naming its path, never a new database.
    """
    try:
        sessions = open_existing_database(analyst.database_url)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with sessions() as session:
            yield session
    finally:
        sessions.kw["bind"].dispose()


def analyst_options(func: F) -> F:
    """Config, database and model options shared by the analyst commands."""
    func = click.option(
        "--model",
        help="Sentiment model whose scores count (default: the config's; without "
        "a config, the model that scored last).",
    )(func)
    return CONFIG_OPTION(READ_DB_OPTION(func))


def _period_options(func: F) -> F:
    func = click.option(
        "--until",
        callback=_when(end=True),
        help="Published before this: a date (inclusive), ISO time or 7d; without "
        "an offset, in [daemon] timezone.",
    )(func)
    return click.option(
        "--since",
        callback=_when(end=False),
        help="Published at or after this: 2026-11-01, 2026-11-01T09:00, 7d, 12h, "
        "2w; without an offset, in [daemon] timezone.",
    )(func)


def mention_filters(func: F) -> F:
    """The filters of ``earful mentions``, shared with ``earful export``."""
    for option in reversed(
        [
            click.option(
                "--brand", multiple=True, help="Only mentions of this brand (repeat)."
            ),
            click.option(
                "--source", multiple=True, help="Only this source name (repeat)."
            ),
            click.option(
                "--source-type", multiple=True, help="Only this source type (repeat)."
            ),
            click.option(
                "--sentiment", type=click.Choice(LABELS), help="Only this label."
            ),
            click.option(
                "--min-probability",
                type=click.FloatRange(0, 1),
                help="With --sentiment: that label's probability at least this.",
            ),
            _period_options,
            click.option(
                "--language", multiple=True, help="Only this language code (repeat)."
            ),
            click.option(
                "--min-reach", type=click.IntRange(0), help="Followers at least this."
            ),
            click.option(
                "--alerted/--not-alerted", default=None, help="A Slack alert was sent."
            ),
            click.option(
                "--handled/--unhandled", default=None, help="Marked handled or not."
            ),
            click.option(
                "--search",
                help="Title or text search in the brand query language: words "
                'that must all occur, "quoted phrases" (or 「…」), OR, NOT and '
                "parentheses; folded for width and case as brand matching does; "
                "at most 32 words.",
            ),
            click.option(
                "--sort", type=click.Choice(SORTS), default="time", show_default=True
            ),
        ]
    ):
        func = option(func)
    return func


def mention_query(
    analyst: Analyst, filters: dict[str, Any], limit: int
) -> MentionQuery:
    """The query the filter options ask for (``limit`` 0: all)."""
    if filters["min_probability"] is not None and filters["sentiment"] is None:
        msg = "--min-probability needs --sentiment"
        raise click.UsageError(msg)
    try:
        return MentionQuery(
            model_id=analyst.model_id,
            brands=filters["brand"],
            sources=filters["source"],
            source_types=filters["source_type"],
            sentiment=filters["sentiment"],
            min_probability=filters["min_probability"],
            since=_at(filters["since"], analyst.zone),
            until=_at(filters["until"], analyst.zone),
            languages=filters["language"],
            min_reach=filters["min_reach"],
            alerted=filters["alerted"],
            handled=filters["handled"],
            text=filters["search"],
            sort=filters["sort"],
            limit=limit or None,
        )
    except SearchError as exc:
        raise click.BadParameter(str(exc), param_hint="'--search'") from None


@click.command("mentions")
@analyst_options
@mention_filters
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True,
              help="At most this many (0: all).")  # fmt: skip
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "jsonl"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def mentions(
    *,
    config_path: Path,
    database_url: str | None,
    model: str | None,
    limit: int,
    fmt: str,
    output: Path | None,
    **filters: Any,
) -> None:
    """Find mentions and print them as a table, CSV or JSON lines (newest first).

    CSV and JSON lines carry every column; `earful export` streams large
    exports, and writes Parquet.
    """
    analyst = analyst_for(config_path, database_url, model)
    query = mention_query(analyst, filters, limit)
    with session_for(analyst) as session:
        rows = find_mentions(session, query)
    with click.open_file(str(output or "-"), "w", encoding="utf-8") as out:
        if fmt in {"csv", "jsonl"}:
            write_rows(rows, out, fmt)
        else:
            width = shutil.get_terminal_size((120, 24)).columns
            table = render_table(rows, width, analyst.zone)
            out.write("".join(line + "\n" for line in table))


def _volume_lines(title: str, rows: list[Volume], key_width: int) -> list[str]:
    head = f"{pad(title, key_width)} {'mentions':>8} {'neg':>6} {'neu':>6} {'pos':>6}"
    lines = [head + f" {'net':>6}"]
    lines.extend(
        f"{pad(terminal_safe(v.key), key_width)} {v.total:>8} {v.negative:>6} {v.neutral:>6} "
        f"{v.positive:>6} {v.net:>+6.2f}"
        for v in rows
    )
    return [*lines, ""]


@click.command("stats")
@analyst_options
@click.option("--brand", help="One brand (default: every brand together).")
@_period_options
@click.option(
    "--by", type=click.Choice(["day", "week"]), default="day", show_default=True
)
@click.option("--top", type=click.IntRange(0), default=5, show_default=True,
              help="How many top negative mentions to list.")  # fmt: skip
@click.option("--aspects", "show_aspects", is_flag=True,
              help="Instead: what mentions are about (delivery, price…) by polarity.")  # fmt: skip
@click.option("--compare", "show_compare", is_flag=True,
              help="Instead: each brand beside its competitors, overall and per --by.")  # fmt: skip
@click.option("--response", "response", is_flag=True,
              help="Response times per source and source type instead, with the "
              "unanswered mentions, oldest first.")  # fmt: skip
@click.option("--target", help="Reply target for --response: 2h, 30m (default: "
              "the config's [response] target, else 2h).")  # fmt: skip
def stats(
    *,
    config_path: Path,
    database_url: str | None,
    model: str | None,
    brand: str | None,
    since: When | None,
    until: When | None,
    by: Any,
    top: int,
    show_aspects: bool,
    show_compare: bool,
    response: bool,
    target: str | None,
) -> None:
    """Volume and net sentiment over time, by source and language; share of voice.

    Net sentiment is (positive - negative) / mentions, from -1 to +1. Days and
    weeks begin at midnight in the config's [daemon] timezone (UTC without a
    config), and the day column says which.
    `--aspects` counts the aspects of opinionated mentions by polarity;
    `--compare` sets the brands side by side; `--response` shows how fast
    alerted mentions were answered (see docs/alerts.md).
    """
    analyst = analyst_for(config_path, database_url, model)
    start, end = _at(since, analyst.zone), _at(until, analyst.zone)
    if response:
        target_s = response_target(config_path, database_url, target)
        with session_for(analyst) as session:
            lines = response_lines(
                session,
                brand=brand,
                since=start,
                until=end,
                target_s=target_s,
                top=top,
            )
        for line in lines:
            click.echo(line)
        return
    window = Window(analyst.model_id, brand, start, end, analyst.zone)
    if show_aspects or show_compare:
        with session_for(analyst) as session:
            found = breakdown_lines(
                session, window, by, aspects=show_aspects, compare=show_compare
            )
        for line in found:
            click.echo(line)
        return
    with session_for(analyst) as session:
        title = f"{by} ({analyst.zone})"
        series = volume_series(session, window, by)
        lines = _volume_lines(title, series, max(10, len(title)))
        lines += _volume_lines("source", volume_by(session, window, "source"), 20)
        lines += _volume_lines("language", volume_by(session, window, "language"), 10)
        shares = share_of_voice(session, start, end)
        lines.append(f"{pad('brand', 20)} {'mentions':>8} {'share':>6}")
        for s in shares:
            name = terminal_safe(s.brand) + (" (competitor)" if s.competitor else "")
            lines.append(f"{pad(name, 20)} {s.mentions:>8} {s.share:>6.1%}")
        if top:
            lines += ["", "top negative by reach:"]
            for row in top_negative(session, window, top):
                reach = "-" if row.reach is None else str(row.reach)
                text = fit(terminal_safe(row.title or row.text), 60)
                lines.append(f"  #{row.id} reach {reach} {row.source}: {text}")
    for line in lines:
        click.echo(line)


@click.command("dashboard")
@analyst_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; off loopback needs EARFUL_DASHBOARD_TOKEN.")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8600, show_default=True)
def dashboard(
    *,
    config_path: Path,
    database_url: str | None,
    model: str | None,
    host: str,
    port: int,
) -> None:
    """Serve the dashboard: charts, negative inbox, search, source health.

    With EARFUL_DASHBOARD_TOKEN set, every visitor needs the token (open
    /?token=…); listening on an address other than loopback requires it.
    """
    from earful.web import Dashboard, is_loopback, serve  # noqa: PLC0415 - web only

    token = os.environ.get(TOKEN_ENV, "").strip() or None
    if token is None and not is_loopback(host):
        msg = f"listening on {host} needs an access token: set {TOKEN_ENV}"
        raise click.ClickException(msg)
    analyst = analyst_for(config_path, database_url, model)
    try:
        sessions = open_existing_database(analyst.database_url)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Earful dashboard on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        target_s = response_target(config_path, database_url, None)
        dash = Dashboard(
            sessions,
            analyst.model_id,
            token,
            response_target_s=target_s,
            zone=analyst.zone,
            language=analyst.language,
            brand_names=dict(analyst.brand_names),
        )
        if config_path.exists():  # the team's Slack messages follow the dashboard
            config = load(config_path, database_url)
            controls = bool(config.slack_token and config.slack_app_token)
            dash = replace(dash, slack=slack_updater(config), slack_controls=controls)
        serve(dash, host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    finally:
        sessions.kw["bind"].dispose()
