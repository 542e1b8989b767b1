"""reply posts: approved replies posted on the mention's network, and their URL

``reply_posts`` is the outbox of public answers: one row per reply drafted
in Slack, with who drafted and who approved it, the final text and the
network; once it went out, the reply's public URL, its id on the network and the time.
``cases.reply_url`` keeps the URL of the reply that made the case ``replied``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: Union[str, Sequence[str], None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("reply_url", sa.String(length=2048), nullable=True))
    op.create_table(
        "reply_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("drafted_by", sa.String(length=100), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.Enum("draft", "approved", "posted", "failed", name="replypoststate", native_enum=False, length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("external_id", sa.String(length=512), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], name=op.f("fk_reply_posts_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_posts")),
    )
    op.create_index("ix_reply_posts_state", "reply_posts", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reply_posts_state", table_name="reply_posts")
    op.drop_table("reply_posts")
    # A plain DROP COLUMN (SQLite >= 3.35): a batch rebuild of cases would
    # trip response_times_view, which reads it.
    op.drop_column("cases", "reply_url")
