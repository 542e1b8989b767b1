"""Engine and session factory, migrations on first use, URL redaction."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

from storage.errors import DatabaseMissingError, DatabaseUnavailableError
from storage.folding import register_sqlite_fold
from storage.localtime import register_sqlite_local_date

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///earful.db"


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe for logs and errors."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    register_sqlite_fold(dbapi_conn)
    register_sqlite_local_date(dbapi_conn)


def normalize_url(url: str) -> str:
    """``url`` with ``postgres://`` and a driverless ``postgresql://`` on psycopg 3.

    Heroku, Render and libpq's own docs write ``postgres://``, which SQLAlchemy
    no longer accepts, and a driverless URL would ask for psycopg2, which
    Earful does not install.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def missing_database(url: str) -> str | None:
    """Why the SQLite file ``url`` names is not there (naming the path), else None."""
    parsed = make_url(normalize_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    path = Path(database).expanduser()
    if path.is_file():
        return None
    if not path.parent.is_dir():
        why = f"the folder {path.parent} does not exist"
    else:
        why = "no such file"
    return (
        f"no database at {path}: {why} (check the path; `earful run --once` "
        "creates the database)"
    )


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL, a busy timeout and ``earful_fold``."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the packaged migrations and ``engine``."""
    from alembic.config import Config  # noqa: PLC0415 - only where a schema changes

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; a no-op when already there."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        url = redact_url(engine.url.render_as_string(hide_password=False))
        msg = f"cannot open database {url}: {exc.orig}"
        raise DatabaseUnavailableError(msg) from None
    from alembic import command  # noqa: PLC0415 - only where a schema changes

    with _migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time on a SQLite file (PostgreSQL: see env.py).

    SQLite runs Alembic's DDL outside one transaction, so two processes on a
    new file could both create the tables; an exclusive lock on a file beside
    the database serialises them (the second finds the schema up to date).
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    lock_path = (
        Path(database).expanduser().with_name(Path(database).name + ".migrate-lock")
    )
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def open_database(url: str = DEFAULT_URL) -> sessionmaker[Session]:
    """Create the engine, bring the schema up to date, and return a sessionmaker."""
    engine = make_engine(url)
    upgrade(engine)
    return make_sessionmaker(engine)


def open_existing_database(url: str) -> sessionmaker[Session]:
    """``open_database`` for commands that only read: a missing SQLite file is an error.

    A mistyped path (``sqlite:///earfull.db``) would otherwise create an empty
    database, folders and all, and answer with an empty table. Raises
    ``DatabaseMissingError`` naming the path; nothing is created.
    """
    if (problem := missing_database(url)) is not None:
        raise DatabaseMissingError(problem)
    return open_database(url)
