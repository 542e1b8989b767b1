"""An unusable database URL is a clear one-line error naming where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main

HINT = (
    "use sqlite:///earful.db or postgresql+psycopg://user@host/db "
    "(from the config, --database-url or EARFUL_DATABASE_URL)"
)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql+psycopg://u:s3cret@db:notaport/x", "not a database URL"),
        ("not a url", "not a database URL"),
        ("mysql://db/x", "unsupported database 'mysql'"),
    ],
)
def test_an_unparsable_environment_url_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    path = tmp_path / "earful.toml"
    path.write_text('[[brands]]\nname = "Acme"\nterms = ["acme"]\n', encoding="utf-8")
    monkeypatch.setenv("EARFUL_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {path}: database_url: {problem}: {HINT}\n",
    )
    assert "s3cret" not in result.output


def test_an_unparsable_option_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        main, ["db", "upgrade", "--database-url", "postgresql://a:b@h:x/d"]
    )
    assert result.exit_code == 2
    assert f"Invalid value for '--database-url': not a database URL: {HINT}" in (
        result.output.replace("\n", " ").replace("  ", " ")
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
