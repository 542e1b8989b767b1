"""drop source leases and the APScheduler job store: one way to coordinate

Several daemons sharing APScheduler's job store (``apscheduler_jobs``), each
taking a lease in ``source_leases`` before it worked, gave way to procrastinate
over PostgreSQL behind the scheduler's advisory lock (one active scheduler at a
time), with SQLite kept to one daemon. Both tables go. ``scheduled_jobs`` takes
the job store's place for what was read from it: each job's schedule and next
run, written by the active scheduler (unpickled state no longer needed). The
next runs held in ``apscheduler_jobs`` are not carried over: on its first start
after this revision the daemon runs each source once at once, as a new job.

The downgrade restores an empty ``source_leases``; the old daemon creates
``apscheduler_jobs`` itself when it starts.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 22:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("source_leases")
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")
    op.create_table(
        "scheduled_jobs",
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("schedule", sa.String(length=500), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_scheduled_jobs")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.create_table(
        "source_leases",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_leases")),
    )
