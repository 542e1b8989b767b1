"""Listen to a Jetstream until SIGKILL, or until it stored the event at UNTIL_US.

``python -m tests.crawlers.bluesky.listen_child DATABASE_URL JETSTREAM_URL [UNTIL_US]``
(the event at UNTIL_US must name the brand: the check runs when news is stored).
"""

from __future__ import annotations

import signal
import sys
import threading

from crawlers.bluesky import JetstreamCollector, JetstreamParams
from crawlers.match import Matcher
from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.bluesky.conftest import ACME


def main() -> None:
    database_url, url = sys.argv[1:3]
    until = int(sys.argv[3]) if len(sys.argv) > 3 else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sessions = open_database(database_url)

    def stored() -> None:
        with sessions() as session:
            if until is not None and get_cursor(session, "bsky") == {"time_us": until}:
                stop.set()

    collector = JetstreamCollector(
        JetstreamParams("bsky", url, replay_margin_s=0.001),
        Matcher([ACME]),
        sessions,
    )
    collector.listen(120, stop, stored)


if __name__ == "__main__":
    main()
