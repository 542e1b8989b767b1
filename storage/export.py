"""Export tables for analysts: typed columns, streamed in batches.

Four tables, each limited to the mentions a :class:`MentionQuery` finds (the
filters of ``earful mentions``): ``mentions`` (one row per mention, its brands
as a list and the chosen model's score), ``scores`` (every model's), ``brand
matches`` and ``alerts`` (mention alerts; spike and digest alerts name no
mention). Columns carry a kind (``int``, ``float``, ``bool``, ``text``,
``time``, ``list``, ``json``) so each file format can type them: Parquet as
UTC timestamps, floats and lists, CSV and JSON lines as text and numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Alert, BrandMatch, SentimentResult
from storage.search import MentionQuery, MentionRow, iter_mentions, mention_ids

Kind = Literal["int", "float", "bool", "text", "time", "list", "json"]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: its name and what kind of value it holds."""

    name: str
    kind: Kind
    doc: str = ""


def _cols(spec: str) -> tuple[Column, ...]:
    """``"id:int published_at:time …"`` as columns (keeps the lists readable)."""
    out = []
    for item in spec.split():
        name, kind = item.split(":")
        out.append(Column(name, kind))  # type: ignore[arg-type]
    return tuple(out)


MENTION_COLUMNS = _cols(
    "id:int published_at:time source:text source_type:text brands:list "
    "language:text reach:int rating:float rating_best:float score:int comments:int "
    "sentiment:text sentiment_source:text negative:float neutral:float positive:float "
    "model_id:text model_revision:text scored_at:time "
    "alerted:bool handled_at:time handled_by:text author:text url:text "
    "title:text text:text external_id:text site_name:text thread_id:text "
    "parent_id:text top_level:bool collected_at:time updated_at:time "
    "content_hash:text raw:json published_precision:text"
)
SCORE_COLUMNS = _cols(
    "id:int mention_id:int model_id:text model_revision:text content_hash:text "
    "label:text label_source:text negative:float neutral:float positive:float "
    "scored_at:time"
)
BRAND_MATCH_COLUMNS = _cols(
    "id:int mention_id:int brand:text competitor:bool terms:list published_at:time"
)
ALERT_COLUMNS = _cols(
    "id:int kind:text key:text mention_id:int rule:text channel:text state:text "
    "urgent:bool thread_key:text attempts:int last_error:text slack_channel:text "
    "slack_ts:text thread_ts:text created_at:time deliver_after:time "
    "next_attempt_at:time sent_at:time"
)
TABLES: dict[str, tuple[Column, ...]] = {
    "mentions": MENTION_COLUMNS,
    "scores": SCORE_COLUMNS,
    "brand-matches": BRAND_MATCH_COLUMNS,
    "alerts": ALERT_COLUMNS,
}
_MODELS: dict[str, Any] = {
    "scores": SentimentResult,
    "brand-matches": BrandMatch,
    "alerts": Alert,
}


def mention_record(row: MentionRow) -> Record:
    """A mention as the values of :data:`MENTION_COLUMNS`."""
    record = {c.name: getattr(row, c.name) for c in MENTION_COLUMNS}
    record["brands"] = list(row.brands)
    return record


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value  # enums as their text


def count_rows(session: Session, table: str, q: MentionQuery) -> int:
    """How many rows :func:`iter_records` will yield (for a progress bar)."""
    dialect = session.get_bind().dialect.name
    ids = mention_ids(q, dialect)
    if table == "mentions":
        stmt = select(func.count()).select_from(ids.subquery())
        return session.execute(stmt).scalar_one()
    model = _MODELS[table]
    where = model.mention_id.in_(ids)
    return session.execute(select(func.count()).where(where)).scalar_one()


def iter_records(
    session: Session, table: str, q: MentionQuery, batch_size: int = 5000
) -> Iterator[list[Record]]:
    """Rows of ``table`` for the mentions ``q`` finds, one batch at a time."""
    if table == "mentions":
        for rows in iter_mentions(session, q, batch_size):
            yield [mention_record(r) for r in rows]
        return
    model = _MODELS[table]
    columns = [getattr(model, c.name) for c in TABLES[table]]
    dialect = session.get_bind().dialect.name
    stmt = (
        select(*columns)
        .where(model.mention_id.in_(mention_ids(q, dialect)))
        .order_by(model.id)
        .execution_options(yield_per=batch_size)
    )
    names = [c.name for c in TABLES[table]]
    for batch in session.execute(stmt).partitions():
        yield [dict(zip(names, map(_plain, row), strict=True)) for row in batch]
