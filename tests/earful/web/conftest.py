"""A running dashboard over the analyst seed database, one per test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from earful.web import Dashboard
from earful.web.serve import make_server
from tests.storage.analyst_seed import MODEL, seed


@dataclass
class RunningDashboard:
    url: str
    ids: dict[str, int]
    sessions: sessionmaker[Session]


@pytest.fixture
def start_dashboard(sqlite_url, open_db) -> Iterator[Callable[..., RunningDashboard]]:
    stops: list[Callable[[], None]] = []

    def start(token: str | None = None, **settings: Any) -> RunningDashboard:
        sessions = open_db(sqlite_url)
        ids = seed(sessions)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        server = make_server(Dashboard(sessions, MODEL, token, **settings), sock)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started, "dashboard did not start within 30 s"

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()

        stops.append(stop)
        port = sock.getsockname()[1]
        return RunningDashboard(f"http://127.0.0.1:{port}", ids, sessions)

    yield start
    for stop in stops:
        stop()


@pytest.fixture
def dashboard(start_dashboard) -> RunningDashboard:
    return start_dashboard()
