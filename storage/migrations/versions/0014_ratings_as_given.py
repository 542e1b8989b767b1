"""ratings as given: a review's stars and their scale, and where a verdict came from

``mentions.rating`` held the rating normalised to 0–1 ((stars − 1) / 4 on a
5-star site), which the console and Slack showed as ``0.0/5`` for one star. It
now holds the rating as the site gave it, with ``mentions.rating_best`` the top
of its scale (see ``storage.ratings``). ``sentiment_results.label_source`` says
whether the review's stars or the text model decided the label ("text" for
every score made before this revision).

Existing ratings are converted from what each row kept of the original:

* the value as given is ``raw.stars`` (App Store, Google Play) or
  ``raw.rating_value`` (schema.org reviews, recipes, the generic extractor);
* its scale is solved from the normalised figure, assuming the scale starts at
  1 (schema.org's default ``worstRating`` and the recipes' rule), else at 0; a
  scale kept only when its best is a whole number at least the value;
* a value that was the scale's best (normalised 1) is its own best; one that
  was the worst (normalised 0) is taken as 1 of 5;
* a row with no value kept, or none that solves, is assumed to be on 5 stars:
  ``1 + 4 × normalised`` of 5, which is exact for every 5-star source.

Stored verdicts keep the text's label: ``earful sentiment rescore`` lets the
stars decide them. The downgrade normalises back with a scale starting at 1.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:30:00

"""
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_MENTIONS = sa.table(
    "mentions",
    sa.column("id", sa.Integer),
    sa.column("rating", sa.Float),
    sa.column("rating_best", sa.Float),
    sa.column("raw", sa.JSON),
)
_CHUNK = 1000
_VIEW_HEAD = """
CREATE VIEW mention_view AS
SELECT m.id AS mention_id, b.brand, b.competitor, m.source, m.source_type, m.language,
       m.published_at, m.collected_at, m.url, m.title, m.text, m.author,
       m.followers AS reach, m.score, m.comments, m.rating,{extra}
       s.model_id, s.label AS sentiment,{source} s.negative, s.neutral, s.positive,
       CASE
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'sent')
            THEN 'sent'
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'pending')
            THEN 'pending'
        WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.mention_id = m.id AND a.state = 'failed')
            THEN 'failed'
       END AS alert_state,
       m.handled_at IS NOT NULL AS handled, m.handled_at, m.handled_by
FROM mentions m
JOIN brand_matches b ON b.mention_id = m.id
LEFT JOIN sentiment_results s ON s.mention_id = m.id
"""


def _given(raw: Any) -> float | None:
    if not isinstance(raw, dict):
        return None
    for key in ("stars", "rating_value"):
        value = raw.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def as_given(normalised: float, raw: Any) -> tuple[float, float]:
    """The (rating, best) a stored 0–1 rating came from, by the docstring's rules."""
    value = _given(raw)
    if value is not None:
        for worst in (1.0, 0.0):
            if normalised > 0 and value > worst:
                best = worst + (value - worst) / normalised
                if abs(best - round(best)) < 1e-6 and round(best) >= value:
                    return value, float(round(best))
        if normalised >= 1:
            return value, value
        if normalised <= 0 and value <= 1:
            return value, 5.0
    return round(1 + 4 * normalised, 2), 5.0


def _convert(rows_of: Any, convert: Any) -> None:
    bind = op.get_bind()
    after = 0
    while rows := bind.execute(rows_of(after)).all():
        for row in rows:
            rating, best = convert(row)
            bind.execute(
                sa.update(_MENTIONS)
                .where(_MENTIONS.c.id == row.id)
                .values(rating=rating, rating_best=best)
            )
        after = rows[-1].id


def _rated(after: int) -> Any:
    return (
        sa.select(_MENTIONS.c.id, _MENTIONS.c.rating, _MENTIONS.c.rating_best,
                  _MENTIONS.c.raw)
        .where(_MENTIONS.c.rating.is_not(None), _MENTIONS.c.id > after)
        .order_by(_MENTIONS.c.id)
        .limit(_CHUNK)
    )  # fmt: skip


def upgrade() -> None:
    op.execute("DROP VIEW mention_view")
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("rating_best", sa.Float(), nullable=True))
    with op.batch_alter_table("sentiment_results") as batch:
        batch.add_column(
            sa.Column(
                "label_source", sa.String(8), server_default="text", nullable=False
            )
        )
    _convert(_rated, lambda row: as_given(row.rating, row.raw))
    op.execute(
        _VIEW_HEAD.format(extra=" m.rating_best,", source=" s.label_source AS sentiment_source,")
    )


def _normalised(row: Any) -> tuple[float | None, None]:
    best = row.rating_best or 5.0
    if best <= 1:
        return None, None
    return min(1.0, max(0.0, (row.rating - 1) / (best - 1))), None


def downgrade() -> None:
    op.execute("DROP VIEW mention_view")
    _convert(_rated, _normalised)
    # Not in batch: rebuilding mentions on SQLite trips over its triggers.
    op.execute("ALTER TABLE sentiment_results DROP COLUMN label_source")
    op.execute("ALTER TABLE mentions DROP COLUMN rating_best")
    op.execute(_VIEW_HEAD.format(extra="", source=""))
