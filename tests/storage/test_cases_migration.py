"""Migration 0010 carries the older "handled" flag and sent alerts over into cases."""

from __future__ import annotations

from sqlalchemy import text

from storage import make_engine, upgrade

MENTION = (
    "INSERT INTO mentions (id, source, source_type, external_id, text, published_at,"
    " collected_at, updated_at, content_hash, handled_at, handled_by, replied_at)"
    " VALUES (:id, 'play', 'googleplay', :ext, 'アプリが落ちる', :t, :t, :t, 'h',"
    " :handled, :by, :replied)"
)
ALERT = (
    "INSERT INTO alerts (kind, mention_id, rule, channel, state, urgent, attempts,"
    " created_at, sent_at) VALUES ('mention', :id, 'r', '#pr', 'sent', false, 1, :t, :t)"
)


def test_handled_mentions_become_resolved_cases(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0008")
    t = "2026-11-20 09:00:00"
    with engine.begin() as conn:
        for id_, handled, by, replied in [
            (1, "2026-11-20 10:00:00", "dana", None),  # alerted and handled
            (2, None, None, "2026-11-20 09:30:00"),  # alerted, developer replied
            (3, None, None, None),  # alerted only
            (4, None, None, None),  # never alerted: no case
        ]:
            params = {"id": id_, "ext": f"gp:{id_}", "t": t, "handled": handled,
                      "by": by, "replied": replied}  # fmt: skip
            conn.execute(text(MENTION), params)
            if id_ < 4:
                conn.execute(text(ALERT), {"id": id_, "t": t})
    upgrade(engine)
    with engine.connect() as conn:
        cases = conn.execute(
            text("SELECT mention_id, state, owner FROM cases ORDER BY mention_id")
        ).all()
        events = conn.execute(
            text("SELECT mention_id, actor, via, to_state FROM case_events")
        ).all()
        view = conn.execute(
            text(
                "SELECT mention_id, alert_to_first_action_s FROM response_times_view "
                "ORDER BY mention_id"
            )
        ).all()
    engine.dispose()
    assert [tuple(c) for c in cases] == [
        (1, "resolved", "dana"),
        (2, "replied", None),
        (3, "new", None),
    ]
    assert [tuple(e) for e in events] == [(1, "dana", "legacy", "resolved")]
    assert [(m, s and round(s)) for m, s in view] == [(1, 3600), (2, None), (3, None)]
