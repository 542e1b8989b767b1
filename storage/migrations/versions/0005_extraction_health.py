"""extraction health: what each crawl run fetched, extracted and matched

A run that fetched pages but extracted nothing used to look like a quiet day:
``status = 'ok'`` and no mentions. ``crawl_runs`` now keeps how many pages were
fetched, how many posts or reviews were extracted and how many named a brand,
plus the run's warnings (problems that lost nothing, and the reason a run came
out empty). Such a run has ``status = 'empty'``. ``source_health_view`` shows
the new columns; its last success still counts only ``ok`` runs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = ("pages_fetched", "items_extracted", "items_matched")
_VIEW = """
CREATE VIEW source_health_view AS
SELECT r.source, r.started_at, r.finished_at, r.status, r.items_seen, r.items_new,
       r.error{extra},
       (SELECT max(o.finished_at) FROM crawl_runs o
        WHERE o.source = r.source AND o.status = 'ok') AS last_success_at
FROM crawl_runs r
WHERE r.id = (SELECT max(l.id) FROM crawl_runs l WHERE l.source = r.source)
"""
_NEW = ", r.warning, r.pages_fetched, r.items_extracted, r.items_matched"


def upgrade() -> None:
    """Upgrade schema."""
    # The view names crawl_runs' columns; SQLite checks it when a column is added.
    op.execute("DROP VIEW source_health_view")
    for name in _COLUMNS:
        op.add_column("crawl_runs", sa.Column(name, sa.Integer(), nullable=True))
    op.add_column("crawl_runs", sa.Column("warning", sa.Text(), nullable=True))
    op.execute(_VIEW.format(extra=_NEW))


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW source_health_view")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("warning")
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
    op.execute(_VIEW.format(extra=""))
