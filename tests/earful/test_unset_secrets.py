"""A secret variable the config names but the environment lacks is an error, not the console."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main


def write(tmp_path: Path, slack: str) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "earful.db"}"\n'
        '[[brands]]\nname = "Acme"\nterms = ["acme"]\n'
        f"[slack]\n{slack}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", [["config", "check"], ["run", "--once"]])
def test_a_named_token_variable_that_is_unset_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("MY_SLACK_TOKEN", raising=False)
    monkeypatch.delenv("MY_APP_TOKEN", raising=False)
    path = write(
        tmp_path, 'token_env = "MY_SLACK_TOKEN"\napp_token_env = "MY_APP_TOKEN"'
    )
    result = CliRunner().invoke(main, [*command, "--config", str(path)])
    assert (result.exit_code, result.output) == (
        1,
        (
            f"Error: {path}: slack.token_env: environment variable MY_SLACK_TOKEN "
            "is not set (set it, or remove token_env from the config)\n"
            f"{path}: slack.app_token_env: environment variable MY_APP_TOKEN is "
            "not set (set it, or remove app_token_env from the config)\n"
        ),
    )
    assert not (tmp_path / "earful.db").exists()  # nothing ran, nothing marked sent


def test_a_named_variable_that_is_set_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_WEBHOOK", "http://127.0.0.1:9/hook/ok")
    path = write(tmp_path, 'webhook_env = "MY_WEBHOOK"')
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    assert (result.exit_code, result.output) == (
        0,
        f"{path}: ok (1 brands, 0 sources, 0 alert rules)\n",
    )


def test_no_slack_target_at_all_uses_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    path = write(tmp_path, "max_attempts = 3")
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    assert (result.exit_code, result.output) == (
        0,
        f"{path}: ok (1 brands, 0 sources, 0 alert rules)\n",
    )
