"""analyst query indexes: brand matches carry their mention's date

The analyst questions (one brand's daily volume, share of voice) ask for a
brand *and* a period, which lived on two tables: every answer joined each
mention of the period to its brand matches (130,000 look-ups for a quarter of
a million-mention database). Now ``brand_matches.published_at`` copies the
mention's, so two covering indexes answer them without visiting ``mentions``:

- ``ix_brand_matches_brand_published_at`` (brand, published_at, competitor,
  mention_id): one brand over time; SQLite skip-scans it for share of voice.
- ``ix_brand_matches_published_at_brand`` (published_at, brand, competitor):
  every brand in a period (share of voice on PostgreSQL).
- ``ix_sentiment_results_mention_id_model_id_label``: the join to a mention's
  label reads the index alone; it replaces ``ix_sentiment_results_mention_id``.
  With it, PostgreSQL looks up a brand's month of labels (9,000 of a million)
  instead of hashing every score.
- ``ix_brand_matches_brand`` and ``ix_brand_matches_brand_mention_id`` go: the
  first index above serves everything they served.

Triggers keep the copy equal to the mention's for every writer (the ORM, bulk
loads, hand-written SQL): a brand match takes its mention's date when inserted
or moved, and a mention's new date reaches its matches. A rollup table was the
other way; it would need triggers on three tables and still answer only whole
days, so the copy is the simpler of the two. ``mentions`` is not rebuilt, so
its FTS triggers (0002) stay as they are. A later migration that rebuilds
``mentions`` or ``brand_matches`` in batch mode drops these SQLite triggers too
and must create them again (see ``_SQLITE_TRIGGERS``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_MENTION_DATE = "(SELECT m.published_at FROM mentions m WHERE m.id = new.mention_id)"
# WHEN clauses stop the triggers re-firing each other if recursive_triggers is on.
_SQLITE_TRIGGERS = {
    "brand_matches_published_at_ai": f"""
    CREATE TRIGGER brand_matches_published_at_ai AFTER INSERT ON brand_matches
    WHEN new.published_at IS NOT {_MENTION_DATE} BEGIN
        UPDATE brand_matches SET published_at = {_MENTION_DATE} WHERE id = new.id;
    END
    """,
    "brand_matches_published_at_au": f"""
    CREATE TRIGGER brand_matches_published_at_au
    AFTER UPDATE OF mention_id, published_at ON brand_matches
    WHEN new.published_at IS NOT {_MENTION_DATE} BEGIN
        UPDATE brand_matches SET published_at = {_MENTION_DATE} WHERE id = new.id;
    END
    """,
    "mentions_published_at_au": """
    CREATE TRIGGER mentions_published_at_au AFTER UPDATE OF published_at ON mentions
    WHEN new.published_at IS NOT old.published_at BEGIN
        UPDATE brand_matches SET published_at = new.published_at
        WHERE mention_id = new.id;
    END
    """,
}
_PG_FUNCTIONS = [
    f"""
    CREATE FUNCTION brand_matches_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.published_at := {_MENTION_DATE};
        RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION mentions_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE brand_matches SET published_at = NEW.published_at
        WHERE mention_id = NEW.id;
        RETURN NULL;
    END $$
    """,
]
_PG_TRIGGERS = [
    """
    CREATE TRIGGER brand_matches_published_at
    BEFORE INSERT OR UPDATE OF mention_id, published_at ON brand_matches
    FOR EACH ROW EXECUTE FUNCTION brand_matches_published_at()
    """,
    """
    CREATE TRIGGER mentions_published_at AFTER UPDATE OF published_at ON mentions
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION mentions_published_at()
    """,
]


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("brand_matches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE brand_matches SET published_at ="
        " (SELECT m.published_at FROM mentions m WHERE m.id = brand_matches.mention_id)"
    )
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _SQLITE_TRIGGERS.values():
            op.execute(trigger)
    else:
        for statement in (*_PG_FUNCTIONS, *_PG_TRIGGERS):
            op.execute(statement)
    with op.batch_alter_table("brand_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_brand_matches_brand_mention_id")
        batch_op.drop_index("ix_brand_matches_brand")
        batch_op.create_index(
            "ix_brand_matches_brand_published_at",
            ["brand", "published_at", "competitor", "mention_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_brand_matches_published_at_brand",
            ["published_at", "brand", "competitor"],
            unique=False,
        )
    with op.batch_alter_table("sentiment_results", schema=None) as batch_op:
        batch_op.drop_index("ix_sentiment_results_mention_id")
        batch_op.create_index(
            "ix_sentiment_results_mention_id_model_id_label",
            ["mention_id", "model_id", "label"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sentiment_results", schema=None) as batch_op:
        batch_op.drop_index("ix_sentiment_results_mention_id_model_id_label")
        batch_op.create_index(
            "ix_sentiment_results_mention_id", ["mention_id"], unique=False
        )
    with op.batch_alter_table("brand_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_brand_matches_published_at_brand")
        batch_op.drop_index("ix_brand_matches_brand_published_at")
        batch_op.create_index("ix_brand_matches_brand", ["brand"], unique=False)
        batch_op.create_index(
            "ix_brand_matches_brand_mention_id", ["brand", "mention_id"], unique=False
        )
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER mentions_published_at ON mentions")
        op.execute("DROP TRIGGER brand_matches_published_at ON brand_matches")
        op.execute("DROP FUNCTION mentions_published_at()")
        op.execute("DROP FUNCTION brand_matches_published_at()")
    # Not in batch: rebuilding brand_matches would trip over mention_view on SQLite.
    op.execute("ALTER TABLE brand_matches DROP COLUMN published_at")
