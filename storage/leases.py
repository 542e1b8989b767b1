"""Leases on sources and jobs, so several daemons on one database never run one twice.

Why a lease table rather than PostgreSQL advisory locks or row locks: a lease
(``source_leases``: source, owner, expires_at) works the same on SQLite and
PostgreSQL, holds no connection or transaction open for the length of a crawl
(which may run for minutes in a child process), survives a crashed holder by
simply expiring, and can be read by ``earful status``. An advisory lock would
pin one pooled connection per running crawl and vanish silently when that
connection drops; a ``FOR UPDATE`` row lock would hold a transaction open
across the crawl.

A lease is taken with one atomic statement: ``INSERT … ON CONFLICT (source) DO
UPDATE … WHERE source_leases.expires_at < now OR source_leases.owner = me
RETURNING source``. Exactly one of several racing daemons gets a row back; the
others see the live lease and skip their run. The holder deletes it when done;
if it dies, the lease expires after its time-to-live and another daemon takes
over. Holders choose a time-to-live longer than the work can run (a crawl is
killed at its timeout, so its lease outlives it).

The caller owns the transaction and should commit right after acquiring.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SourceLease, utcnow

__all__ = ["acquire_lease", "live_leases", "release_lease"]


def acquire_lease(
    session: Session,
    name: str,
    owner: str,
    ttl_s: float,
    *,
    now: datetime | None = None,
) -> bool:
    """Take (or renew) the lease on ``name`` for ``ttl_s`` seconds; False if held.

    Atomic on SQLite and PostgreSQL: of several daemons racing for one free
    lease, exactly one gets True.
    """
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_s)
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = SourceLease.__table__
    stmt = module.insert(table).values(source=name, owner=owner, expires_at=expires)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.source],
        set_={"owner": owner, "expires_at": expires},
        where=or_(table.c.expires_at < now, table.c.owner == owner),
    ).returning(table.c.source)
    return session.execute(stmt).first() is not None


def release_lease(session: Session, name: str, owner: str) -> None:
    """Give the lease on ``name`` back, if ``owner`` still holds it."""
    session.execute(
        delete(SourceLease).where(
            SourceLease.source == name, SourceLease.owner == owner
        )
    )


def live_leases(session: Session, *, now: datetime | None = None) -> dict[str, str]:
    """Unexpired leases: the name of each leased source or job and its owner."""
    now = now or utcnow()
    rows = session.execute(
        select(SourceLease.source, SourceLease.owner).where(
            SourceLease.expires_at >= now
        )
    )
    return {row.source: row.owner for row in rows}
