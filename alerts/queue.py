"""Queue one alert row: the insert that mention, flood, spike and digest alerts share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Alert, AlertKind, AlertState, utcnow


def insert_alert(session: Session, values: dict[str, Any]) -> bool:
    """Insert a pending alert unless its (mention, channel) or (channel, key) exists.

    A conflict is skipped rather than raised, so two processes racing to queue
    the same alert leave one row. Returns True if the row is new.
    """
    values = {
        "state": AlertState.PENDING,
        "attempts": 0,
        "created_at": utcnow(),
        "kind": AlertKind.MENTION,
        "urgent": False,
        **values,
    }
    dialect = session.get_bind().dialect.name
    stmt: Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(Alert).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(Alert).values(values).on_conflict_do_nothing()
    else:  # no ON CONFLICT: a savepoint keeps the caller's transaction usable
        try:
            with session.begin_nested():
                session.add(Alert(**values))
        except IntegrityError:
            return False
        return True
    result = session.execute(stmt.returning(Alert.id))
    return result.scalar_one_or_none() is not None
