"""Reply times are true: a reply found with its complaint, never negative, no backfill."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts.render import render
from storage.cases import note_alerted
from storage.models import Alert, AlertKind, AlertState, Case, CaseState
from storage.queries import finish_crawl_run, start_crawl_run
from storage.response import duration, mark_own_replies, response_times
from tests.storage.test_response import store

Factory = sessionmaker[Session]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OWN = {"board": ["アクメ公式サポート"]}


@pytest.fixture
def db(database_url: str, open_db: Callable[[str], Factory]) -> Factory:
    return open_db(database_url)


def _pending_alert(session: Session, mention_id: int) -> int:
    alert = Alert(
        kind=AlertKind.MENTION,
        mention_id=mention_id,
        rule="negative",
        channel="#pr",
        state=AlertState.PENDING,
    )
    session.add(alert)
    session.flush()
    return alert.id


def test_a_reply_in_the_same_crawl_marks_the_case_replied_before_the_alert(
    db: Factory,
) -> None:
    with db() as s, s.begin():
        complaint = store(
            s, "5ch", "board", "kaden/1/2", thread_id="kaden/1", author="名無しさん",
            text="アクメのサポートは電話がつながらない。最悪",
        )  # fmt: skip
        store(
            s, "5ch", "board", "kaden/1/3", thread_id="kaden/1",
            author="アクメ公式サポート", text="ご不便をおかけしております。",
            published_at=T0 + timedelta(minutes=20),
        )  # fmt: skip
        alert_id = _pending_alert(s, complaint)
    now = T0 + timedelta(hours=16)  # the crawl that found both ran much later
    with db() as s, s.begin():
        assert mark_own_replies(s, OWN, now) == 1
    with db() as s, s.begin():
        case = s.get_one(Case, complaint)
        assert (case.state, case.replied_at, case.alerted_at) == (
            CaseState.REPLIED,
            T0 + timedelta(minutes=20),
            None,
        )
        message = render(s.get_one(Alert, alert_id))
        shown = str(message.blocks)
        assert "Answered by the brand at 2026-11-20 09:20 UTC" in shown
        note_alerted(s, complaint, now)  # what sending it records
    with db() as s:
        [kpis] = response_times(s, since=T0, target_s=7200)
    assert (kpis.alerted, kpis.replied, kpis.within_target) == (1, 1, 1)
    assert kpis.alert_to_reply_s == 0.0  # at once, not -16h
    assert duration(kpis.alert_to_reply_s) == "0s"
    assert duration(-59286) == "0s"


def test_mentions_published_before_the_first_crawl_are_backfill(db: Factory) -> None:
    first_crawl = T0 + timedelta(days=2)
    with db() as s, s.begin():
        run = start_crawl_run(s, "5ch")
        run.started_at = first_crawl
        finish_crawl_run(run, seen=2, new=2)
        old = store(s, "5ch", "board", "kaden/2/5", text="アクメのケトルが壊れた")
        fresh = store(
            s, "5ch", "board", "kaden/2/9", text="アクメの配送が遅い",
            published_at=first_crawl + timedelta(minutes=5),
        )  # fmt: skip
        note_alerted(s, old, first_crawl + timedelta(minutes=30))
        note_alerted(s, fresh, first_crawl + timedelta(minutes=30))
    with db() as s:
        [kpis] = response_times(s, since=T0)
    assert kpis.alerted == 1  # the backlog's two-day-old post is not a slow alert
    assert kpis.publication_to_alert_s == pytest.approx(25 * 60)
