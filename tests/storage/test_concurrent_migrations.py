"""Any number of processes may open a new database at once: one migrates, all run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
OPEN = "import sys; from storage import open_database; open_database(sys.argv[1])"


def open_at_once(url: str, count: int) -> list[tuple[int, str]]:
    """Start ``count`` processes that open ``url`` together; their (status, stderr)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, url],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    return [(p.wait(timeout=120), p.communicate()[1]) for p in procs]


def heads(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [row[0] for row in conn.execute(text("SELECT * FROM alembic_version"))]
    engine.dispose()
    return found


@pytest.mark.postgres
def test_four_processes_migrate_an_empty_postgres_database(postgres_url: str) -> None:
    results = open_at_once(postgres_url, 4)
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    assert len(heads(postgres_url)) == 1


def test_four_processes_migrate_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'earful.db'}"
    results = open_at_once(url, 4)
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    assert len(heads(url)) == 1
