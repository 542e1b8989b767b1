"""compare rollup: brand matches, labels and aspects counted per brand and UTC day

The quarter's comparison over every brand joined each brand match of the
quarter to its label (130,000 look-ups a quarter at a million mentions): 578 to
1,278 ms on SQLite and 628 ms on PostgreSQL, against goals of 200 and 100 ms.
Three tables now hold those counts ahead, per UTC day (the comparison's days are
UTC days, ``storage.stats.bucket``):

- ``brand_days`` (day, brand, competitor): brand matches;
- ``brand_day_labels`` (model_id, day, brand, label): brand matches by label;
- ``brand_day_aspects`` (model_id, day, brand, aspect, label): aspect rows,
  the comparison's (and the aspect charts') other quarter-long read.

Triggers on ``brand_matches``, ``sentiment_results`` and ``mention_aspects``
(which 0011's trigger re-dates with its mention) keep them exact for
every writer (the ORM, the scorer, hygiene, bulk loads, hand-written SQL) in
the writer's own transaction: a late mention, a rescore (a new or changed
``sentiment_results`` row), a re-attribution (a match added, removed or moved),
a new date (0003's triggers move ``brand_matches.published_at``, which moves
the counts) and a deletion (cascades fire the triggers on both backends). A
count of 0 stays as a row. Upkeep in each writer was the other way; it would
miss the cascades, the date triggers and hand-written SQL.

A comparison reads the whole days of its window here and the partial days at
its edges from the rows themselves (``storage.rollup``). Undated rows are not
counted. A later migration that rebuilds ``brand_matches``,
``sentiment_results`` or ``mention_aspects`` in batch mode drops these SQLite
triggers and must create them again (``_SQLITE_TRIGGERS``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_UPSERT = "DO UPDATE SET mentions = mentions + excluded.mentions;"


def _sqlite_match(row: str, sign: int) -> str:
    """Count a brand match ``row`` (new/old) in or out of both tables."""
    return f"""
    INSERT INTO brand_days (day, brand, competitor, mentions)
    SELECT date({row}.published_at), {row}.brand, {row}.competitor, {sign}
    WHERE {row}.published_at IS NOT NULL
    ON CONFLICT (day, brand, competitor) {_UPSERT}
    INSERT INTO brand_day_labels (model_id, day, brand, label, mentions)
    SELECT s.model_id, date({row}.published_at), {row}.brand, s.label, {sign}
    FROM sentiment_results s
    WHERE s.mention_id = {row}.mention_id AND {row}.published_at IS NOT NULL
    ON CONFLICT (model_id, day, brand, label) {_UPSERT}
    """


def _sqlite_score(row: str, sign: int) -> str:
    """Count a verdict ``row`` (new/old) in or out, once per brand its mention names."""
    return f"""
    INSERT INTO brand_day_labels (model_id, day, brand, label, mentions)
    SELECT {row}.model_id, date(b.published_at), b.brand, {row}.label, {sign}
    FROM brand_matches b
    WHERE b.mention_id = {row}.mention_id AND b.published_at IS NOT NULL
    ON CONFLICT (model_id, day, brand, label) {_UPSERT}
    """


def _sqlite_aspect(row: str, sign: int) -> str:
    """Count an aspect ``row`` (new/old) in or out."""
    return f"""
    INSERT INTO brand_day_aspects (model_id, day, brand, aspect, label, mentions)
    SELECT {row}.model_id, date({row}.published_at), {row}.brand, {row}.aspect,
           {row}.label, {sign}
    WHERE {row}.published_at IS NOT NULL
    ON CONFLICT (model_id, day, brand, aspect, label) {_UPSERT}
    """


_MATCH_COLUMNS = "mention_id, brand, competitor, published_at"
_SCORE_COLUMNS = "mention_id, model_id, label"
_ASPECT_COLUMNS = "model_id, brand, aspect, label, published_at"
_SQLITE_TRIGGERS = {
    "brand_days_ai": "AFTER INSERT ON brand_matches"
    f" BEGIN {_sqlite_match('new', 1)} END",
    "brand_days_ad": "AFTER DELETE ON brand_matches"
    f" BEGIN {_sqlite_match('old', -1)} END",
    "brand_days_au": f"AFTER UPDATE OF {_MATCH_COLUMNS} ON brand_matches"
    f" BEGIN {_sqlite_match('old', -1)} {_sqlite_match('new', 1)} END",
    "brand_day_labels_ai": "AFTER INSERT ON sentiment_results"
    f" BEGIN {_sqlite_score('new', 1)} END",
    "brand_day_labels_ad": "AFTER DELETE ON sentiment_results"
    f" BEGIN {_sqlite_score('old', -1)} END",
    "brand_day_labels_au": f"AFTER UPDATE OF {_SCORE_COLUMNS} ON sentiment_results"
    f" BEGIN {_sqlite_score('old', -1)} {_sqlite_score('new', 1)} END",
    "brand_day_aspects_ai": "AFTER INSERT ON mention_aspects"
    f" BEGIN {_sqlite_aspect('new', 1)} END",
    "brand_day_aspects_ad": "AFTER DELETE ON mention_aspects"
    f" BEGIN {_sqlite_aspect('old', -1)} END",
    "brand_day_aspects_au": f"AFTER UPDATE OF {_ASPECT_COLUMNS} ON mention_aspects"
    f" BEGIN {_sqlite_aspect('old', -1)} {_sqlite_aspect('new', 1)} END",
}

_PG_DAY = "({0} AT TIME ZONE 'UTC')::date"
_PG_FUNCTIONS = {
    # $1 mention, $2 brand, $3 competitor, $4 published_at, $5 +1 or -1
    "brand_days_add(integer, text, boolean, timestamptz, integer)": f"""
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO brand_days AS t (day, brand, competitor, mentions)
    VALUES ({_PG_DAY.format("$4")}, $2, $3, $5)
    ON CONFLICT (day, brand, competitor)
    DO UPDATE SET mentions = t.mentions + excluded.mentions;
    INSERT INTO brand_day_labels AS t (model_id, day, brand, label, mentions)
    SELECT s.model_id, {_PG_DAY.format("$4")}, $2, s.label, $5
    FROM sentiment_results s WHERE s.mention_id = $1
    ON CONFLICT (model_id, day, brand, label)
    DO UPDATE SET mentions = t.mentions + excluded.mentions;
    $$
    """,
    # $1 mention, $2 model, $3 label, $4 +1 or -1
    "brand_day_labels_add(integer, text, text, integer)": f"""
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO brand_day_labels AS t (model_id, day, brand, label, mentions)
    SELECT $2, {_PG_DAY.format("b.published_at")}, b.brand, $3, $4
    FROM brand_matches b WHERE b.mention_id = $1 AND b.published_at IS NOT NULL
    ON CONFLICT (model_id, day, brand, label)
    DO UPDATE SET mentions = t.mentions + excluded.mentions;
    $$
    """,
    # NEW is unset on DELETE and OLD on INSERT: test TG_OP before either.
    "brand_days_sync()": """
    RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.published_at IS NOT NULL THEN
                PERFORM brand_days_add(OLD.mention_id, OLD.brand, OLD.competitor,
                                       OLD.published_at, -1);
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.published_at IS NOT NULL THEN
                PERFORM brand_days_add(NEW.mention_id, NEW.brand, NEW.competitor,
                                       NEW.published_at, 1);
            END IF;
        END IF;
        RETURN OLD;
    END $$
    """,
    "brand_day_labels_sync()": """
    RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM brand_day_labels_add(OLD.mention_id, OLD.model_id, OLD.label, -1);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM brand_day_labels_add(NEW.mention_id, NEW.model_id, NEW.label, 1);
        END IF;
        RETURN OLD;
    END $$
    """,
    # $1 model, $2 published_at, $3 brand, $4 aspect, $5 label, $6 +1 or -1
    "brand_day_aspects_add(text, timestamptz, text, text, text, integer)": f"""
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO brand_day_aspects AS t (model_id, day, brand, aspect, label, mentions)
    SELECT $1, {_PG_DAY.format("$2")}, $3, $4, $5, $6 WHERE $2 IS NOT NULL
    ON CONFLICT (model_id, day, brand, aspect, label)
    DO UPDATE SET mentions = t.mentions + excluded.mentions;
    $$
    """,
    "brand_day_aspects_sync()": """
    RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM brand_day_aspects_add(OLD.model_id, OLD.published_at, OLD.brand,
                                          OLD.aspect, OLD.label, -1);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM brand_day_aspects_add(NEW.model_id, NEW.published_at, NEW.brand,
                                          NEW.aspect, NEW.label, 1);
        END IF;
        RETURN OLD;
    END $$
    """,
}


def _pg_changed(columns: str) -> str:
    old = ", ".join(f"OLD.{c}" for c in columns.split(", "))
    new = ", ".join(f"NEW.{c}" for c in columns.split(", "))
    return f"WHEN (({old}) IS DISTINCT FROM ({new}))"


# Deletes count out BEFORE the row goes: a mention's deletion cascades to both
# tables, and AFTER triggers would all run once both rows were gone, each
# finding no partner to count out. (Returning OLD lets the delete proceed.)
_PG_TRIGGERS = {
    "brand_days_insert": ("brand_matches", "AFTER INSERT", ""),
    "brand_days_update": ("brand_matches", "AFTER UPDATE", _pg_changed(_MATCH_COLUMNS)),
    "brand_days_delete": ("brand_matches", "BEFORE DELETE", ""),
    "brand_day_labels_insert": ("sentiment_results", "AFTER INSERT", ""),
    "brand_day_labels_update": (
        "sentiment_results", "AFTER UPDATE", _pg_changed(_SCORE_COLUMNS)
    ),
    "brand_day_labels_delete": ("sentiment_results", "BEFORE DELETE", ""),
    "brand_day_aspects_insert": ("mention_aspects", "AFTER INSERT", ""),
    "brand_day_aspects_update": (
        "mention_aspects", "AFTER UPDATE", _pg_changed(_ASPECT_COLUMNS)
    ),
    "brand_day_aspects_delete": ("mention_aspects", "BEFORE DELETE", ""),
}


def _backfill(day: str) -> list[str]:
    """The counts of the rows already there; ``day`` formats a column as its UTC day."""
    return [
        "INSERT INTO brand_days (day, brand, competitor, mentions)"
        f" SELECT {day.format('published_at')}, brand, competitor, count(*)"
        " FROM brand_matches WHERE published_at IS NOT NULL"
        f" GROUP BY {day.format('published_at')}, brand, competitor",
        "INSERT INTO brand_day_labels (model_id, day, brand, label, mentions)"
        f" SELECT s.model_id, {day.format('b.published_at')}, b.brand, s.label,"
        " count(*) FROM brand_matches b"
        " JOIN sentiment_results s ON s.mention_id = b.mention_id"
        " WHERE b.published_at IS NOT NULL"
        f" GROUP BY s.model_id, {day.format('b.published_at')}, b.brand, s.label",
        "INSERT INTO brand_day_aspects (model_id, day, brand, aspect, label, mentions)"
        f" SELECT model_id, {day.format('published_at')}, brand, aspect, label,"
        " count(*) FROM mention_aspects WHERE published_at IS NOT NULL"
        f" GROUP BY model_id, {day.format('published_at')}, brand, aspect, label",
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "brand_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("competitor", sa.Boolean(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "brand", "competitor", name=op.f("pk_brand_days")),
    )
    op.create_table(
        "brand_day_labels",
        sa.Column("model_id", sa.String(length=256), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "model_id", "day", "brand", "label", name=op.f("pk_brand_day_labels")
        ),
    )
    op.create_table(
        "brand_day_aspects",
        sa.Column("model_id", sa.String(length=256), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("aspect", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "model_id", "day", "brand", "aspect", "label",
            name=op.f("pk_brand_day_aspects"),
        ),
    )
    if op.get_bind().dialect.name == "sqlite":
        statements = _backfill("date({0})")
        statements += [
            f"CREATE TRIGGER {name} {body}" for name, body in _SQLITE_TRIGGERS.items()
        ]
    else:
        # Writers wait from the count until the triggers commit: none is missed.
        statements = [
            "LOCK TABLE brand_matches, sentiment_results, mention_aspects IN SHARE MODE"
        ]
        statements += _backfill(_PG_DAY)
        statements += [
            f"CREATE FUNCTION {name} {body}" for name, body in _PG_FUNCTIONS.items()
        ]
        statements += [
            f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW {condition}"
            f" EXECUTE FUNCTION {name.rsplit('_', 1)[0]}_sync()"
            for name, (table, when, condition) in _PG_TRIGGERS.items()
        ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for name, (table, _when, _condition) in _PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in reversed(_PG_FUNCTIONS):
            op.execute(f"DROP FUNCTION {name}")
    op.drop_table("brand_day_aspects")
    op.drop_table("brand_day_labels")
    op.drop_table("brand_days")
