"""SQLAlchemy models: mentions, brand matches, sentiment, alerts, crawl runs, cursors."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; this keeps both
    backends returning aware UTC datetimes and refuses naive ones on write.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = f"naive datetime {value!r}: store timezone-aware UTC datetimes"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The one declarative base; its metadata names every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Mention(Base):
    """One post, comment, review or feed entry that names a watched brand."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_mentions_published_at", "published_at"),
        # The few mentions answered in public, by date: the comparison's reply
        # times read this alone (covering), not every mention of the period.
        Index(
            "ix_mentions_answered",
            "published_at",
            "replied_at",
            sqlite_where=text("replied_at IS NOT NULL"),
            postgresql_where=text("replied_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    source_type: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(256))
    site_name: Mapped[str | None] = mapped_column(String(256))
    thread_id: Mapped[str | None] = mapped_column(String(512))
    parent_id: Mapped[str | None] = mapped_column(String(512))
    top_level: Mapped[bool | None]
    score: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    followers: Mapped[int | None] = mapped_column(Integer)
    # A review's rating as the site gave it (1 of 5, 7 of 10) and the top of its
    # scale; storage.ratings says what they mean together.
    rating: Mapped[float | None] = mapped_column(Float)
    rating_best: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    # "day", "month" or "year" when the source gave no finer date (published_at
    # is then the first of it); None when it gave a time.
    published_precision: Mapped[str | None] = mapped_column(String(8))
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any] | None]
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(100))
    # The answer the site shows under the post (an app developer's reply): when
    # set, the mention was answered in public.
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]

    matches: Mapped[list[BrandMatch]] = relationship(
        back_populates="mention", cascade="all, delete-orphan"
    )
    sentiments: Mapped[list[SentimentResult]] = relationship(
        back_populates="mention", cascade="all, delete-orphan"
    )
    aspects: Mapped[list[MentionAspect]] = relationship(
        cascade="all, delete-orphan", order_by="MentionAspect.id"
    )
    # The team's response (storage.cases changes it); None until alerted or acted on.
    case: Mapped[Case | None] = relationship(viewonly=True)


# The negative inbox pages by reach, largest first, unknown reach last.
Index("ix_mentions_followers", Mention.followers.desc().nulls_last())


class BrandMatch(Base):
    """Which brand a mention names, and the terms that matched.

    ``published_at`` copies the mention's so that one brand over time and share
    of voice read these indexes alone. Triggers (migration 0003) keep it equal
    to the mention's on every insert and update; never set it yourself.
    """

    __tablename__ = "brand_matches"
    # The database sets published_at: read it back on access, not by RETURNING,
    # which on SQLite shows the row as inserted, before the trigger dated it.
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 - mypy refuses ClassVar
    __table_args__ = (
        UniqueConstraint("mention_id", "brand"),
        # One brand over time; SQLite also skip-scans it for share of voice.
        Index(
            "ix_brand_matches_brand_published_at",
            "brand",
            "published_at",
            "competitor",
            "mention_id",
        ),
        # Every brand in a period: share of voice.
        Index(
            "ix_brand_matches_published_at_brand", "published_at", "brand", "competitor"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    brand: Mapped[str] = mapped_column(String(100))
    competitor: Mapped[bool] = mapped_column(default=False)
    terms: Mapped[list[str]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue()
    )

    mention: Mapped[Mention] = relationship(back_populates="matches")


class SentimentResult(Base):
    """A model's verdict on one version of a mention's text (one row per model)."""

    __tablename__ = "sentiment_results"
    __table_args__ = (
        UniqueConstraint("mention_id", "model_id"),
        # Joins that need only the label read the index, not the table.
        Index(
            "ix_sentiment_results_mention_id_model_id_label",
            "mention_id",
            "model_id",
            "label",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE")
    )
    model_id: Mapped[str] = mapped_column(String(256))
    model_revision: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(16))
    # "stars" when the review's own rating decided ``label`` (storage.ratings),
    # "text" when the model did; the probabilities are always the model's.
    label_source: Mapped[str] = mapped_column(String(8), server_default="text")
    negative: Mapped[float] = mapped_column(Float)
    neutral: Mapped[float] = mapped_column(Float)
    positive: Mapped[float] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    mention: Mapped[Mention] = relationship(back_populates="sentiments")


class AlertState(enum.StrEnum):
    """Where an alert is in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    FOLDED = "folded"  # part of a flood: told by its incident message, not posted


class AlertKind(enum.StrEnum):
    """What an alert is about."""

    MENTION = "mention"
    SPIKE = "spike"
    DIGEST = "digest"


class Alert(Base):
    """An outbox row: written before delivery, so nothing is lost or sent twice.

    A mention alert has ``mention_id``; spike and digest alerts carry their
    content in ``payload``. ``key`` identifies the alert across restarts (e.g.
    ``spike:Acme:2026-11-23T09``), unique per channel. Alerts with the same
    ``thread_key`` (one Reddit thread, one review page) are sent as replies in
    the thread of the first one (``thread_ts``). Whether the mention was
    handled lives on the mention, so Slack and the dashboard share one state.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("mention_id", "channel"),
        UniqueConstraint("channel", "key"),
        Index("ix_alerts_state_deliver_after", "state", "deliver_after"),
        Index("ix_alerts_channel_thread_key", "channel", "thread_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(
        Enum(
            AlertKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AlertKind.MENTION,
    )
    key: Mapped[str | None] = mapped_column(String(200))
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(100))
    state: Mapped[AlertState] = mapped_column(
        Enum(
            AlertState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AlertState.PENDING,
    )
    urgent: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict[str, Any] | None]
    thread_key: Mapped[str | None] = mapped_column(String(512))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deliver_after: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    mention: Mapped[Mention | None] = relationship()


class CaseState(enum.StrEnum):
    """Where the team's response to a mention is: new → in progress → replied → resolved.

    ``replied`` means answered in public; ``resolved`` that the customer was
    satisfied or updated the review.
    """

    NEW = "new"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    RESOLVED = "resolved"


class Case(Base):
    """The team's response to one mention: its owner, state and response times.

    One row per mention, however many channels it was alerted in, so every
    Slack message about it, the dashboard and the CLI share one state. The
    times are those of the first event of each kind and the mention's source
    and publication are copied in, so KPIs read this table alone;
    ``case_events`` keeps the whole history.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_alerted_at", "alerted_at"),
        Index("ix_cases_waiting_since", "waiting_since"),
    )

    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[CaseState] = mapped_column(
        Enum(
            CaseState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CaseState.NEW,
    )
    owner: Mapped[str | None] = mapped_column(String(100))
    # The owner's Slack user id, where assigned in Slack: messages show <@id>.
    owner_slack_id: Mapped[str | None] = mapped_column(String(32))
    # Copied from the mention when the case opens, so the KPIs read cases alone.
    source: Mapped[str] = mapped_column(String(100))
    source_type: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]
    # While alerted and not answered (new, in_progress): the publication time,
    # else the alert's; NULL otherwise. The unanswered list walks its index.
    waiting_since: Mapped[datetime | None]
    first_action_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    # The public URL of the brand's reply, where Earful posted it.
    reply_url: Mapped[str | None] = mapped_column(String(2048))
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    mention: Mapped[Mention] = relationship()


class ReplyPostState(enum.StrEnum):
    """A reply's way out: draft → approved → posted, or failed (retried later)."""

    DRAFT = "draft"
    APPROVED = "approved"
    POSTED = "posted"
    FAILED = "failed"


class ReplyPost(Base):
    """A reply drafted in Slack, to post on the mention's network as the brand.

    Who drafted it, who approved it and the final text are kept; ``url`` and
    ``posted_at`` once it went out. The outbox of the public answers
    (``storage.replies``).
    """

    __tablename__ = "reply_posts"
    __table_args__ = (Index("ix_reply_posts_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE")
    )
    network: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    drafted_by: Mapped[str] = mapped_column(String(100))
    drafted_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    state: Mapped[ReplyPostState] = mapped_column(
        Enum(
            ReplyPostState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ReplyPostState.DRAFT,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    external_id: Mapped[str | None] = mapped_column(String(512))
    posted_at: Mapped[datetime | None]

    mention: Mapped[Mention] = relationship()


class CaseEvent(Base):
    """One change to a case, append-only: who, from where, when, and what changed."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_mention_id_at", "mention_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    via: Mapped[str] = mapped_column(String(16))  # slack, dashboard, cli, collector
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(100))


class CrawlRun(Base):
    """One run of one source: when, what it fetched, extracted and stored, what went wrong.

    ``status``: ``running``, ``ok``, ``failed`` (``error`` says why) or ``empty``
    (pages fetched, nothing extracted: ``warning`` says why).
    """

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started_at", "source", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    items_seen: Mapped[int] = mapped_column(default=0)
    items_new: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Extraction health (None where a collector does not count it, as Reddit's
    # pages): a run that fetched pages but extracted nothing is ``empty``.
    pages_fetched: Mapped[int | None]
    items_extracted: Mapped[int | None]
    items_matched: Mapped[int | None]
    warning: Mapped[str | None] = mapped_column(Text)


class SourceCursor(Base):
    """Where a source's incremental collection got to (last id, date, ETag…)."""

    __tablename__ = "source_cursors"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduledJob(Base):
    """The active scheduler's jobs: each one's schedule and next run.

    The scheduler writes them with its heartbeat and reads them back when it
    starts, so a restart keeps every unchanged job's next run; ``earful status``
    reads them for its "next run" column.
    """

    __tablename__ = "scheduled_jobs"

    job: Mapped[str] = mapped_column(String(200), primary_key=True)
    schedule: Mapped[str] = mapped_column(String(500))
    next_run_at: Mapped[datetime | None]


class DaemonHeartbeat(Base):
    """One row per running ``earful run``: when it last proved it was working.

    ``earful status`` exits 1 when the newest beat is stale: the daemon is
    dead or stuck. A daemon that stops cleanly deletes its row.
    """

    __tablename__ = "daemon_heartbeats"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]


class JobRun(Base):
    """The last run of each scheduled job (``score``, ``alert``, ``source:NAME``…)."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class MentionAspect(Base):
    """One aspect a mention is about (delivery, price…) and its polarity there.

    One row per mention, sentiment model, aspect and brand the mention names:
    the polarity is that model's verdict on the clause naming the aspect
    (``basis`` ``clause``), or the mention's own when the clause alone says
    nothing either way (``basis`` ``mention``). Rescoring a mention replaces
    its rows. ``brand`` and ``published_at`` are copies, so a brand's aspects
    in a period read one index of this table alone (no join per mention);
    ``save_aspects`` writes them, and a trigger (migration 0011) carries a
    mention's new ``published_at`` here.
    """

    __tablename__ = "mention_aspects"
    __table_args__ = (
        UniqueConstraint("mention_id", "model_id", "aspect", "brand"),
        # One brand's aspects in a period.
        Index(
            "ix_mention_aspects_model_id_brand_published_at",
            "model_id",
            "brand",
            "published_at",
            "aspect",
            "label",
        ),
        # Every brand's aspects in a period.
        Index(
            "ix_mention_aspects_model_id_published_at",
            "model_id",
            "published_at",
            "brand",
            "aspect",
            "label",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE")
    )
    model_id: Mapped[str] = mapped_column(String(256))
    aspect: Mapped[str] = mapped_column(String(64))
    brand: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(16))
    negative: Mapped[float] = mapped_column(Float)
    basis: Mapped[str] = mapped_column(String(16))
    terms: Mapped[list[str]] = mapped_column(JSON)
    published_at: Mapped[datetime | None]


class BrandDay(Base):
    """How many brand matches one brand has on one UTC day: the comparison's rollup.

    Triggers (migration 0016) keep it equal to ``brand_matches`` on every
    insert, update and delete, by any writer, in the writer's transaction;
    ``storage.rollup`` says how the comparison reads it. A count may be 0
    after deletions. Never write it yourself.
    """

    __tablename__ = "brand_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(100), primary_key=True)
    competitor: Mapped[bool] = mapped_column(primary_key=True)
    mentions: Mapped[int]


class BrandDayLabel(Base):
    """How many of one brand's matches on one UTC day a model labelled so.

    The join of ``brand_matches`` and ``sentiment_results`` counted ahead, kept
    by the same triggers as ``BrandDay``: rescoring, re-attribution, a new
    date or a deletion moves the counts in the same transaction.
    """

    __tablename__ = "brand_day_labels"

    model_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(16), primary_key=True)
    mentions: Mapped[int]


class BrandDayAspect(Base):
    """How many of one brand's aspect rows on one UTC day have one aspect and label.

    ``mention_aspects`` counted ahead by triggers (migration 0016), as
    ``BrandDay`` counts ``brand_matches``: the comparison's aspects for a
    quarter read these instead of every aspect row of the quarter.
    """

    __tablename__ = "brand_day_aspects"

    model_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    brand: Mapped[str] = mapped_column(String(100), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(16), primary_key=True)
    mentions: Mapped[int]
