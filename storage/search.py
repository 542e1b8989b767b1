"""Find mentions by brand, source, sentiment, time, reach, alert state and text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    RowMapping,
    Select,
    and_,
    column,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session, aliased

from storage.cases import Actor, change
from storage.errors import QuerySyntaxError, SearchError
from storage.folding import fold, nfkc
from storage.models import (
    Alert,
    AlertState,
    BrandMatch,
    CaseState,
    Mention,
    SentimentResult,
)
from storage.query_language import (
    OPERATORS,
    AnyOf,
    Node,
    Not,
    Term,
    parse_query,
    tokens,
)
from storage.ratings import stars_text

Sort = Literal["time", "reach", "negativity"]
Label = Literal["negative", "neutral", "positive"]
SORTS: tuple[Sort, ...] = ("time", "reach", "negativity")
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")
_TRIGRAM = 3  # the FTS5 trigram index only answers terms of three characters or more
# A search has one condition per term: SQLite refuses past ~1,000
# ("Expression tree is too large") and 20,000 terms cost 19 s of CPU. No
# analyst types more than a few words, and LIKE patterns stay short.
MAX_SEARCH_TERMS = 32
MAX_SEARCH_CHARS = 1_000
_COLUMNS = (Mention.title, Mention.text)
_SCORE = (
    SentimentResult.model_id,
    SentimentResult.model_revision,
    SentimentResult.label.label("sentiment"),
    SentimentResult.label_source.label("sentiment_source"),
    SentimentResult.negative,
    SentimentResult.neutral,
    SentimentResult.positive,
    SentimentResult.scored_at,
)


@dataclass(frozen=True, slots=True)
class MentionQuery:
    """Which mentions to find; empty or ``None`` fields do not filter."""

    model_id: str = "earful-default"
    brands: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    source_types: tuple[str, ...] = ()
    sentiment: Label | None = None
    min_probability: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    languages: tuple[str, ...] = ()
    min_reach: int | None = None
    alerted: bool | None = None
    handled: bool | None = None
    text: str | None = None
    sort: Sort = "time"
    limit: int | None = 100
    offset: int = 0

    def __post_init__(self) -> None:
        """A text search that parses, within the limits, else ``SearchError``."""
        if self.text is not None and self.text.strip():
            parse_search(self.text)


@dataclass(frozen=True, slots=True)
class MentionRow:
    """One mention as analysts see it: where, when, who, how it was scored."""

    id: int
    published_at: datetime | None
    source: str
    source_type: str
    language: str | None
    reach: int | None
    title: str | None
    text: str
    url: str | None
    author: str | None
    sentiment: str | None
    sentiment_source: str | None  # "stars" or "text": what decided ``sentiment``
    negative: float | None
    neutral: float | None
    positive: float | None
    alerted: bool
    handled_at: datetime | None
    handled_by: str | None
    brands: tuple[str, ...] = field(default=())
    external_id: str = ""
    site_name: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    top_level: bool | None = None
    score: int | None = None
    comments: int | None = None
    rating: float | None = None  # as the site gave it, of ``rating_best``
    rating_best: float | None = None
    collected_at: datetime | None = None
    updated_at: datetime | None = None
    published_precision: str | None = None  # "day", "month", "year"; None: a time
    content_hash: str = ""
    raw: dict[str, Any] | None = None
    model_id: str | None = None
    model_revision: str | None = None
    scored_at: datetime | None = None

    @property
    def stars(self) -> str | None:
        """The rating as given, ``★☆☆☆☆ 1/5``; None for an unrated mention."""
        return (
            None if self.rating is None else stars_text(self.rating, self.rating_best)
        )

    @property
    def probability(self) -> float | None:
        """The probability of the label the mention got, if it was scored."""
        return None if self.sentiment is None else getattr(self, self.sentiment)


# MentionRow's fields read as they are from mention_select's columns.
_ROW_COLUMNS = tuple(
    f.name for f in fields(MentionRow) if f.name not in {"reach", "alerted", "brands"}
)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_FTS = table("mentions_fts", column("rowid", Integer), column("title"), column("text"))


def _pg_substring(term: str) -> ColumnElement[bool]:
    pattern = _like_pattern(nfkc(term))
    # backslash is PostgreSQL's default escape; ESCAPE would hide pg_trgm. A NULL
    # title must read as "not found", or NOT would turn it into "unknown".
    title, body = (func.normalize(c, literal_column("NFKC")) for c in _COLUMNS)
    return or_(
        and_(Mention.title.is_not(None), title.ilike(pattern)), body.ilike(pattern)
    )


def _sqlite_substring(folded: str) -> ColumnElement[bool]:
    """A scan of the folded copy in ``mentions_fts``: terms too short for trigrams."""
    pattern = _like_pattern(folded)
    found = select(_FTS.c.rowid).where(
        or_(
            _FTS.c.title.like(pattern, escape="\\"),
            _FTS.c.text.like(pattern, escape="\\"),
        )
    )
    return Mention.id.in_(found)


def _sqlite_trigrams(folded: Sequence[str]) -> ColumnElement[bool]:
    """Every term occurs, through the FTS5 trigram index (terms of 3+ characters).

    Each term is one FTS5 phrase, quotes doubled, so FTS5 syntax typed by a user
    (``NEAR``, ``*``, ``-``) is only text.
    """
    phrases = " ".join('"' + t.replace('"', '""') + '"' for t in folded)
    match = literal_column("mentions_fts").op("MATCH")(phrases)
    return Mention.id.in_(select(_FTS.c.rowid).where(match))


def parse_search(query: str) -> Node:
    """The tree of a search in the brand query language; ``SearchError`` if bad.

    Within :data:`MAX_SEARCH_TERMS` terms and :data:`MAX_SEARCH_CHARS` characters.
    """
    try:
        count = sum(t not in OPERATORS and t not in "()" for t in tokens(query))
        if count > MAX_SEARCH_TERMS:
            msg = (
                f"the search has {count:,} words: at most {MAX_SEARCH_TERMS} "
                "(a few distinctive words or phrases find as much)"
            )
            raise SearchError(msg)
        if len(query) > MAX_SEARCH_CHARS:
            msg = f"the search is too long: at most {MAX_SEARCH_CHARS:,} characters"
            raise SearchError(msg)
        return parse_query(query)
    except QuerySyntaxError as exc:
        raise SearchError(f"the search does not parse: {exc}") from None


def _trigram_term(node: Node, dialect: str) -> str | None:
    """The folded term if SQLite's trigram index can answer it, else None."""
    if dialect != "sqlite" or not isinstance(node, Term):
        return None
    folded = fold(node.text)
    return folded if len(folded) >= _TRIGRAM else None


def _condition(node: Node, dialect: str) -> ColumnElement[bool]:
    if isinstance(node, Not):
        return not_(_condition(node.child, dialect))
    if isinstance(node, AnyOf):
        return or_(*(_condition(child, dialect) for child in node.children))
    if isinstance(node, Term):
        if dialect != "sqlite":
            return _pg_substring(node.text)
        trigram = _trigram_term(node, dialect)
        if trigram is None:
            return _sqlite_substring(fold(node.text))
        return _sqlite_trigrams([trigram])
    trigrams: list[str] = []
    conditions: list[ColumnElement[bool]] = []
    for child in node.children:
        trigram = _trigram_term(child, dialect)
        if trigram is None:
            conditions.append(_condition(child, dialect))
        else:
            trigrams.append(trigram)
    if trigrams:  # one MATCH for the AND of them, as a plain list of words was
        conditions.append(_sqlite_trigrams(trigrams))
    return and_(*conditions)


def text_condition(query: str, dialect: str) -> ColumnElement[bool]:
    """Mentions whose title or text satisfy ``query``, a brand-language query.

    Quoted phrases (``"…"``, ``「…」``), ``OR``, ``NOT``, ``AND`` and parentheses
    as in a brand's ``query`` key (:mod:`storage.query_language`); adjacent terms
    must all occur. A term or phrase is a substring of the folded text (NFKC, then
    case: see :mod:`storage.folding`), so Japanese needs no word breaking,
    ``ACME`` finds full-width ACME and ``アクメ`` finds ``ｱｸﾒ``. On SQLite, terms of
    three characters or more use the FTS5 trigram index over the folded text
    (the terms of one AND in one ``MATCH``) and shorter ones a scan of it; on
    PostgreSQL ``ILIKE`` on ``normalize(…, NFKC)`` uses the ``pg_trgm``
    expression indexes.
    """
    return _condition(parse_search(query), dialect)


def _alerted() -> ColumnElement[bool]:
    return (
        select(Alert.id)
        .where(Alert.mention_id == Mention.id, Alert.state == AlertState.SENT)
        .exists()
    )


def _labelled(q: MentionQuery, label: Label) -> ColumnElement[bool]:
    """``q.model_id`` gave the mention ``label``, with ``q.min_probability`` or more.

    A condition on the joined score where the planner should start from the
    scores or the brand's mentions: sorted by negativity, or a brand asked for.
    Otherwise a subquery, so the index on ``mentions`` that serves the sort
    drives the query and stops after one page, where SQLite would read every
    score and sort all negative mentions (the negative inbox).
    """
    joined = q.sort == "negativity" or bool(q.brands)
    scored = SentimentResult if joined else aliased(SentimentResult)
    conditions = [scored.label == label]
    if q.min_probability is not None:
        conditions.append(getattr(scored, label) >= q.min_probability)
    if joined:
        return and_(*conditions)
    own = (scored.mention_id == Mention.id, scored.model_id == q.model_id)
    return select(scored.id).where(*own, *conditions).exists()


def _filters(q: MentionQuery, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if q.brands:
        conditions.append(
            Mention.id.in_(
                select(BrandMatch.mention_id).where(BrandMatch.brand.in_(q.brands))
            )
        )
    if q.sources:
        conditions.append(Mention.source.in_(q.sources))
    if q.source_types:
        conditions.append(Mention.source_type.in_(q.source_types))
    if q.sentiment is not None:
        conditions.append(_labelled(q, q.sentiment))
    if q.since is not None:
        conditions.append(Mention.published_at >= q.since)
    if q.until is not None:
        conditions.append(Mention.published_at < q.until)
    if q.languages:
        conditions.append(Mention.language.in_(q.languages))
    if q.min_reach is not None:
        conditions.append(Mention.followers >= q.min_reach)
    if q.alerted is not None:
        conditions.append(_alerted() if q.alerted else ~_alerted())
    if q.handled is not None:
        handled = Mention.handled_at.is_not(None)
        conditions.append(handled if q.handled else Mention.handled_at.is_(None))
    if q.text and q.text.strip():
        conditions.append(text_condition(q.text, dialect))
    return conditions


def mention_select(q: MentionQuery, dialect: str) -> Select[Any]:
    """The statement behind :func:`find_mentions` (the benchmark explains it).

    Columns rather than ORM objects: a large export reads them several times
    faster, and nothing here writes back.
    """
    stmt = (
        select(*Mention.__table__.columns, *_SCORE, _alerted().label("alerted"))
        .select_from(Mention)
        .outerjoin(
            SentimentResult,
            and_(
                SentimentResult.mention_id == Mention.id,
                SentimentResult.model_id == q.model_id,
            ),
        )
    )
    stmt = stmt.where(*_filters(q, dialect))
    if q.sort == "reach":
        stmt = stmt.order_by(Mention.followers.desc().nulls_last(), Mention.id.desc())
    elif q.sort == "negativity":
        stmt = stmt.order_by(
            SentimentResult.negative.desc().nulls_last(), Mention.id.desc()
        )
    else:
        stmt = stmt.order_by(
            Mention.published_at.desc().nulls_last(), Mention.id.desc()
        )
    if q.limit is not None:
        stmt = stmt.limit(q.limit)
    return stmt.offset(q.offset or None)


def _brands(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: defaultdict[int, list[str]] = defaultdict(list)
    stmt = (
        select(BrandMatch.mention_id, BrandMatch.brand)
        .where(BrandMatch.mention_id.in_(ids))
        .order_by(BrandMatch.brand)
    )
    for mention_id, brand in session.execute(stmt):
        found[mention_id].append(brand)
    return {k: tuple(v) for k, v in found.items()}


def find_mentions(session: Session, q: MentionQuery) -> list[MentionRow]:
    """Mentions matching ``q``, sorted and paged as it asks."""
    dialect = session.get_bind().dialect.name
    rows = session.execute(mention_select(q, dialect)).all()
    return _rows(session, rows)


def _rows(session: Session, rows: Sequence[Row[Any]]) -> list[MentionRow]:
    brands = _brands(session, [r.id for r in rows])
    return [_row(r._mapping, brands.get(r.id, ())) for r in rows]


def iter_mentions(
    session: Session, q: MentionQuery, batch_size: int = 5000
) -> Iterator[list[MentionRow]]:
    """Mentions matching ``q`` in batches, streamed: memory holds one batch.

    PostgreSQL reads through a server-side cursor; SQLite steps its cursor.
    """
    dialect = session.get_bind().dialect.name
    stmt = mention_select(q, dialect).execution_options(yield_per=batch_size)
    for batch in session.execute(stmt).partitions():
        yield _rows(session, batch)


def mention_ids(q: MentionQuery, dialect: str) -> Select[int]:
    """The ids of the mentions ``q`` finds, as a subquery (sorted only if paged)."""
    stmt = mention_select(q, dialect).with_only_columns(Mention.id)
    return stmt if q.limit is not None or q.offset else stmt.order_by(None)


def _row(m: RowMapping, brands: tuple[str, ...]) -> MentionRow:
    values = {name: m[name] for name in _ROW_COLUMNS}
    return MentionRow(
        **values,
        reach=m["followers"],
        alerted=bool(m["alerted"]),
        brands=brands,
    )


def negative_inbox(
    session: Session, model_id: str, *, limit: int = 50, offset: int = 0
) -> list[MentionRow]:
    """Unhandled negative mentions, largest reach first: what the PR team answers."""
    q = MentionQuery(
        model_id=model_id,
        sentiment="negative",
        handled=False,
        sort="reach",
        limit=limit,
        offset=offset,
    )
    return find_mentions(session, q)


def set_handled(
    session: Session, mention_id: int, *, handled: bool, by: str | None
) -> bool:
    """Mark a mention handled (its case resolved) or not (back in progress).

    ``False`` if there is no such mention. The change is a case event from the
    dashboard (``storage.cases``).
    """
    if session.get(Mention, mention_id) is None:
        return False
    state = CaseState.RESOLVED if handled else CaseState.IN_PROGRESS
    change(session, mention_id, Actor(by or "dashboard", "dashboard"), state=state)
    return True
