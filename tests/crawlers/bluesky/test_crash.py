"""Killed with SIGKILL at a random point mid-stream, the collector stores every match once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from storage import Mention
from storage.queries import get_cursor
from tests.conftest import REPO
from tests.servers.jetstream import commit

DID = "did:plc:4qbkwcm7sg2mjm2dnvzgjbfo"
EVENTS = 3000


def _child(database_url: str, url: str, *until: str) -> subprocess.Popen[bytes]:
    module = "tests.crawlers.bluesky.listen_child"
    return subprocess.Popen(
        [sys.executable, "-m", module, database_url, url, *until],
        cwd=REPO,
        # Prepend, not replace: under `pytest --today` the path already names
        # the clock's sitecustomize, and the child must share the test's clock.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, (str(REPO), os.environ.get("PYTHONPATH")))
            ),
        },
    )


def _stream(t0: int) -> list[dict]:
    events = []
    for i in range(EVENTS):
        text = f"アクメの話 {i}" if i % 10 == 9 else f"今日のランチ {i} good day"
        events.append(commit(DID, t0 + i * 100, f"3lk{i:05d}", text=text))
    return events


@pytest.mark.parametrize("seed", [2, 7])  # killed before / after a flush
def test_sigkill_mid_stream_stores_every_matching_post_exactly_once(
    jetstream, database_url, open_db, seed
):
    sessions = open_db(database_url)
    rng = random.Random(seed)  # noqa: S311 - a reproducible kill point
    kill_after = rng.randrange(200, EVENTS - 500)

    first = _child(database_url, jetstream.url)
    try:
        jetstream.wait("the first child to connect", lambda: jetstream.opened == 1)
        t0 = time.time_ns() // 1000  # the relay stamps events as they come
        events = _stream(t0)

        def publish() -> None:  # 2,500 events/s in small chunks
            for start in range(0, EVENTS, 50):
                jetstream.publish(events[start : start + 50])
                stop.wait(0.02)

        stop = threading.Event()
        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        jetstream.wait("the kill point", lambda: jetstream.reached[0] >= kill_after)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        publisher.join(timeout=30)
    finally:
        first.kill()
    last = str(t0 + (EVENTS - 1) * 100)  # a matching post: the child stops there
    second = _child(database_url, jetstream.url, last)
    try:
        assert second.wait(timeout=60) == 0
    finally:
        second.kill()
    resumed_from = int(jetstream.requests[1]["cursor"][0])
    assert resumed_from < t0 + EVENTS * 100  # before the first flush: from the start

    matching = {
        f"at://{DID}/app.bsky.feed.post/3lk{i:05d}"
        for i in range(EVENTS)
        if i % 10 == 9
    }
    with sessions() as session:
        stored = session.scalars(select(Mention.external_id)).all()
        assert session.scalar(select(func.count()).select_from(Mention)) == len(
            matching
        )
        assert get_cursor(session, "bsky") == {"time_us": t0 + (EVENTS - 1) * 100}
    assert sorted(stored) == sorted(matching)
