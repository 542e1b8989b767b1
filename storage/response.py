"""Response-time KPIs per source or source type, and the unanswered mentions.

Every figure reads ``cases`` alone (one row per alerted mention, with the
first time of each step and the mention's source and publication copied in),
filtered on ``cases.alerted_at`` (indexed): publication → alert, alert →
first action and alert → reply are means in seconds, over the alerted
mentions that reached that step, each at least zero (a reply found with its
complaint came before the alert: it counts as at once). Mentions published
before their source's first crawl are backfill and count in none of them. "Within target" counts mentions replied no later than ``target``
seconds after their alert; its share is of every alerted mention, so an
unanswered one counts against it. The same delays per case are in
``response_times_view`` for analysts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from storage.cases import note_public_reply, open_case
from storage.models import (
    Alert,
    AlertKind,
    AlertState,
    BrandMatch,
    Case,
    CaseState,
    CrawlRun,
    Mention,
)

GroupBy = Literal["source", "source_type"]
OPEN = (CaseState.NEW.value, CaseState.IN_PROGRESS.value)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """One source's (or source type's) response KPIs over a period."""

    key: str
    alerted: int
    acted: int
    replied: int
    within_target: int
    publication_to_alert_s: float | None
    alert_to_action_s: float | None
    alert_to_reply_s: float | None

    @property
    def share_within_target(self) -> float:
        """Replied within the target, of all alerted (0 when none were alerted)."""
        return self.within_target / self.alerted if self.alerted else 0.0


@dataclass(frozen=True, slots=True)
class Unanswered:
    """An alerted mention not answered yet (state new or in progress)."""

    mention_id: int
    source: str
    published_at: datetime | None
    alerted_at: datetime | None
    state: str
    owner: str | None
    title: str | None
    text: str


def seconds(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """``later - earlier`` in seconds, in SQL: julianday on SQLite, epoch on PostgreSQL."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(func.extract("epoch", later - earlier), Float)


def delay(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """``seconds(later, earlier)``, never below zero.

    A brand that answered before its alert went out (the reply came in the
    same crawl) answered it at once, not "-16h" after.
    """
    elapsed = seconds(later, earlier, dialect)
    return case((elapsed < 0, 0.0), else_=elapsed)


def _not_backfill() -> ColumnElement[bool]:
    """The case's mention was published once its source was watched.

    Mentions published before a source's first crawl are its backlog
    (backfill): stored and searchable, but their "publication → alert" says
    how old the backlog was, not how fast anyone was told.
    """
    first = (
        select(func.min(CrawlRun.started_at))
        .where(CrawlRun.source == Case.source)
        .scalar_subquery()
    )
    return or_(Case.published_at.is_(None), first.is_(None), Case.published_at >= first)


def _brand(brand: str | None) -> list[ColumnElement[bool]]:
    if brand is None:
        return []
    return [
        exists().where(
            BrandMatch.mention_id == Case.mention_id, BrandMatch.brand == brand
        )
    ]


def response_times(
    session: Session,
    *,
    since: datetime,
    until: datetime | None = None,
    by: GroupBy = "source",
    target_s: float = 7200.0,
    brand: str | None = None,
) -> list[ResponseTimes]:
    """KPIs of the mentions alerted in [since, until), per ``by``, busiest first."""
    dialect = session.get_bind().dialect.name
    column: InstrumentedAttribute[str] = getattr(Case, by)
    to_reply = delay(Case.replied_at, Case.alerted_at, dialect)
    within = case((to_reply <= target_s, 1), else_=0)
    period = [Case.alerted_at >= since, _not_backfill()]
    if until is not None:
        period.append(Case.alerted_at < until)
    stmt = (
        select(
            column,
            func.count(),
            func.count(Case.first_action_at),
            func.count(Case.replied_at),
            func.coalesce(func.sum(within), 0),
            func.avg(delay(Case.alerted_at, Case.published_at, dialect)),
            func.avg(delay(Case.first_action_at, Case.alerted_at, dialect)),
            func.avg(to_reply),
        )
        .select_from(Case)
        .where(and_(*period), *_brand(brand))
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [
        ResponseTimes(
            key,
            int(n),
            int(acted),
            int(replied),
            int(ok),
            *(None if v is None else float(v) for v in means),
        )
        for key, n, acted, replied, ok, *means in session.execute(stmt)
    ]


def unanswered(
    session: Session, *, limit: int = 20, brand: str | None = None
) -> list[Unanswered]:
    """Alerted mentions still new or in progress, oldest publication first.

    It walks the index on ``cases.waiting_since``, set only while a case waits.
    """
    stmt = (
        select(
            Case.mention_id,
            Case.source,
            Case.published_at,
            Case.alerted_at,
            Case.state,
            Case.owner,
            Mention.title,
            Mention.text,
        )
        .join(Mention, Mention.id == Case.mention_id)
        .where(Case.waiting_since.is_not(None), *_brand(brand))
        .order_by(Case.waiting_since, Case.mention_id)
        .limit(limit)
    )
    return [
        Unanswered(m, s, p, a, str(st), o, t, x)
        for m, s, p, a, st, o, t, x in session.execute(stmt)
    ]


def duration(value: float | None) -> str:
    """Seconds as ``45s``, ``12m``, ``3.5h`` or ``2.1d``; ``-`` when unknown."""
    if value is None:
        return "-"
    value = max(value, 0.0)  # a reply before the alert was at once
    if value < 60:  # noqa: PLR2004 - a minute
        return f"{value:.0f}s"
    if value < 3600:  # noqa: PLR2004 - an hour
        return f"{value / 60:.0f}m"
    if value < 86400:  # noqa: PLR2004 - a day
        hours = value / 3600
        return f"{hours:.0f}h" if hours.is_integer() else f"{hours:.1f}h"
    return f"{value / 86400:.1f}d"


def mark_own_replies(
    session: Session, accounts: Mapping[str, Sequence[str]], now: datetime
) -> int:
    """Alerted mentions answered in their thread by the brand's own account: replied.

    ``accounts`` maps a source name or source type to the brand's account names
    there (compared case-insensitively, as Reddit does). A post by one of them
    in the same source and thread, published no earlier than the mention,
    counts as the public reply, at its publication time. Such a post is seen
    only if a collector stored it: every collector but Bluesky keeps the posts
    of own accounts that it reads (with no brand); Bluesky only one that names
    a brand.

    A mention whose alert is still pending (the reply came in the same crawl as
    the complaint) gets its case now, already replied, so the alert goes out
    saying it was answered and the case's times stay true.
    """
    marked = 0
    reply = aliased(Mention)
    pending = exists().where(
        Alert.mention_id == Mention.id,
        Alert.kind == AlertKind.MENTION,
        Alert.state == AlertState.PENDING,
    )
    for key, names in accounts.items():
        lowered = [n.lower() for n in names]
        stmt = (
            select(Mention.id, func.min(reply.published_at))
            .outerjoin(Case, Case.mention_id == Mention.id)
            .join(
                reply,
                and_(
                    reply.source == Mention.source,
                    reply.thread_id == Mention.thread_id,
                    reply.id != Mention.id,
                    func.lower(reply.author).in_(lowered),
                    or_(
                        Mention.published_at.is_(None),
                        reply.published_at.is_(None),
                        reply.published_at >= Mention.published_at,
                    ),
                ),
            )
            .where(
                or_(Case.state.in_(OPEN), and_(Case.mention_id.is_(None), pending)),
                or_(Mention.source == key, Mention.source_type == key),
                Mention.thread_id.is_not(None),
                func.lower(func.coalesce(Mention.author, "")).not_in(lowered),
            )
            .group_by(Mention.id)
        )
        for mention_id, replied_at in session.execute(stmt).all():
            open_case(session, mention_id, now)
            actor = f"own account on {key}"
            marked += note_public_reply(session, mention_id, replied_at or now, actor)
    return marked
