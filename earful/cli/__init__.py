"""The ``earful`` command line: the one package that prints and chooses exit codes.

Each module here holds the commands of one job; this one assembles the group.
Domain errors become ``click.ClickException`` ("Error: …", exit 1); bad usage
exits 2.
"""

from __future__ import annotations

import logging
import sys

import click

from earful.cli.alerts import alerts_group
from earful.cli.analyst import dashboard, mentions, stats
from earful.cli.cases import release_command, show_command
from earful.cli.export import datasette_metadata_command, export
from earful.cli.run import config_group, db_group, demo, run
from earful.cli.sentiment import sentiment_group
from earful.cli.source import source_group
from earful.cli.status import status

__all__ = ["main"]


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


for command in (
    demo,
    run,
    config_group,
    db_group,
    sentiment_group,
    mentions,
    export,
    stats,
    dashboard,
):
    main.add_command(command)
main.add_command(alerts_group)
alerts_group.add_command(show_command)
alerts_group.add_command(release_command)
db_group.add_command(datasette_metadata_command)
main.add_command(status)
main.add_command(source_group)
