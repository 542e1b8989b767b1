"""replied index: the few mentions answered in public, for the brand comparison

``earful stats --compare`` and the dashboard's Compare page set each brand's
public answers (``mentions.replied_at``: developer replies under Google Play
reviews) beside its competitors'. Few mentions carry one, so a partial index on
(``published_at``, ``replied_at``), holding only the answered mentions, covers
the comparison's read of a period: without it SQLite read every mention of the
period (130,000 look-ups for a quarter on the benchmark). Index only: no table
is rebuilt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 06:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    where = sa.text("replied_at IS NOT NULL")
    op.create_index(
        "ix_mentions_answered",
        "mentions",
        ["published_at", "replied_at"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_mentions_answered", table_name="mentions")
