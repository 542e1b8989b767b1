"""Alembic environment: runs against the engine Earful passes in, or EARFUL_DATABASE_URL."""

from __future__ import annotations

import os
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine, text

from storage.db import make_engine
from storage.models import Base, UTCDateTime

config = context.config
IGNORED_TABLES = ("mentions_fts", "procrastinate_")
MIGRATION_LOCK = 0x45617266756C  # "Earful": the advisory lock key for migrations


def render_item(
    type_: str, obj: object, autogen_context: AutogenContext
) -> str | Literal[False]:
    """Render our UTCDateTime as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    return make_engine(os.environ.get("EARFUL_DATABASE_URL", "sqlite:///earful.db"))


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the task queue's and full-text tables/indexes out of autogenerate."""
    return not (
        type_ in {"table", "index"} and name and name.startswith(IGNORED_TABLES)
    )


def run_migrations_online() -> None:
    """Run migrations on a live connection (batch mode so SQLite can alter tables)."""
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several daemons may start together on an empty database: the
                # first migrates, the others wait here, then find it up to date.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()
        connection.commit()


run_migrations_online()
