"""The daily digest's Response section: replied in time, mean wait, oldest open."""

from __future__ import annotations

from datetime import timedelta

from alerts import build_digest
from alerts.summary import render_digest
from storage.cases import Actor, change, note_alerted
from storage.models import Alert, AlertKind, CaseState
from tests.alerts.conftest import PUBLISHED, store_mention


def test_the_digest_reports_response_times(db) -> None:
    fast = store_mention(db, title="Acme が返金してくれない <!channel>")
    slow = store_mention(db, title="Acme support is broken")
    waiting = store_mention(db, title="アクメの配送が遅い")
    with db() as s, s.begin():
        for mention_id in (fast, slow, waiting):
            note_alerted(s, mention_id, PUBLISHED + timedelta(minutes=5))
        replied = CaseState.REPLIED
        dana = Actor("dana", "slack")
        change(s, fast, dana, state=replied, now=PUBLISHED + timedelta(minutes=35))
        change(s, slow, dana, state=replied, now=PUBLISHED + timedelta(hours=5))
    start, end = PUBLISHED - timedelta(hours=12), PUBLISHED + timedelta(hours=12)
    with db() as s:
        payload = build_digest(
            s, "Acme", competitors=[], model_id="test-model",
            start=start, end=end, response_target_s=3600,
        )  # fmt: skip
    assert payload["response"]["alerted"] == 3
    assert payload["response"]["within_target"] == 1
    alert = Alert(id=9, kind=AlertKind.DIGEST, rule="r", channel="#pr", payload=payload)
    [section] = [
        b["text"]["text"]
        for b in render_digest(alert).blocks
        if b.get("text", {}).get("text", "").startswith("*Response*")
    ]
    assert section == (
        "*Response* (target 1h)\n"
        "1 of 3 alerted mentions replied within 1h (33%); "
        "mean alert → reply 2.7h\n"
        "Oldest unanswered: アクメの配送が遅い (reddit-acme, 2026-11-20 14:05 UTC)"
    )
