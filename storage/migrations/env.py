"""Alembic environment: runs against the engine Earful passes in, or EARFUL_DATABASE_URL."""

from __future__ import annotations

import os
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine, create_engine

from storage.models import Base, UTCDateTime

config = context.config


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
    return create_engine(os.environ.get("EARFUL_DATABASE_URL", "sqlite:///earful.db"))


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
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
