"""Commands that only read never create a database; ``postgres://`` is PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from storage.queries import Match, upsert_mention

READERS = [
    ["mentions"],
    ["stats"],
    ["stats", "--compare"],
    ["export", "mentions"],
    ["status"],
]


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    config = tmp_path / "no-config.toml"  # absent: the URL alone decides
    return CliRunner().invoke(
        main, [*args, "--config", str(config)], env=env or {}, catch_exceptions=False
    )


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_mistyped_sqlite_path_is_an_error_naming_it(tmp_path, command):
    typo = tmp_path / "earfull.db"
    result = _run(tmp_path, *command, "--database-url", f"sqlite:///{typo}")
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"Error: no database at {typo}: no such file (check the path; "
        "`earful run --once` creates the database)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_path_in_a_missing_folder_creates_no_folder(tmp_path):
    path = tmp_path / "データ" / "earful.db"
    result = _run(
        tmp_path, "mentions", env={"EARFUL_DATABASE_URL": f"sqlite:///{path}"}
    )
    assert result.exit_code == 1
    assert f"no database at {path}: the folder {path.parent} does not exist" in (
        result.output
    )
    assert not path.parent.exists()


def test_status_with_a_config_before_anything_ran_creates_nothing(tmp_path):
    path = tmp_path / "earful.db"
    config = tmp_path / "earful.toml"
    config.write_text(
        f'database_url = "sqlite:///{path}"\n\n[[brands]]\nname = "アクメ"\n'
        'terms = ["アクメ"]\n\n[[sources]]\nname = "kaden"\ntype = "feed"\n'
        'url = "http://127.0.0.1:9/feed.xml"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["status", "--config", str(config)], env={})
    assert result.exit_code == 0, result.output
    assert f"Database: sqlite:///{path} (not created yet)" in result.output
    assert "kaden" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earful.toml"]


def test_a_postgres_url_is_postgresql(postgres_url, open_db, tmp_path):
    with open_db(postgres_url)() as session, session.begin():
        fields = {
            "source": "5ch", "source_type": "board", "external_id": "k/1/2",
            "text": "アクメのサポートは電話がつながらない。最悪",
        }  # fmt: skip
        upsert_mention(session, fields, [Match("アクメ", False, ("アクメ",))])
    short = "postgres://" + postgres_url.split("://", 1)[1]
    result = _run(tmp_path, "mentions", "--database-url", short)
    assert result.exit_code == 0, result.output
    assert "アクメのサポートは電話" in result.output  # the table cuts the rest
    status = _run(tmp_path, "status", env={"EARFUL_DATABASE_URL": short})
    assert status.exit_code == 0, status.output
