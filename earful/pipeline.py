"""The stages in order: collect each source, score what is new, queue and deliver alerts.

Each stage reads what the one before stored, so any stage can be re-run after a
crash: collection upserts by (source, external id), scoring picks mentions
without a score for their current text, and alerts go through the outbox.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

import sentiment
from alerts import (
    AlertRule,
    Deliverer,
    DeliveryReport,
    DeliveryWindow,
    SendPolicy,
    enqueue_digests,
    enqueue_spikes,
    make_deliverer,
    retime_held,
)
from alerts import deliver_pending as deliver_outbox
from alerts import enqueue as enqueue_alerts
from crawlers.aspects import AspectDetector
from crawlers.collector import Collector, Context
from crawlers.outcome import Outcome
from crawlers.registry import open_collector
from earful.aspect_scoring import Verdict, aspect_scores
from earful.config import AlertConfig, Config, Source
from earful.reply import PostReport, post_approved, posters
from earful.runs import recorded_run
from storage import open_database
from storage.aspects import save_aspects
from storage.models import Mention, utcnow
from storage.queries import (
    save_score,
    scored_since,
    unscored_mentions,
)
from storage.ratings import star_verdict
from storage.response import mark_own_replies

log = logging.getLogger(__name__)

SCORE_CHUNK = 256
_MODEL_LOAD = threading.Lock()  # one model load at a time in the whole process


@dataclass
class RunSummary:
    """What one pass over every source did; the CLI prints it."""

    crawls: list[Outcome] = field(default_factory=list)
    scored: int = 0
    negative: int = 0
    queued: int = 0
    delivery: DeliveryReport | None = None
    replies: PostReport = field(default_factory=PostReport)

    @property
    def found(self) -> int:
        """Items the collectors saw that named a brand."""
        return sum(c.seen for c in self.crawls)

    @property
    def new(self) -> int:
        """Mentions stored for the first time."""
        return sum(c.new for c in self.crawls)

    @property
    def failed_sources(self) -> list[Outcome]:
        """Crawls that ended with an error."""
        return [c for c in self.crawls if c.error]

    @property
    def empty_sources(self) -> list[Outcome]:
        """Crawls that fetched pages but extracted nothing: never a plain success."""
        return [c for c in self.crawls if c.empty]

    @property
    def ok(self) -> bool:
        """True when every source ran and extracted, and no alert failed or was left."""
        delivery_ok = self.delivery is None or not (
            self.delivery.errors or self.delivery.due_left
        )
        return (
            not self.failed_sources
            and not self.empty_sources
            and delivery_ok
            and not self.replies.failed
        )


class Pipeline:
    """Runs Earful's stages against one config and database."""

    def __init__(self, config: Config, *, console: TextIO | None = None) -> None:
        self.config = config
        self.sessions: sessionmaker[Session] = open_database(config.database_url)
        self._scorer: sentiment.Scorer | None = None
        # Called with the running total after each scored batch (CLI progress).
        self.on_scored: Callable[[int], None] | None = None
        # Each source's collector lives on between runs (streams, cursors, backoff).
        self._collectors: dict[str, tuple[Source, Collector]] = {}
        self._console = console or sys.stdout
        self._deliverer: Deliverer | None = None
        self.posters = posters(config.response.accounts, os.environ)
        # Set on SIGTERM: long stages stop at their next safe point.
        self.stopping = threading.Event()
        self.brands = tuple(b.rule() for b in config.brands)
        self.rules = tuple(alert_rule(r) for r in config.alerts)
        self.window = delivery_window(config)
        self.aspects = AspectDetector(config.aspect_rules())

    @property
    def scorer(self) -> sentiment.Scorer:
        """The sentiment model, loaded on first use and kept for the process.

        The scoring and alert jobs may ask at the same moment; loading one
        model in two threads at once breaks inside torch (``GLOBALS.
        in_onnx_export``), so loads are serialised process-wide and the second
        caller gets the first one's model.
        """
        if self._scorer is None:
            with _MODEL_LOAD:
                if self._scorer is None:
                    s = self.config.sentiment
                    self._scorer = sentiment.load_scorer(
                        s.model,
                        label_map=s.label_map,
                        batch_size=s.batch_size,
                        cache_dir=s.model_cache(),
                    )
        return self._scorer

    def context(self, source: Source) -> Context:
        """What ``source``'s collector gets from the config and this pipeline."""
        crawler = self.config.crawler
        return Context(
            brands=self.brands,
            sessions=self.sessions,
            database_url=self.config.database_url,
            politeness=crawler.politeness(),
            timeout_s=source.timeout or crawler.timeout,
            own_accounts=self.config.response.accounts_on(source.name, source.type),
            stopping=self.stopping,
        )

    def collector(self, source: Source) -> Collector:
        """``source``'s collector, kept while its settings stay the same."""
        kept = self._collectors.get(source.name)
        if kept is not None and kept[0] == source:
            return kept[1]
        collector = open_collector(source, self.context(source))
        self._collectors[source.name] = (source, collector)
        return collector

    def collect(
        self,
        source: Source,
        wake: Callable[[], object] | None = None,
        *,
        once: bool = False,
    ) -> Outcome:
        """Collect one source and record its run; failures come back in the outcome.

        Scrapy sources crawl in a child process; the others poll or listen in
        this thread (``once``: a single run from the command line; ``wake``:
        called when a long run stored something new).
        """

        def run() -> Outcome:
            return self.collector(source).collect(once=once, wake=wake)

        outcome = recorded_run(self.sessions, source.name, run)
        if outcome.error:
            log.warning("source %s failed: %s", source.name, outcome.error)
        elif outcome.empty:
            log.warning("source %s extracted nothing: %s", source.name, outcome.warning)
        else:
            log.info(
                "source %s: %d seen, %d new", source.name, outcome.seen, outcome.new
            )
        return outcome

    def score(self) -> tuple[int, int]:
        """Score every mention lacking a score for its current text.

        Returns (scored, negative). When ``stopping`` is set (SIGTERM) it stops
        before the next model batch; the chunk in progress is rolled back and
        scored on the next start, so a stop never waits for a whole chunk.
        """
        scored = negative = 0
        scorer = self.scorer
        while not self.stopping.is_set():
            try:
                with self.sessions() as session, session.begin():
                    batch = unscored_mentions(
                        session, scorer.model_id, limit=SCORE_CHUNK, skip_locked=True
                    )
                    if not batch:
                        break
                    negative += self._save_scores(session, scorer, batch)
            except _StoppedError:
                log.info("scoring stopped: the chunk in progress is rolled back")
                break
            scored += len(batch)
            if self.on_scored is not None:
                self.on_scored(scored)
        return scored, negative

    def _save_scores(
        self, session: Session, scorer: sentiment.Scorer, mentions: Sequence[Mention]
    ) -> int:
        """Score `mentions` and save the scores; returns how many are negative."""
        texts = [_scoring_text(m) for m in mentions]
        results = self._score_texts(scorer, texts)
        negative = 0
        for mention, result in zip(mentions, results, strict=True):
            label, source = verdict(mention, result.label)
            save_score(
                session,
                mention,
                model_id=scorer.model_id,
                model_revision=scorer.model_revision,
                label=label,
                probabilities=result.probabilities,
                label_source=source,
            )
            negative += label == "negative"
        # aspects keep the text's own verdicts: a clause's polarity is its words'
        self._save_aspects(session, scorer, mentions, texts, results)
        return negative

    def _save_aspects(
        self,
        session: Session,
        scorer: sentiment.Scorer,
        mentions: Sequence[Mention],
        texts: Sequence[str],
        results: Sequence[sentiment.Score],
    ) -> None:
        """Each scored mention's aspects, their clauses scored in one batch."""
        verdicts = [
            Verdict(r.label, float(r.probabilities.get("negative", 0.0)))
            for r in results
        ]
        found = aspect_scores(
            self.aspects,
            lambda clauses: self._score_texts(scorer, clauses),
            [(t, m.language) for t, m in zip(texts, mentions, strict=True)],
            verdicts,
        )
        for mention, aspects in zip(mentions, found, strict=True):
            save_aspects(session, mention.id, scorer.model_id, aspects)

    def rescore(self, since: datetime, *, everything: bool = False) -> Rescored:
        """Score again the mentions dated `since` or later that an older model scored.

        A score is stale when another revision of the model made it: scores keep the
        revision they were made with, so after an upgrade of the default model
        (such as the English-only one giving way to the multilingual one) old and
        new scores would mix in one chart. With `everything`, every score in the
        period is made again. A current score whose review's stars now decide its
        verdict (``verdict``: scores made before ratings were kept as given) gets
        the stars' label without running the model. Alerts already sent are not
        sent again.
        """
        scorer = self.scorer
        checked = rescored = rejudged = 0
        after = 0
        while True:
            with self.sessions() as session, session.begin():
                rows = scored_since(
                    session, scorer.model_id, since, after_id=after, limit=SCORE_CHUNK
                )
                if not rows:
                    break
                after = rows[-1][0].id
                checked += len(rows)
                stale = []
                for mention, result in rows:
                    if everything or result.model_revision != scorer.model_revision:
                        stale.append(mention)
                        continue
                    label, source = verdict(mention, result.label)
                    if source == result.label_source == "text":
                        continue
                    if source == "text":  # the stars no longer decide: ask the text
                        stale.append(mention)
                    elif label != result.label or result.label_source != "stars":
                        result.label, result.label_source = label, source
                        rejudged += 1
                if stale:
                    self._save_scores(session, scorer, stale)
                rescored += len(stale)
            if self.on_scored is not None:
                self.on_scored(rescored)
        return Rescored(checked, rescored, rejudged)

    def _score_texts(
        self, scorer: sentiment.Scorer, texts: list[str]
    ) -> list[sentiment.Score]:
        """``scorer.score`` one model batch at a time, checking ``stopping`` between."""
        step = self.config.sentiment.batch_size
        results: list[sentiment.Score] = []
        for start in range(0, len(texts), step):
            if self.stopping.is_set():
                raise _StoppedError
            results.extend(scorer.score(texts[start : start + step]))
        return results

    def deliverer(self) -> Deliverer:
        """Slack by bot token, else by webhook, else the console; one per pipeline.

        Kept, so channel names resolve to IDs once per process.
        """
        if self._deliverer is None:
            self._deliverer = self._make_deliverer()
        return self._deliverer

    def _make_deliverer(self) -> Deliverer:
        token = self.config.slack_token
        webhook = self.config.slack_webhook_url
        return make_deliverer(
            token=token.get_secret_value() if token else None,
            webhook_url=webhook.get_secret_value() if webhook else None,
            base_url=self.config.slack.base_url,
            stream=self._console,
        )

    def delivery_target(self) -> str:
        """Where alerts go, in words, for summaries and logs (never the secret)."""
        if self.config.slack_token:
            return f"Slack (bot token from {self.config.slack.token_env})"
        if self.config.slack_webhook_url:
            return f"Slack (incoming webhook from {self.config.slack.webhook_env})"
        return (
            f"the console (set {self.config.slack.token_env} or "
            f"{self.config.slack.webhook_env} to send to Slack)"
        )

    def close(self) -> None:
        """Release the database connections."""
        bind = self.sessions.kw.get("bind")
        if bind is not None:
            bind.dispose()

    def send_policy(self) -> SendPolicy:
        """Attempts, backoff, thread window and the "Mark handled" button from config."""
        return SendPolicy(
            max_attempts=self.config.slack.max_attempts,
            backoff_base=self.config.slack.retry_backoff,
            thread_window=timedelta(seconds=self.config.digest.thread_window),
            handle_button=bool(self.config.slack_token and self.config.slack_app_token),
        )

    def alert(self) -> tuple[int, DeliveryReport]:
        """Queue alerts for matching mentions and spikes, then deliver what is due."""
        model_id = self.scorer.model_id
        now = utcnow()
        with self.sessions() as session, session.begin():
            retime_held(session, self.rules, self.window, now)  # the config may differ
            # Spikes first: a flood's mentions then fold into its spike message.
            queued = enqueue_spikes(session, self.rules, model_id=model_id, now=now)
            queued += enqueue_alerts(
                session, self.rules, model_id=model_id, window=self.window, now=now
            )
            if self.config.response.own_accounts:  # replies seen in their threads
                mark_own_replies(session, self.config.response.own_accounts, now)
        report = deliver_outbox(
            self.sessions, self.deliverer(), policy=self.send_policy()
        )
        return queued, report

    def post_replies(self) -> PostReport:
        """Post the replies approved in Slack, each on its mention's network."""
        if not self.posters:  # no account: approved drafts stay drafts
            return PostReport()
        return post_approved(self.sessions, self.posters)

    def digest(self) -> tuple[int, DeliveryReport]:
        """Queue a digest per brand and channel for the period just ended, and send it."""
        # Whole minutes, so two daemons firing the same digest share its key.
        start, end = self.window.digest_period(
            utcnow().replace(second=0, microsecond=0)
        )
        competitors = [b.name for b in self.config.brands if b.competitor]
        with self.sessions() as session, session.begin():
            queued = enqueue_digests(
                session,
                self.rules,
                competitors=competitors,
                model_id=self.scorer.model_id,
                start=start,
                end=end,
                response_target_s=self.config.response.target,
            )
        report = deliver_outbox(
            self.sessions, self.deliverer(), policy=self.send_policy()
        )
        return queued, report

    def run_once(self, sources: Sequence[Source] | None = None) -> RunSummary:
        """Collect every enabled source once, then score and alert."""
        chosen = sources if sources is not None else self.enabled_sources()
        summary = RunSummary(crawls=[self.collect(s, once=True) for s in chosen])
        summary.scored, summary.negative = self.score()
        summary.queued, summary.delivery = self.alert()
        summary.replies = self.post_replies()
        return summary

    def enabled_sources(self) -> list[Source]:
        """Sources the operator has not switched off."""
        return [s for s in self.config.sources if s.enabled]


@dataclass(frozen=True)
class Rescored:
    """What ``Pipeline.rescore`` did: scores it checked, made again, re-judged by stars."""

    checked: int
    rescored: int
    rejudged: int


class _StoppedError(Exception):
    """Scoring stopped for a shutdown; rolls back the chunk in progress."""


def alert_rule(rule: AlertConfig) -> AlertRule:
    """The domain rule for one ``[[alerts]]`` entry."""
    label, probability = rule.label, rule.min_probability
    if rule.min_negative is not None:
        label, probability = "negative", rule.min_negative
    return AlertRule(
        name=rule.name,
        brands=tuple(rule.brands),
        channel=rule.channel,
        label=label,
        min_probability=probability,
        sources=tuple(rule.sources),
        languages=tuple(rule.languages),
        min_score=rule.min_score,
        min_comments=rule.min_comments,
        min_followers=rule.min_followers,
        max_rating=rule.max_rating,
        keywords=tuple(rule.keywords),
        mode=rule.mode,
        urgent=rule.urgent,
        flood_threshold=rule.flood_threshold,
        flood_window=rule.flood_window,
    )


def delivery_window(config: Config) -> DeliveryWindow:
    """Quiet hours and digest times from ``[digest]``, in ``[daemon] timezone``."""
    digest = config.digest
    start = end = None
    if digest.quiet_hours:
        first, last = digest.quiet_hours.split("-")
        start, end = time.fromisoformat(first), time.fromisoformat(last)
    return DeliveryWindow(
        timezone=config.daemon.timezone,
        quiet_start=start,
        quiet_end=end,
        digest_times=tuple(time.fromisoformat(t) for t in digest.times),
    )


def verdict(mention: Mention, text_label: str) -> tuple[str, str]:
    """The mention's label and where it came from: its stars when they decide.

    A review's own rating outranks the model (``storage.ratings``: 1-2 of 5
    negative, 4-5 positive); a 3-star review or an unrated mention keeps the
    text's label.
    """
    stars = star_verdict(mention.rating, mention.rating_best)
    return (text_label, "text") if stars is None else (stars, "stars")


def _scoring_text(mention: Mention) -> str:
    """The text to score: a post's own title with its body, a reply's body alone.

    A feed entry's or a thread's title often carries the complaint, so it is
    scored with the body. A reply (a Reddit or Hacker News comment, a board post)
    carries its thread's title, which is someone else's words: "A thread about
    kettles" would water down "Acme support is useless".
    """
    title, text = mention.title, mention.text
    reply = mention.thread_id is not None and mention.thread_id != mention.external_id
    if title and not reply and not text.startswith(title):
        return f"{title}. {text}" if text else title
    return text
