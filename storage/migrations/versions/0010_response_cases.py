"""response workflow: cases (owner, state, response times), their events, a KPI view

One ``cases`` row per mention the team responds to (every alerted mention, and
any mention acted on from the dashboard or CLI): its owner, its state (new →
in_progress → replied → resolved) and the first time of each step, so the
response-time KPIs read one narrow table (the mention's source, type and
publication are copied in). ``waiting_since`` is set only while an alerted
case is new or in progress, so the unanswered list walks its index.
``case_events`` is the append-only history: who changed what, from where (slack, dashboard, cli, collector), when.

Existing data is carried over: every mention with a sent alert gets a case
alerted at its first alert; a mention marked handled becomes ``resolved`` by
whoever handled it (one ``legacy`` event records that), and a mention with a
developer's public reply (0008) becomes ``replied``.

``response_times_view`` gives analysts one row per case with the three delays
in seconds: publication → alert, alert → first action, alert → reply.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 05:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_FIRST_ALERT = (
    "(SELECT min(a.sent_at) FROM alerts a WHERE a.mention_id = m.id "
    "AND a.kind = 'mention' AND a.state = 'sent')"
)
_BACKFILL = f"""
INSERT INTO cases (mention_id, state, owner, source, source_type, published_at,
                   alerted_at, first_action_at, replied_at, resolved_at, updated_at)
SELECT m.id,
       CASE WHEN m.handled_at IS NOT NULL THEN 'resolved'
            WHEN m.replied_at IS NOT NULL THEN 'replied' ELSE 'new' END,
       m.handled_by, m.source, m.source_type, m.published_at,
       {_FIRST_ALERT}, m.handled_at, m.replied_at, m.handled_at,
       COALESCE(m.handled_at, m.replied_at, m.collected_at)
FROM mentions m
WHERE m.handled_at IS NOT NULL OR {_FIRST_ALERT} IS NOT NULL
"""
_WAITING = """
UPDATE cases SET waiting_since = COALESCE(published_at, alerted_at)
WHERE state = 'new' AND alerted_at IS NOT NULL
"""
_BACKFILL_EVENTS = """
INSERT INTO case_events (mention_id, at, actor, via, from_state, to_state, owner)
SELECT m.id, m.handled_at, COALESCE(m.handled_by, 'someone'), 'legacy', 'new',
       'resolved', m.handled_by
FROM mentions m WHERE m.handled_at IS NOT NULL
"""


def _seconds(later: str, earlier: str, sqlite: bool) -> str:
    if sqlite:
        return f"(julianday({later}) - julianday({earlier})) * 86400.0"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def _view(sqlite: bool) -> str:
    return f"""
CREATE VIEW response_times_view AS
SELECT c.mention_id, c.source, c.source_type, m.language, c.published_at,
       c.alerted_at, c.first_action_at, c.replied_at, c.resolved_at, c.state,
       c.owner,
       {_seconds("c.alerted_at", "c.published_at", sqlite)} AS publication_to_alert_s,
       {_seconds("c.first_action_at", "c.alerted_at", sqlite)} AS alert_to_first_action_s,
       {_seconds("c.replied_at", "c.alerted_at", sqlite)} AS alert_to_reply_s
FROM cases c
JOIN mentions m ON m.id = c.mention_id
"""


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("new", "in_progress", "replied", "resolved", name="casestate", native_enum=False, length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("owner_slack_id", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], name=op.f("fk_cases_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_alerted_at", "cases", ["alerted_at"], unique=False)
    op.create_index("ix_cases_waiting_since", "cases", ["waiting_since"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], name=op.f("fk_case_events_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index("ix_case_events_mention_id_at", "case_events", ["mention_id", "at"], unique=False)
    op.execute(_BACKFILL)
    op.execute(_WAITING)
    op.execute(_BACKFILL_EVENTS)
    op.execute(_view(op.get_bind().dialect.name == "sqlite"))


def downgrade() -> None:
    op.execute("DROP VIEW response_times_view")
    op.drop_index("ix_case_events_mention_id_at", table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_waiting_since", table_name="cases")
    op.drop_index("ix_cases_alerted_at", table_name="cases")
    op.drop_table("cases")
