"""Migration 0015 drops the source leases and APScheduler's job store, and back."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text

from storage import make_engine, upgrade
from storage.db import alembic_config

# The table APScheduler 3's SQLAlchemyJobStore creates for itself.
JOBS = sa.Table(
    "apscheduler_jobs",
    sa.MetaData(),
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)


def tables(engine: sa.Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_leases_and_the_job_store_go_and_come_back(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0014")
    JOBS.create(engine)
    with engine.begin() as conn:
        conn.execute(
            JOBS.insert().values(id="score", next_run_time=1.0, job_state=b"x")
        )
        conn.execute(
            text(
                "INSERT INTO source_leases (source, owner, expires_at) "
                "VALUES ('source:acme', 'host:1:a', '2026-12-07 22:00:00+00:00')"
            )
        )
    upgrade(engine)
    after = tables(engine)
    assert {"source_leases", "apscheduler_jobs"} & after == set()
    assert "scheduled_jobs" in after
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO scheduled_jobs (job, schedule, next_run_at) "
                "VALUES ('score', 'interval[0:05:00] jitter=None', NULL)"
            )
        )
    command.downgrade(alembic_config(engine), "0014")
    before = tables(engine)
    assert "scheduled_jobs" not in before
    assert "source_leases" in before  # empty: leases held then are long expired
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM source_leases")) == 0
    upgrade(engine)
    assert "scheduled_jobs" in tables(engine)
    command.check(alembic_config(engine))  # the models match the migrations
    engine.dispose()
