"""Options and helpers every ``earful`` command shares."""

from __future__ import annotations

from pathlib import Path

import click

from earful.config import Config, database_url_problem, load_config
from earful.errors import EarfulError
from earful.pipeline import Pipeline
from sentiment import SentimentError
from storage import StorageError

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


def load(config_path: Path, database_url: str | None = None) -> Config:
    """The validated config, with ``--database-url`` applied; errors exit 1."""
    try:
        config = load_config(config_path)
    except EarfulError as exc:
        raise click.ClickException(str(exc)) from None
    if database_url:
        config = config.model_copy(update={"database_url": checked_url(database_url)})
    return config


def checked_url(database_url: str) -> str:
    """``--database-url`` if Earful can use it; a usage error (exit 2) if not."""
    if (problem := database_url_problem(database_url)) is not None:
        raise click.BadParameter(problem, param_hint="'--database-url'")
    return database_url


def require_secrets(config: Config, origin: Path) -> None:
    """Exit 1 naming every secret variable the config names that is unset."""
    if problems := config.unset_secrets():
        raise click.ClickException(
            "\n".join(f"{origin}: {problem}" for problem in problems)
        )


def open_pipeline(config: Config) -> Pipeline:
    """The pipeline for ``config``; an unreachable database or model exits 1."""
    try:
        return Pipeline(config)
    except (StorageError, SentimentError) as exc:
        raise click.ClickException(str(exc)) from None
