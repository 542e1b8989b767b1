"""published precision: a date the source gave only to the month or the year

食べログ shows the month of a visit, some feeds only a year. Such a date is
stored as the first day of its month (or year) with ``published_precision``
saying so (``"month"``, ``"year"``; ``"day"`` for a date without a time), so
charts and KPIs can tell a month-only date from one posted on the 1st. NULL
means the source gave a time, or the row predates this column.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 18:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("mentions", sa.Column("published_precision", sa.String(8)))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35): a batch rebuild of mentions would
    # trip the triggers that keep brand_matches' copies.
    op.drop_column("mentions", "published_precision")
