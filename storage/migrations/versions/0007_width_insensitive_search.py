"""width-insensitive search: the search indexes hold folded text

``earful mentions --search ACME`` must find ``ＡＣＭＥ`` and ``アクメ`` must find
``ｱｸﾒ``, as brand matching does (NFKC, then case folding).

- SQLite: ``mentions_fts`` becomes a trigram FTS5 table that stores the folded
  title and text (``earful_fold``, registered by Earful on every connection),
  kept in step by three triggers and backfilled here. It keeps its own copy of
  the folded text, so terms shorter than three characters scan that copy with
  ``LIKE`` instead of folding every mention at query time.
- PostgreSQL: the ``pg_trgm`` GIN indexes move from ``title`` and ``text`` to
  ``normalize(title, NFKC)`` and ``normalize(text, NFKC)``; ``ILIKE`` does the
  case folding. An expression index is built from the rows, so no backfill.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 02:00:00

"""
import unicodedata
from typing import Sequence, Union

from alembic import op


revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OLD_TRIGGERS = ("mentions_fts_ai", "mentions_fts_ad", "mentions_fts_au")
_SQLITE_FOLDED = [
    "CREATE VIRTUAL TABLE mentions_fts USING fts5(title, text, tokenize='trigram')",
    """
    CREATE TRIGGER mentions_fts_ai AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, title, text)
        VALUES (new.id, earful_fold(new.title), earful_fold(new.text));
    END
    """,
    """
    CREATE TRIGGER mentions_fts_ad AFTER DELETE ON mentions BEGIN
        DELETE FROM mentions_fts WHERE rowid = old.id;
    END
    """,
    """
    CREATE TRIGGER mentions_fts_au AFTER UPDATE OF title, text ON mentions BEGIN
        UPDATE mentions_fts
        SET title = earful_fold(new.title), text = earful_fold(new.text)
        WHERE rowid = new.id;
    END
    """,
    """
    INSERT INTO mentions_fts(rowid, title, text)
    SELECT id, earful_fold(title), earful_fold(text) FROM mentions
    """,
]
# 0002's external-content table over the raw title and text, for downgrade.
_SQLITE_RAW = [
    """
    CREATE VIRTUAL TABLE mentions_fts USING fts5(
        title, text, content='mentions', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER mentions_fts_ai AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER mentions_fts_ad AFTER DELETE ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER mentions_fts_au AFTER UPDATE OF title, text ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    "INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')",
]


def _fold(value: object) -> object:
    return None if value is None else unicodedata.normalize("NFKC", str(value)).casefold()


def _drop_sqlite_fts() -> None:
    for name in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS mentions_fts")


def _pg_indexes(expression: str) -> None:
    for column in ("title", "text"):
        op.execute(f"DROP INDEX IF EXISTS mentions_fts_{column}")
        op.execute(
            f"CREATE INDEX mentions_fts_{column} ON mentions "
            f"USING gin ({expression.format(column)} gin_trgm_ops)"
        )


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # The connection may not come from Earful's engine (alembic's own CLI).
        driver = bind.connection.driver_connection
        assert driver is not None
        driver.create_function(
            "earful_fold", 1, _fold, deterministic=True
        )
        _drop_sqlite_fts()
        for statement in _SQLITE_FOLDED:
            op.execute(statement)
    else:
        _pg_indexes("(normalize({}, NFKC))")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_fts()
        for statement in _SQLITE_RAW:
            op.execute(statement)
    else:
        _pg_indexes("{}")
