"""task queue: procrastinate's tables, for the scheduler and worker roles

``earful run --role scheduler|worker`` queue and run jobs through procrastinate,
whose queue lives in the same PostgreSQL database (``procrastinate_jobs``,
``procrastinate_workers``, ``procrastinate_events``,
``procrastinate_periodic_defers``, their types and functions). Its schema is
applied here, so ``earful db upgrade`` (or the first start of any role) is the
one command an operator runs, under the migration advisory lock that keeps
processes starting together from racing. SQLite has no roles: nothing to do.
The schema is the installed procrastinate's own ``schema.sql``; a procrastinate
release that changes it comes with an Earful migration applying its migrations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 05:40:00

"""
from typing import Sequence, Union

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("events", "periodic_defers", "jobs", "workers")
TYPES = ("job_event_type", "job_status", "job_to_defer_v1")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Driver-level: the schema has PL/pgSQL with % and : that are not parameters.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
    op.execute(
        """
        DO $$ DECLARE f record; BEGIN
          FOR f IN SELECT oid::regprocedure AS sig FROM pg_proc
                   WHERE proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';
          END LOOP;
        END $$
        """
    )
    for type_ in TYPES:
        op.execute(f"DROP TYPE IF EXISTS procrastinate_{type_} CASCADE")
