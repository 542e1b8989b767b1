"""``earful export``: mentions, scores, brand matches or alerts to Parquet, CSV or JSONL."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from earful.cli.analyst import (
    analyst_for,
    analyst_options,
    mention_filters,
    mention_query,
    session_for,
)
from earful.datasette import datasette_metadata
from earful.export import FORMATS, CsvWriter, JsonlWriter, ParquetWriter, Writer
from storage.export import TABLES, count_rows, iter_records


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        suffix = output.suffix.lstrip(".").lower() if output else ""
        fmt = suffix if suffix in FORMATS else "jsonl" if output is None else None
    if fmt is None:
        msg = f"cannot tell the format from {output}: give --format ({', '.join(FORMATS)})"
        raise click.UsageError(msg)
    if fmt == "parquet" and output is None:
        msg = "Parquet is binary: give --output FILE.parquet"
        raise click.UsageError(msg)
    return fmt


def _writer(fmt: str, output: Path | None, table: str, out: Any) -> Writer:
    columns = TABLES[table]
    if fmt == "parquet":
        assert output is not None  # noqa: S101 - _format requires it
        return ParquetWriter(output, columns)
    if fmt == "csv":
        return CsvWriter(out, columns)
    return JsonlWriter(out, columns)


@click.command("export")
@click.argument("table", type=click.Choice(list(TABLES)), default="mentions")
@analyst_options
@mention_filters
@click.option("--limit", type=click.IntRange(0), default=0, show_default=True,
              help="At most this many mentions (0: all).")  # fmt: skip
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Default: from the --output suffix, else jsonl.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (standard output for CSV and JSONL without it).",
)
@click.option("--batch-size", type=click.IntRange(1), default=5000, show_default=True,
              help="Rows read and written at a time; memory holds one batch.")  # fmt: skip
@click.option("--progress/--no-progress", default=None,
              help="A progress bar on standard error (default: when it is a terminal).")  # fmt: skip
def export(
    *,
    table: str,
    config_path: Path,
    database_url: str | None,
    model: str | None,
    limit: int,
    fmt: str | None,
    output: Path | None,
    batch_size: int,
    progress: bool | None,
    **filters: Any,
) -> None:
    """Export TABLE (mentions, scores, brand-matches or alerts) for the mentions found.

    The filters are those of `earful mentions`. Parquet keeps the types
    (UTC timestamps, floats, brands and terms as lists); rows stream in batches,
    so memory stays flat however large the export.
    """
    fmt = _format(fmt, output)
    analyst = analyst_for(config_path, database_url, model)
    query = mention_query(analyst, filters, limit)
    stderr = sys.stderr
    show = stderr.isatty() if progress is None else progress
    written = 0
    with session_for(analyst) as session, ExitStack() as stack:
        out = None
        if fmt != "parquet":  # Parquet opens its file itself, in binary
            out = stack.enter_context(
                click.open_file(str(output or "-"), "w", encoding="utf-8")
            )
        total = count_rows(session, table, query)
        writer = _writer(fmt, output, table, out)
        with click.progressbar(
            length=total, label=table, file=stderr, hidden=not show
        ) as bar:
            for records in iter_records(session, table, query, batch_size):
                writer.write(records)
                written += len(records)
                bar.update(len(records))
        writer.close()
    if output is not None:
        click.echo(f"{written} {table} rows written to {output}", err=True)


@click.command("datasette-metadata")
@click.option("--database", default="earful", show_default=True,
              help="The name Datasette gives the database: its file name without .db.")  # fmt: skip
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def datasette_metadata_command(database: str, output: Path | None) -> None:
    """Write Datasette metadata: the views described, with facets and search.

    Then: datasette earful.db -m metadata.json (Datasette is not installed
    with Earful; pip install datasette).
    """
    text = json.dumps(datasette_metadata(database), indent=2, ensure_ascii=False)
    with click.open_file(str(output or "-"), "w", encoding="utf-8") as out:
        out.write(text + "\n")
