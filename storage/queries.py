"""Queries the pipeline, CLI and collectors share; each takes the caller's Session."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, joinedload

from storage.cases import note_public_reply
from storage.hygiene import storable_fields
from storage.models import (
    Alert,
    AlertState,
    BrandMatch,
    CrawlRun,
    Mention,
    SentimentResult,
    SourceCursor,
    utcnow,
)

MENTION_FIELDS = frozenset(
    c.key for c in Mention.__table__.columns if c.key not in {"id", "content_hash"}
)

UpsertStatus = Literal["new", "updated", "unchanged"]
_Key = tuple[str, str]  # a mention's (source, external_id)


@dataclass(frozen=True, slots=True)
class Match:
    """A brand a mention names, whether it is a competitor, and the matching terms."""

    brand: str
    competitor: bool
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What storing one mention did."""

    mention_id: int
    status: UpsertStatus


def content_hash(title: str | None, text: str) -> str:
    """A digest of the text a reader sees; a change means the mention was edited."""
    return hashlib.sha256(f"{title or ''}\x00{text}".encode()).hexdigest()


def upsert_mention(
    session: Session, fields: Mapping[str, Any], matches: Sequence[Match]
) -> UpsertResult:
    """Store a mention once per (source, external_id); an edit updates the text.

    Unknown keys in ``fields`` are an error, so a collector cannot silently lose
    a field it thinks it stores. ``upsert_mentions`` stores many at once.
    """
    return upsert_mentions(session, [(fields, matches)])[0]


def upsert_mentions(
    session: Session, batch: Sequence[tuple[Mapping[str, Any], Sequence[Match]]]
) -> list[UpsertResult]:
    """``upsert_mention`` for each (fields, matches) of ``batch``, in a few statements.

    The results are those of storing the mentions one after another: a later
    copy of a (source, external_id) in ``batch`` is ``unchanged``, or
    ``updated`` when its text differs. One SELECT finds the stored mentions;
    the new ones go in with one multi-row INSERT, a SELECT of their ids and an
    INSERT of their brand matches, so a batch of tens costs little more than
    one mention did. Strings lose NUL and other control characters first
    (``storage.hygiene``).
    """
    batch = [(storable_fields(fields), matches) for fields, matches in batch]
    for fields, _ in batch:
        unknown = set(fields) - MENTION_FIELDS
        if unknown:
            msg = f"unknown mention fields: {', '.join(sorted(unknown))}"
            raise ValueError(msg)
    first: dict[_Key, int] = {}
    for i, (fields, _) in enumerate(batch):
        first.setdefault(_key(fields), i)
    distinct = [batch[i] for i in first.values()]
    results = dict(
        zip(first.values(), _upsert_distinct(session, distinct), strict=True)
    )
    later = [i for i in range(len(batch)) if i not in results]
    if later:  # a mention twice in the batch: its copies see the first one stored
        again = upsert_mentions(session, [batch[i] for i in later])
        results |= dict(zip(later, again, strict=True))
    return [results[i] for i in range(len(batch))]


def _key(fields: Mapping[str, Any]) -> _Key:
    return (fields["source"], fields["external_id"])


def _upsert_distinct(
    session: Session, batch: Sequence[tuple[Mapping[str, Any], Sequence[Match]]]
) -> list[UpsertResult]:
    """``upsert_mentions`` for a batch in which no (source, external_id) repeats."""
    stored = _stored(session, [_key(fields) for fields, _ in batch])
    statuses: list[UpsertStatus] = []
    new = []
    for fields, matches in batch:
        digest = content_hash(fields.get("title"), fields["text"])
        found = stored.get(_key(fields))
        if found is None:
            new.append(({**fields, "content_hash": digest}, matches))
            statuses.append("new")
        elif found[1] == digest and not _new_reply(fields, found[2]):
            statuses.append("unchanged")
        else:
            _update(session.get_one(Mention, found[0]), fields, digest, matches)
            statuses.append("updated")
            if _new_reply(fields, found[2]):  # the site shows an answer now
                at = fields.get("replied_at") or utcnow()
                note_public_reply(session, found[0], at, "developer reply")
    session.flush()
    if new:
        stored |= _insert(session, new)
    return [
        UpsertResult(stored[_key(fields)][0], status)
        for (fields, _), status in zip(batch, statuses, strict=True)
    ]


def _new_reply(fields: Mapping[str, Any], stored_reply: str | None) -> bool:
    """Whether ``fields`` bring a public reply the stored mention does not have."""
    reply = fields.get("reply_text")
    return reply is not None and reply != stored_reply


_Stored = tuple[int, str, str | None]  # a stored mention's id, content hash, reply


def _stored(session: Session, keys: Sequence[_Key]) -> dict[_Key, _Stored]:
    """The id, content hash and reply of the stored mentions with these keys."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found: dict[_Key, _Stored] = {}
    for source, ids in by_source.items():
        stmt = select(
            Mention.external_id, Mention.id, Mention.content_hash, Mention.reply_text
        ).where(Mention.source == source, Mention.external_id.in_(ids))
        found |= {
            (source, ext): (id_, digest, reply)
            for ext, id_, digest, reply in session.execute(stmt)
        }
    return found


def _insert(
    session: Session, new: Sequence[tuple[dict[str, Any], Sequence[Match]]]
) -> dict[_Key, _Stored]:
    """Insert new mentions, then their brand matches; the mentions' ids and hashes.

    The ORM's bulk INSERT keeps the rows' order (one multi-row INSERT for each
    run of rows with the same columns), so ids grow in batch order, as they
    would one at a time.
    """
    session.execute(insert(Mention), [values for values, _ in new])
    stored = _stored(session, [_key(values) for values, _ in new])
    matches = [
        _brand_match_row(stored[_key(values)][0], match)
        for values, found in new
        for match in found
    ]
    if matches:
        session.execute(insert(BrandMatch), matches)
    return stored


def _brand_match_row(mention_id: int, match: Match) -> dict[str, Any]:
    # published_at is left to the database (see BrandMatch).
    return {
        "mention_id": mention_id,
        "brand": match.brand,
        "competitor": match.competitor,
        "terms": list(match.terms),
    }


def _update(
    mention: Mention, fields: Mapping[str, Any], digest: str, matches: Sequence[Match]
) -> None:
    """An edit: the new text, counts and reply, and the terms of each brand it names."""
    keys = ("title", "text", "score", "comments", "rating", "rating_best", "raw")
    for key in (*keys, "reply_text", "replied_at"):
        if key in fields:
            setattr(mention, key, fields[key])
    mention.content_hash = digest
    mention.updated_at = utcnow()
    known = {m.brand: m for m in mention.matches}
    for m in matches:
        if m.brand in known:
            known[m.brand].terms = list(m.terms)
        else:
            mention.matches.append(
                BrandMatch(brand=m.brand, competitor=m.competitor, terms=list(m.terms))
            )


def start_crawl_run(session: Session, source: str) -> CrawlRun:
    """Open a crawl-run record for ``source``."""
    run = CrawlRun(source=source, started_at=utcnow(), status="running")
    session.add(run)
    session.flush()
    return run


@dataclass(frozen=True)
class Extraction:
    """What a run read: pages fetched, posts/reviews extracted, how many named a brand.

    ``None`` where the collector does not count it (Reddit fetches no pages).
    """

    pages: int | None = None
    extracted: int | None = None
    matched: int | None = None


def finish_crawl_run(
    run: CrawlRun,
    *,
    seen: int,
    new: int,
    error: str | None = None,
    extraction: Extraction | None = None,
    warning: str | None = None,
) -> None:
    """Close a crawl run as ``ok``, ``failed`` (with an error) or ``empty``.

    ``empty``: pages were fetched but nothing was extracted from them, which is
    never a success (a recipe or the page's markup no longer fits).
    """
    extraction = extraction or Extraction()
    run.finished_at = utcnow()
    run.items_seen = seen
    run.items_new = new
    run.error = error
    run.warning = warning
    run.pages_fetched = extraction.pages
    run.items_extracted = extraction.extracted
    run.items_matched = extraction.matched
    if error:
        run.status = "failed"
    elif extraction.pages and not extraction.extracted:
        run.status = "empty"
    else:
        run.status = "ok"


def unscored_mentions(
    session: Session, model_id: str, limit: int = 1000, *, skip_locked: bool = False
) -> list[Mention]:
    """Mentions with no score from ``model_id`` for their current text.

    With ``skip_locked`` (PostgreSQL; SQLite ignores it) the rows are locked
    until the caller commits and rows another scorer holds are skipped, so
    several workers score disjoint chunks.
    """
    scored = (
        select(SentimentResult.id)
        .where(
            SentimentResult.mention_id == Mention.id,
            SentimentResult.model_id == model_id,
            SentimentResult.content_hash == Mention.content_hash,
        )
        .exists()
    )
    stmt = select(Mention).where(~scored).order_by(Mention.id).limit(limit)
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True, of=Mention)
    return list(session.scalars(stmt))


def scored_since(
    session: Session,
    model_id: str,
    since: datetime,
    *,
    after_id: int = 0,
    limit: int = 1000,
) -> list[tuple[Mention, SentimentResult]]:
    """Mentions dated ``since`` or later, scored by ``model_id``, with that score.

    A mention's date is when it was published, else when it was collected. Pages
    through by mention id: pass the last id seen as ``after_id``.
    """
    dated = func.coalesce(Mention.published_at, Mention.collected_at)
    stmt = (
        select(Mention, SentimentResult)
        .join(SentimentResult, SentimentResult.mention_id == Mention.id)
        .where(
            SentimentResult.model_id == model_id,
            dated >= since,
            Mention.id > after_id,
        )
        .order_by(Mention.id)
        .limit(limit)
    )
    return [(mention, result) for mention, result in session.execute(stmt)]


def save_score(
    session: Session,
    mention: Mention,
    *,
    model_id: str,
    model_revision: str,
    label: str,
    probabilities: Mapping[str, float],
    label_source: str = "text",
) -> None:
    """Record (or replace, after an edit) ``model_id``'s score for ``mention``.

    ``label_source`` is "stars" when the review's rating decided ``label``
    (``storage.ratings``), "text" when the model did.
    """
    result = session.scalars(
        select(SentimentResult).where(
            SentimentResult.mention_id == mention.id,
            SentimentResult.model_id == model_id,
        )
    ).one_or_none()
    if result is None:
        result = SentimentResult(mention_id=mention.id, model_id=model_id)
        session.add(result)
    result.model_revision = model_revision
    result.content_hash = mention.content_hash
    result.label = label
    result.label_source = label_source
    result.negative = probabilities.get("negative", 0.0)
    result.neutral = probabilities.get("neutral", 0.0)
    result.positive = probabilities.get("positive", 0.0)
    result.scored_at = utcnow()


def alert_candidates(
    session: Session,
    *,
    model_id: str,
    brands: Iterable[str],
    min_negative: float,
    channel: str,
    since: datetime | None = None,
) -> list[tuple[Mention, SentimentResult]]:
    """Negative mentions of ``brands`` with no alert yet for ``channel``."""
    alerted = (
        select(Alert.id)
        .where(Alert.mention_id == Mention.id, Alert.channel == channel)
        .exists()
    )
    stmt = (
        select(Mention, SentimentResult)
        .join(SentimentResult, SentimentResult.mention_id == Mention.id)
        .where(
            SentimentResult.model_id == model_id,
            SentimentResult.label == "negative",
            SentimentResult.negative >= min_negative,
            Mention.id.in_(
                select(BrandMatch.mention_id).where(BrandMatch.brand.in_(list(brands)))
            ),
            ~alerted,
        )
        .order_by(Mention.id)
    )
    if since is not None:
        stmt = stmt.where(Mention.collected_at >= since)
    return [(m, s) for m, s in session.execute(stmt).all()]


def pending_alerts(session: Session, limit: int = 100) -> list[Alert]:
    """Alerts waiting for delivery, oldest first, with their mention loaded."""
    stmt = (
        select(Alert)
        .options(joinedload(Alert.mention).selectinload(Mention.matches))
        .where(Alert.state == AlertState.PENDING)
        .order_by(Alert.id)
        .limit(limit)
    )
    return list(session.scalars(stmt).unique())


def get_cursor(session: Session, source: str) -> dict[str, Any]:
    """The stored incremental cursor of ``source`` (empty before its first run)."""
    row = session.get(SourceCursor, source)
    return dict(row.cursor) if row else {}


def set_cursor(session: Session, source: str, cursor: Mapping[str, Any]) -> None:
    """Replace the incremental cursor of ``source``."""
    row = session.get(SourceCursor, source)
    if row is None:
        session.add(SourceCursor(source=source, cursor=dict(cursor)))
    else:
        row.cursor = dict(cursor)
        row.updated_at = utcnow()


def count_by_state(session: Session) -> dict[str, int]:
    """Number of alerts in each outbox state."""
    stmt = select(Alert.state, func.count()).group_by(Alert.state)
    return {state.value: n for state, n in session.execute(stmt).all()}


def abandon_running_crawls(session: Session, source: str, reason: str) -> int:
    """Mark ``source``'s runs still ``running`` failed with ``reason``; how many.

    For a caller that knows no crawl of ``source`` can be running (a worker
    holding the source's job lock): such runs belong to a process that died.
    """
    runs = session.scalars(
        select(CrawlRun).where(CrawlRun.source == source, CrawlRun.status == "running")
    ).all()
    for run in runs:
        finish_crawl_run(run, seen=0, new=0, error=reason)
    return len(runs)
