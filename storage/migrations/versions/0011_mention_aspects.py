"""mention aspects: what each mention is about, and its polarity there

``mention_aspects`` holds one row per mention, sentiment model and aspect
(delivery, price, support, quality, usability or a team's own), with the
polarity of the clause that names it. ``aspect_view`` joins it to the brand,
source and date for analysts. A new table and a new view only: no existing
table is rebuilt, so the triggers of 0002 and 0003 stay as they are.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01 05:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_ASPECT_VIEW = """
CREATE VIEW aspect_view AS
SELECT a.mention_id, b.brand, b.competitor, m.source, m.source_type, m.language,
       m.published_at, a.model_id, a.aspect, a.label AS polarity, a.negative,
       a.basis, m.url, m.title, m.text
FROM mention_aspects a
JOIN mentions m ON m.id = a.mention_id
JOIN brand_matches b ON b.mention_id = a.mention_id
"""


def upgrade() -> None:
    op.create_table(
        "mention_aspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=256), nullable=False),
        sa.Column("aspect", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("negative", sa.Float(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_aspects_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_aspects")),
        sa.UniqueConstraint(
            "mention_id",
            "model_id",
            "aspect",
            name=op.f("uq_mention_aspects_mention_id_model_id_aspect"),
        ),
    )
    op.create_index(
        "ix_mention_aspects_mention_id_model_id_aspect_label",
        "mention_aspects",
        ["mention_id", "model_id", "aspect", "label"],
    )
    op.execute(_ASPECT_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW aspect_view")
    op.drop_index(
        "ix_mention_aspects_mention_id_model_id_aspect_label",
        table_name="mention_aspects",
    )
    op.drop_table("mention_aspects")
