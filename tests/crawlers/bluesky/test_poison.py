"""One stranger's post never stops the firehose: poison is skipped, counted, reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawlers.bluesky.jetstream import read_event
from crawlers.errors import BadItemError
from storage.queries import get_cursor
from tests.servers.jetstream import commit

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
T0 = 1_764_565_200_000_000
SEEN = datetime.fromtimestamp(T0 / 1e6, UTC)
DEEP = "[" * 100_000 + "]" * 100_000


def _poison_history(jetstream) -> None:
    """Good posts with every kind of poison between them."""
    jetstream.publish(
        [
            commit(DID, T0, "3lg1", text="アクメ 1"),
            commit(
                DID,
                T0 + 1,
                "3lp1",
                text="アクメ from year 9999",
                created_at="9999-12-31T23:59:59-14:00",
            ),
        ]
    )
    jetstream.publish_raw(DEEP, T0 + 2)
    poison_time = commit(DID, T0, "3lp2", text="acme with time_us 10**20")
    poison_time["time_us"] = 10**20
    jetstream.publish_raw(json.dumps(poison_time), T0 + 3)
    poison_time["time_us"] = -(10**20)
    jetstream.publish_raw(json.dumps(poison_time), T0 + 4)
    jetstream.publish(
        [
            commit(DID, T0 + 5, "3lg2", text="アクメ 2"),
            commit(
                DID,
                T0 + 6,
                "3lp3",
                text="アクメ from year 1",
                created_at="0001-01-01T00:00:00+14:00",
            ),
            commit(DID, T0 + 7, "3lg3", text="アクメ 3"),
        ]
    )


def test_poison_events_between_good_ones_are_skipped_and_reported(jetstream, listening):
    run = listening()
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    _poison_history(jetstream)
    run.wait_for("every good post", lambda: len(run.mentions()) == 5)
    outcome = run.finish()
    assert outcome.error is None
    assert [m.text for m in run.mentions()] == [
        "アクメ 1",
        "アクメ from year 9999",
        "アクメ 2",
        "アクメ from year 1",
        "アクメ 3",
    ]
    dated = {m.text: m.published_at.replace(tzinfo=UTC) for m in run.mentions()}
    assert dated["アクメ from year 9999"] == SEEN.replace(microsecond=1)
    assert dated["アクメ 1"] == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert outcome.counts["skipped"] == 3
    warning = outcome.warning or ""
    assert warning.splitlines()[0] == "3 event(s) skipped as unreadable"
    assert "JSON nested more than 64 deep" in warning
    assert "no time_us, or one out of range" in warning
    assert (
        f"at://{DID}/app.bsky.feed.post/3lp1: createdAt: date "
        "9999-12-31T23:59:59-14:00 is out of range; dated when the relay saw it"
    ) in warning
    with run.sessions() as session:
        assert get_cursor(session, "bsky") == {"time_us": T0 + 7}


def test_the_next_listen_replays_the_poison_and_goes_on_past_it(jetstream, listening):
    first = listening()
    jetstream.wait("the first listen", lambda: jetstream.opened == 1)
    _poison_history(jetstream)
    first.wait_for("the first listen to store", lambda: len(first.mentions()) == 5)
    first.finish()
    second = listening()  # replays from 5 s before the cursor: the poison again
    jetstream.wait("the second listen", lambda: jetstream.opened == 2)
    jetstream.publish([commit(DID, T0 + 8, "3lg4", text="アクメ 4")])
    second.wait_for("the post after", lambda: len(second.mentions()) == 6)
    outcome = second.finish()
    assert outcome.error is None
    assert outcome.counts["skipped"] == 3
    with second.sessions() as session:
        assert get_cursor(session, "bsky") == {"time_us": T0 + 8}


def test_an_event_from_the_future_is_skipped_and_leaves_the_cursor(
    jetstream, listening
):
    run = listening()
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    future = T0 + 10**15  # thirty years on
    jetstream.publish([commit(DID, T0, "3lg1", text="アクメ 1")])
    jetstream.publish_raw(json.dumps(commit(DID, future, "3lf", text="acme")), T0 + 1)
    jetstream.publish([commit(DID, T0 + 2, "3lg2", text="アクメ 2")])
    run.wait_for("both good posts", lambda: len(run.mentions()) == 2)
    outcome = run.finish()
    assert outcome.counts["skipped"] == 1
    assert f"an event's time_us {future} is in the future" in (outcome.warning or "")
    with run.sessions() as session:
        assert get_cursor(session, "bsky") == {"time_us": T0 + 2}


def test_read_event_bounds_nesting_and_shape():
    assert read_event('{"time_us": 1}') == {"time_us": 1}
    for bad in (DEEP, "[1]", "not json", b"\xff\xfe", '{"a":' * 70 + "1" + "}" * 70):
        try:
            read_event(bad)
        except BadItemError:
            continue
        raise AssertionError(bad[:20])
