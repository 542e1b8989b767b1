"""Fixtures every test package shares: databases, local servers, the realdata layer.

Two layers of tests: the standalone suite runs on the fixtures in
``tests/fixtures`` (written by the team in each format's real shape), and the
``realdata`` layer replays the real recordings and pages in ``../shared``
(``EARFUL_SHARED``). Without that folder the realdata layer is deselected, with
one line in the summary saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import open_database
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED = Path(os.environ.get("EARFUL_SHARED", REPO.parent / "shared"))
SHARED_FIXTURES = SHARED / "fixtures"
REALDATA_LEFT_OUT = pytest.StashKey[int]()
POSTGRES_URL = os.environ.get(
    "EARFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="ISO_DATE",
        help="run every process of the suite as if it were this moment "
        "(e.g. 2034-07-31T12:00:00Z); see tests/clock/sitecustomize.py",
    )


def pytest_configure(config: pytest.Config) -> None:
    """With ``--today``, move this process's clock and its children's."""
    today = config.getoption("--today")
    if not today:
        return
    from tests.clock import sitecustomize  # noqa: PLC0415 - time_machine only here

    os.environ[sitecustomize.TODAY] = today
    clock = str(Path(sitecustomize.__file__).parent)
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = f"{clock}{os.pathsep}{path}" if path else clock
    sitecustomize.travel(today)


def pytest_report_header(config: pytest.Config) -> str | None:
    today = config.getoption("--today")
    return f"clock: every process runs as if it were {today}" if today else None


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Without ``../shared``, leave out the realdata layer (counted, not skipped)."""
    if SHARED_FIXTURES.is_dir():
        return
    realdata = [item for item in items if item.get_closest_marker("realdata")]
    if realdata:
        config.hook.pytest_deselected(items=realdata)
        items[:] = [item for item in items if not item.get_closest_marker("realdata")]
    config.stash[REALDATA_LEFT_OUT] = len(realdata)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The one line that says the realdata layer did not run, and why."""
    left_out = config.stash.get(REALDATA_LEFT_OUT, None)
    if left_out:
        terminalreporter.write_line(
            f"realdata layer: {left_out} tests not run: shared fixtures not found "
            f"at {SHARED} (set EARFUL_SHARED)"
        )


@pytest.fixture(scope="session")
def shared() -> Path:
    """The team's shared recordings and pages, for tests marked ``realdata``."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED} (set EARFUL_SHARED)")
    return SHARED


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'earful.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, created for the test and dropped after it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"earful_test_{uuid.uuid4().hex[:12]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}")
    url = make_url(POSTGRES_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that asks for it runs on SQLite and, when reachable, PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def open_db() -> Iterator[Callable[[str], sessionmaker[Session]]]:
    """``open_database`` whose engines are disposed when the test ends."""
    opened: list[sessionmaker[Session]] = []

    def _open(url: str) -> sessionmaker[Session]:
        sessions = open_database(url)
        opened.append(sessions)
        return sessions

    yield _open
    for sessions in opened:
        sessions.kw["bind"].dispose()


def fixture_roots() -> tuple[Path, ...]:
    """Where servers look up fixture files: ours first, then ``../shared``'s."""
    if SHARED_FIXTURES.is_dir():
        return (FIXTURES, SHARED_FIXTURES)
    return (FIXTURES,)


@pytest.fixture(scope="session")
def site() -> Iterator[SampleSite]:
    """The sample site (see ``tests/servers/site.py``), once per test session."""
    with SampleSite(fixture_roots()) as running:
        yield running


@pytest.fixture(scope="session")
def slack_server() -> Iterator[SlackServer]:
    """The local Slack Web API (in-repo fixtures only), started once per session."""
    with SlackServer() as server:
        yield server


@pytest.fixture
def slack(slack_server: SlackServer) -> SlackServer:
    """The local Slack with no requests, messages or scenario counts recorded yet."""
    slack_server.reset()
    return slack_server
