"""analyst search, views and indexes

Full-text search kept in step with ``mentions``, read-only views for BI tools,
and the indexes the analyst queries use.

- SQLite: an external-content FTS5 table ``mentions_fts`` (trigram tokenizer, so
  English and Japanese alike match by substring) kept in step by three triggers.
  A later migration that rebuilds ``mentions`` in batch mode drops the triggers
  and must create them again (see ``_SQLITE_TRIGGERS``).
- PostgreSQL: ``pg_trgm`` GIN indexes on ``title`` and ``text`` serve ``ILIKE``;
  an index is always in step with its table.
- Views: ``mention_view`` (one row per mention, brand and sentiment model) and
  ``source_health_view`` (each source's latest crawl run).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

"""
from typing import Sequence, Union

from alembic import op


revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE_FTS = """
CREATE VIRTUAL TABLE mentions_fts USING fts5(
    title, text, content='mentions', content_rowid='id', tokenize='trigram'
)
"""
_SQLITE_TRIGGERS = [
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
]
_ALERT_STATE = """
    CASE
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'sent')
            THEN 'sent'
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'pending')
            THEN 'pending'
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'failed')
            THEN 'failed'
    END
"""
_MENTION_VIEW = f"""
CREATE VIEW mention_view AS
SELECT m.id AS mention_id, b.brand, b.competitor, m.source, m.source_type, m.language,
       m.published_at, m.collected_at, m.url, m.title, m.text, m.author,
       m.followers AS reach, m.score, m.comments, m.rating,
       s.model_id, s.label AS sentiment, s.negative, s.neutral, s.positive,
       {_ALERT_STATE} AS alert_state,
       m.handled_at IS NOT NULL AS handled, m.handled_at, m.handled_by
FROM mentions m
JOIN brand_matches b ON b.mention_id = m.id
LEFT JOIN sentiment_results s ON s.mention_id = m.id
"""
_SOURCE_HEALTH_VIEW = """
CREATE VIEW source_health_view AS
SELECT r.source, r.started_at, r.finished_at, r.status, r.items_seen, r.items_new,
       r.error,
       (SELECT max(o.finished_at) FROM crawl_runs o
        WHERE o.source = r.source AND o.status = 'ok') AS last_success_at
FROM crawl_runs r
WHERE r.id = (SELECT max(l.id) FROM crawl_runs l WHERE l.source = r.source)
"""


def upgrade() -> None:
    """Upgrade schema."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite sorts NULL lowest, so a DESC index already puts unknown reach last.
    nulls = "" if sqlite else " NULLS LAST"
    op.execute(f"CREATE INDEX ix_mentions_followers ON mentions (followers DESC{nulls})")
    with op.batch_alter_table("brand_matches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_brand_matches_brand_mention_id", ["brand", "mention_id"], unique=False
        )
    if sqlite:
        op.execute(_SQLITE_FTS)
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX mentions_fts_title ON mentions USING gin (title gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX mentions_fts_text ON mentions USING gin (text gin_trgm_ops)"
        )
    op.execute(_MENTION_VIEW)
    op.execute(_SOURCE_HEALTH_VIEW)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW source_health_view")
    op.execute("DROP VIEW mention_view")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("mentions_fts_au", "mentions_fts_ad", "mentions_fts_ai"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE mentions_fts")
    else:
        op.execute("DROP INDEX mentions_fts_text")
        op.execute("DROP INDEX mentions_fts_title")
    with op.batch_alter_table("brand_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_brand_matches_brand_mention_id")
    op.execute("DROP INDEX ix_mentions_followers")
