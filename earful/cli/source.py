"""``earful source check``: what a source would extract, before it is scheduled.

In the spirit of ``scrapy parse``: one fetch (or a saved page), every post or
review printed with its author, date, rating, link, language and first line,
the brand rules it matches, and for each empty field the selector that found
nothing. Everything printed from a page is made safe for the terminal first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from crawlers.collector import Check, Context
from crawlers.errors import CollectorError
from crawlers.politeness import Politeness
from crawlers.recipes import Recipe, shipped
from crawlers.registry import KINDS, open_collector, settings_class
from earful.cli.common import CONFIG_OPTION, load, terminal_safe
from earful.config import Config, Source
from storage.precision import shown_date
from storage.ratings import stars_text

FIRST_LINE = 100  # characters of each item's text shown
CHECK_TIMEOUT_S = 120.0


def _first_line(text: str) -> str:
    line = next((line for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= FIRST_LINE else line[: FIRST_LINE - 1] + "…"


def _matches(report: dict[str, Any]) -> str:
    if not report["matches"]:
        return "no brand matched"
    return ", ".join(
        f"{m['brand']} ({', '.join(m['terms'])})" for m in report["matches"]
    )


def _field(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _date(iso: str | None, precision: str | None) -> str:
    if iso is None:
        return "no date"
    when = datetime.fromisoformat(iso).astimezone(UTC)
    if precision:  # "2026-10": the source gave no day
        return shown_date(when, precision)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _item_lines(number: int, report: dict[str, Any]) -> list[str]:
    rating = report["rating"]
    shown = None if rating is None else stars_text(rating, report["rating_best"])
    head = " · ".join(
        [
            _field(report["author"]),
            _date(report["published_at"], report.get("published_precision")),
            f"rating {_field(shown)}",
            _field(report["language"]),
        ]
    )
    lines = [
        f"[{number}] {head}",
        f"    {report['url'] or '-'}",
        f"    {_first_line(report['text'])}",
        f"    brands: {_matches(report)}",
    ]
    lines.extend(
        f"    empty {name}: {why}" for name, why in sorted(report["missing"].items())
    )
    lines.extend(
        f"    {name} by {which}"
        for name, which in sorted(report.get("alternatives", {}).items())
    )
    return [terminal_safe(line) for line in lines]


def _print_result(what: str, result: dict[str, Any]) -> None:
    items = result["items"]
    extractors = sorted({str(r["extractor"]) for r in items if r["extractor"]})
    click.echo(terminal_safe(what))
    pages = result.get("pages")
    read = f"{pages} page{'s' * (pages != 1)} read, " if pages is not None else ""
    matched = sum(bool(r["matches"]) for r in items)
    click.echo(
        f"{read}{result.get('extracted', len(items))} items extracted, "
        f"{matched} name a brand"
        + (f" (extracted by: {', '.join(extractors)})" if extractors else "")
    )
    if "generic" in extractors:
        click.echo(
            "note: the generic extractor guessed these from repeated blocks; "
            "a recipe (`selectors`) makes them exact"
        )
    for number, report in enumerate(items, start=1):
        for line in _item_lines(number, report):
            click.echo(line)
    for warning in (result.get("warning") or "").splitlines():
        click.echo(terminal_safe(f"warning: {warning}"))


def _configured(config: Config | None, name: str) -> Source | None:
    if config is None:
        return None
    return next((s for s in config.sources if s.name == name), None)


def _adhoc(
    kind: str, target: str, recipe: str | None, selectors: Path | None
) -> dict[str, Any]:
    """A source's fields from the command line (validated like a config's)."""
    fields: dict[str, Any] = {
        "name": "check",
        "type": kind,
        **settings_class(kind).check_fields(target),
    }
    if recipe:
        fields["recipe"] = recipe
    if selectors:
        import tomllib  # noqa: PLC0415 - only for --selectors

        try:
            fields["selectors"] = Recipe.model_validate(
                tomllib.loads(selectors.read_text(encoding="utf-8"))
            ).model_dump(exclude_unset=True)
        except (tomllib.TOMLDecodeError, ValidationError, OSError) as exc:
            msg = f"{selectors}: {exc}"
            raise click.ClickException(msg) from None
    return fields


def _source(fields: dict[str, Any]) -> Source:
    try:
        return settings_class(fields["type"]).model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'source'}: {e['msg']}"
            for e in exc.errors()
        )
        raise click.ClickException(f"invalid source: {problems}") from None


def _run(
    source: Source, config: Config | None, saved: Path | None, limit: int, target: str
) -> dict[str, Any]:
    """The source's sample: fetched once, matched, nothing stored."""
    brands = tuple(b.rule() for b in config.brands) if config else ()
    context = Context(
        brands=brands or type(source).check_brands(target),
        sessions=None,
        database_url=config.database_url if config else "sqlite://",  # unused
        politeness=config.crawler.politeness() if config else Politeness(),
        timeout_s=CHECK_TIMEOUT_S,
    )
    try:
        return open_collector(source, context).sample(Check(limit, saved))
    except CollectorError as exc:
        raise click.ClickException(str(exc)) from None
    except (OSError, ValueError) as exc:
        if saved is None:
            raise
        raise click.ClickException(f"{saved}: {exc}") from None


@click.group("source")
def source_group() -> None:
    """Try sources out before scheduling them."""


@source_group.command("check")
@CONFIG_OPTION
@click.argument("target")
@click.option(
    "--type",
    "kind",
    type=click.Choice(list(KINDS)),
    help="The source type, for a URL or file.",
)
@click.option(
    "--recipe", type=click.Choice(sorted(shipped())), help="A shipped recipe (forum)."
)
@click.option(
    "--selectors",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A TOML file holding your own recipe (the keys of [sources.selectors]).",
)
@click.option(
    "--url",
    "page_url",
    help="Where a saved page came from; its links are resolved against it.",
)
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Newest items read, for the types that read a feed or an API.",
)
def check(
    *,
    config_path: Path,
    target: str,
    kind: str | None,
    recipe: str | None,
    selectors: Path | None,
    page_url: str | None,
    limit: int,
) -> None:
    """Fetch a source once and show what Earful would extract from it.

    TARGET is a configured source's name, or with --type a URL, a saved HTML
    file, a Hacker News query, a subreddit, words to search X for (without a
    config), a YouTube video (id or watch URL), a Mastodon hashtag
    (`mstdn.jp/#tag`) or public timeline (`mstdn.jp`), or a Jetstream URL
    (bluesky: the next posts on the firehose, for up to 15 s), or an account or
    page id for instagram, facebook, threads and tiktok; docs/config.md gives
    each type's target. Nothing is stored. Prints each
    post or review (author, date, rating, link, language, first line), the
    brands it matches and, for each empty field, the selector that found
    nothing. Exits 1 when nothing was extracted.
    """
    config = load(config_path) if config_path.exists() else None
    source = _configured(config, target)
    saved: Path | None = None
    if source is None:
        if kind is None:
            known = (
                "no config file" if config is None else f"not a source in {config_path}"
            )
            msg = f"{target!r}: {known}; give --type to check a URL or file"
            raise click.UsageError(msg)
        if settings_class(kind).reads_saved_pages and Path(target).is_file():
            saved = Path(target)
            target = page_url or f"https://saved.invalid/{saved.name}"
        source = _source(_adhoc(kind, target, recipe, selectors))
    result = _run(source, config, saved, limit, target)
    what = f"{source.type} source {source.name}" + (
        f" (saved page {saved})" if saved else ""
    )
    _print_result(what, result)
    if result.get("error"):
        raise click.ClickException(str(result["error"]))
    if not result["items"]:
        raise click.ClickException("nothing extracted; see the warning above")
