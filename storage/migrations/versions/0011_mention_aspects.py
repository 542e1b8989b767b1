"""mention aspects: what each mention is about, and its polarity there

``mention_aspects`` holds one row per mention, sentiment model, aspect
(delivery, price, support, quality, usability or a team's own) and brand, with
the polarity of the clause that names it. Like ``brand_matches`` (0003) it
keeps a copy of the mention's ``published_at``, so a brand's aspects in a
period read one covering index; a trigger carries a mention's new date to its
aspect rows (Earful writes the copy on insert). ``aspect_view`` adds the
source and text for analysts. A new table, view and trigger only: no existing
table is rebuilt, so the triggers of 0002 and 0003 stay as they are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_ASPECT_VIEW = """
CREATE VIEW aspect_view AS
SELECT a.mention_id, a.brand, b.competitor, m.source, m.source_type, m.language,
       m.published_at, a.model_id, a.aspect, a.label AS polarity, a.negative,
       a.basis, m.url, m.title, m.text
FROM mention_aspects a
JOIN mentions m ON m.id = a.mention_id
JOIN brand_matches b ON b.mention_id = a.mention_id AND b.brand = a.brand
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER mentions_aspects_published_at_au AFTER UPDATE OF published_at ON mentions
WHEN new.published_at IS NOT old.published_at BEGIN
    UPDATE mention_aspects SET published_at = new.published_at WHERE mention_id = new.id;
END
"""
_PG_FUNCTION = """
CREATE FUNCTION mention_aspects_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mention_aspects SET published_at = NEW.published_at WHERE mention_id = NEW.id;
    RETURN NULL;
END $$
"""
_PG_TRIGGER = """
CREATE TRIGGER mentions_aspects_published_at AFTER UPDATE OF published_at ON mentions
FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
EXECUTE FUNCTION mention_aspects_published_at()
"""
_INDEXES = {
    "ix_mention_aspects_model_id_brand_published_at": [
        "model_id", "brand", "published_at", "aspect", "label",
    ],
    "ix_mention_aspects_model_id_published_at": [
        "model_id", "published_at", "brand", "aspect", "label",
    ],
}


def upgrade() -> None:
    op.create_table(
        "mention_aspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=256), nullable=False),
        sa.Column("aspect", sa.String(length=64), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("negative", sa.Float(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
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
            "brand",
            name=op.f("uq_mention_aspects_mention_id_model_id_aspect_brand"),
        ),
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, "mention_aspects", columns)
    op.execute(_ASPECT_VIEW)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_TRIGGER)
    else:
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER mentions_aspects_published_at_au")
    else:
        op.execute("DROP TRIGGER mentions_aspects_published_at ON mentions")
        op.execute("DROP FUNCTION mention_aspects_published_at()")
    op.execute("DROP VIEW aspect_view")
    for name in _INDEXES:
        op.drop_index(name, table_name="mention_aspects")
    op.drop_table("mention_aspects")
