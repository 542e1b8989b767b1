"""Options and helpers every ``earful`` command shares."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from alerts import SlackDeliverer
from earful.config import (
    DATABASE_URL_ENV,
    Config,
    database_url_problem,
    load_config,
)
from earful.errors import EarfulError
from earful.pipeline import Pipeline
from sentiment import SentimentError
from storage import StorageError, normalize_url, open_database

# Control, format (bidi overrides), surrogate, private-use and line separators.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})

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
READ_DB_OPTION = click.option(
    "--database-url",
    help=(
        "Overrides database_url from the config and EARFUL_DATABASE_URL; "
        "without a config file, this or EARFUL_DATABASE_URL is enough."
    ),
)


def url_without_config(config_path: Path, database_url: str | None) -> str | None:
    """The database to read when there is no config file, else ``None``.

    ``--database-url``, then EARFUL_DATABASE_URL: an analyst handed only the
    URL can query. With a config file present, the config decides as usual.
    """
    if config_path.exists():
        return None
    return database_url or os.environ.get(DATABASE_URL_ENV) or None


def no_database(config_path: Path) -> click.ClickException:
    """The error when there is neither a config file nor a database URL."""
    return click.ClickException(
        f"{config_path}: no such file, and no database URL: pass --database-url or "
        f"set {DATABASE_URL_ENV} to read a database, or copy the example config "
        "from the README"
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
    return normalize_url(database_url)


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


def terminal_safe(text: str) -> str:
    """``text`` without anything a terminal would act on: escapes, controls, bidi.

    Control and format characters (ESC starts ANSI sequences; U+202E turns
    text around) are shown as ``\\x1b``-style escapes; newlines and tabs become
    spaces.
    """
    return "".join(_safe_char(char) for char in text)


def _safe_char(char: str) -> str:
    if char in "\n\t\r":
        return " "
    if unicodedata.category(char) not in _UNSAFE:
        return char
    return f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"  # noqa: PLR2004 - Latin-1


def slack_updater(config: Config) -> SlackDeliverer | None:
    """What rewrites Slack messages (the bot), or None without a bot token."""
    token = config.slack_token
    if token is None:
        return None
    return SlackDeliverer(token.get_secret_value(), base_url=config.slack.base_url)


@contextmanager
def database(url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on ``url`` whose connections are closed when the command is done."""
    sessions = open_database(url)
    try:
        yield sessions
    finally:
        sessions.kw["bind"].dispose()
