"""daemon liveness: a heartbeat per running daemon and each job's last run

``daemon_heartbeats`` (owner, started_at, beat_at) lets ``earful status`` tell
a live daemon from one that died or hangs; ``job_runs`` keeps the last start,
finish and error of every scheduled job.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "daemon_heartbeats",
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_daemon_heartbeats")),
    )
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("daemon_heartbeats")
