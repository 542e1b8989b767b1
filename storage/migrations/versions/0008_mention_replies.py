"""mention replies: the public answer under a post, and when it was given

A Google Play review can carry the developer's reply. ``mentions.reply_text``
and ``mentions.replied_at`` keep it, so alerts can show that a review was
answered and analysts can count the answered ones. Both are nullable columns
added in place (SQLite's ``ALTER TABLE ADD COLUMN``), so ``mentions`` is not
rebuilt and its triggers (0002, 0003) stay as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("mentions", sa.Column("reply_text", sa.Text(), nullable=True))
    op.add_column("mentions", sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions", recreate="never") as batch:
        batch.drop_column("replied_at")
        batch.drop_column("reply_text")
