"""Response-time KPIs, unanswered mentions and replies seen by collectors.

On SQLite and PostgreSQL: the delays are computed in SQL by each dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from storage.cases import Actor, case_events, change, note_alerted
from storage.models import Case, CaseState
from storage.queries import Match, upsert_mention
from storage.response import (
    duration,
    mark_own_replies,
    response_times,
    unanswered,
)

Factory = sessionmaker[Session]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACME = [Match(brand="Acme", competitor=False, terms=("acme",))]


@pytest.fixture
def db(database_url: str, open_db: Callable[[str], Factory]) -> Factory:
    return open_db(database_url)


def store(session: Session, source: str, kind: str, ext: str, **fields) -> int:
    values = {
        "source": source,
        "source_type": kind,
        "external_id": ext,
        "text": fields.pop("text", "Acmeの配送が遅い"),
        "published_at": T0,
        **fields,
    }
    return upsert_mention(session, values, ACME).mention_id


def test_kpis_per_source_and_type_and_the_unanswered(db: Factory) -> None:
    dana = Actor("dana", "slack")
    with db() as s, s.begin():
        # reddit: alerted 10 min after publication, taken at +5 min, replied at +1 h
        a = store(s, "reddit-acme", "reddit", "t3_a", title="Acme 最悪")
        note_alerted(s, a, T0 + timedelta(minutes=10))
        change(s, a, dana, owner="dana", now=T0 + timedelta(minutes=15))
        change(s, a, dana, state=CaseState.REPLIED, now=T0 + timedelta(minutes=70))
        # reddit: alerted, replied after 3 h (past the 2 h target)
        b = store(
            s, "reddit-acme", "reddit", "t3_b", published_at=T0 - timedelta(days=1)
        )
        note_alerted(s, b, T0)
        change(s, b, dana, state=CaseState.REPLIED, now=T0 + timedelta(hours=3))
        # a review site: alerted, nobody answered yet; published earliest
        c = store(s, "kakaku", "reviews", "r1", published_at=T0 - timedelta(days=3))
        note_alerted(s, c, T0 + timedelta(hours=1))
        # alerted before the period: not counted
        d = store(s, "kakaku", "reviews", "r2")
        note_alerted(s, d, T0 - timedelta(days=40))
    with db() as s:
        since = T0 - timedelta(days=1)
        by_source = response_times(s, since=since, target_s=7200)
        by_type = response_times(s, since=since, by="source_type", target_s=7200)
        open_cases = unanswered(s)
        view = s.execute(
            text(
                "SELECT mention_id, publication_to_alert_s, alert_to_first_action_s, "
                "alert_to_reply_s FROM response_times_view ORDER BY mention_id"
            )
        ).all()
    reddit, kakaku = by_source
    assert (reddit.key, reddit.alerted, reddit.acted, reddit.replied) == (
        "reddit-acme", 2, 2, 2
    )  # fmt: skip
    assert reddit.within_target == 1
    assert reddit.share_within_target == 0.5
    assert reddit.publication_to_alert_s == pytest.approx((600 + 86400) / 2)
    assert reddit.alert_to_action_s == pytest.approx((300 + 3 * 3600) / 2)
    assert reddit.alert_to_reply_s == pytest.approx((3600 + 3 * 3600) / 2)
    assert (kakaku.alerted, kakaku.replied, kakaku.alert_to_reply_s) == (1, 0, None)
    assert kakaku.share_within_target == 0.0
    assert [r.key for r in by_type] == ["reddit", "reviews"]
    assert [u.mention_id for u in open_cases] == [c, d]  # oldest publication first
    assert [round(v[1]) for v in view] == [600, 86400, 3 * 86400 + 3600, -40 * 86400]
    assert [v[3] and round(v[3]) for v in view] == [3600, 3 * 3600, None, None]


def test_a_developer_reply_on_update_marks_the_case_replied(db: Factory) -> None:
    with db() as s, s.begin():
        m = store(s, "play-acme", "googleplay", "gp:1", text="アプリが落ちる")
        note_alerted(s, m, T0)
    replied = T0 + timedelta(minutes=45)
    with db() as s, s.begin():
        store(
            s, "play-acme", "googleplay", "gp:1", text="アプリが落ちる",
            reply_text="ご不便をおかけし申し訳ございません。", replied_at=replied,
        )  # fmt: skip
    with db() as s:
        case = s.get_one(Case, m)
        assert (case.state, case.replied_at, case.first_action_at) == (
            "replied",
            replied,
            None,  # a collector's sighting is the reply, not a person's action
        )
        [event] = case_events(s, m)
        assert (event.actor, event.via, event.to_state) == (
            "developer reply",
            "collector",
            "replied",
        )


def test_the_brands_own_account_in_the_thread_marks_earlier_mentions_replied(
    db: Factory,
) -> None:
    with db() as s, s.begin():
        asked = store(
            s, "reddit-acme", "reddit", "t1_q", author="angry", thread_id="t3_x"
        )
        other = store(
            s, "reddit-acme", "reddit", "t1_o", author="sad", thread_id="t3_y"
        )
        for mention_id in (asked, other):
            note_alerted(s, mention_id, T0)
        store(
            s, "reddit-acme", "reddit", "t1_r", author="AcmeSupport",
            thread_id="t3_x", text="Acme support here: DM us your order number",
            published_at=T0 + timedelta(minutes=20),
        )  # fmt: skip
    with db() as s, s.begin():
        assert mark_own_replies(s, {"reddit": ["acmesupport"]}, T0) == 1
        assert mark_own_replies(s, {"reddit": ["acmesupport"]}, T0) == 0  # once
    with db() as s:
        assert s.get_one(Case, asked).state == "replied"
        assert s.get_one(Case, asked).replied_at == T0 + timedelta(minutes=20)
        assert s.get_one(Case, other).state == "new"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (42, "42s"), (600, "10m"), (5400, "1.5h"), (3 * 86400, "3.0d")],
)
def test_duration(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown
