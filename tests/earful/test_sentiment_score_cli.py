"""`earful sentiment score`: one JSON line per text, the same alone or among others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from earful.cli import main
from sentiment.labels import LABELS
from tests.earful.test_model_load import tiny_model

JAPANESE = "アクメのアプリ、ネットワークエラーとでる はいれません"
ENGLISH = "The app is not very good and the support is bad"
KEYS = ["text", "label", "probabilities", "language", "model", "revision"]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("score") / "model")


def _score(*args: str, stdin: bytes | None = None) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["sentiment", "score", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_argument_gets_a_json_line_with_label_language_and_model(
    model: Path,
) -> None:
    lines = _score("--model", str(model), JAPANESE, ENGLISH)
    assert [line["text"] for line in lines] == [JAPANESE, ENGLISH]
    assert [line["language"] for line in lines] == ["ja", "en"]
    for line in lines:
        assert list(line) == KEYS
        probabilities = line["probabilities"]
        assert isinstance(probabilities, dict)
        assert tuple(probabilities) == LABELS
        assert line["label"] == max(LABELS, key=probabilities.__getitem__)
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        assert line["model"] == str(model)
        assert isinstance(line["revision"], str)
        assert len(line["revision"]) == 16


def test_file_lines_from_stdin_skip_blanks_and_match_arguments(model: Path) -> None:
    stdin = f"\ufeff{JAPANESE}\r\n\n   \n{ENGLISH}\n".encode()
    from_file = _score("--model", str(model), "--file", "-", stdin=stdin)
    alone = [_score("--model", str(model), text)[0] for text in (JAPANESE, ENGLISH)]
    assert from_file == alone


def test_arguments_come_before_file_lines(model: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text(f"{ENGLISH}\n", encoding="utf-8")
    lines = _score("--model", str(model), "--file", str(texts), JAPANESE)
    assert [line["text"] for line in lines] == [JAPANESE, ENGLISH]


def test_a_line_that_is_not_utf8_is_named(model: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_bytes(JAPANESE.encode() + b"\n" + JAPANESE.encode("shift_jis") + b"\n")
    result = CliRunner().invoke(
        main, ["sentiment", "score", "--model", str(model), "--file", str(texts)]
    )
    assert result.exit_code == 1
    assert f"Error: {texts}: line 2: not UTF-8 (invalid start byte" in result.output


def test_no_text_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["sentiment", "score"])
    assert result.exit_code == 2
    assert "give texts as arguments or --file F (- for stdin)" in result.output


def test_a_model_that_cannot_load_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(
        main, ["sentiment", "score", "--model", str(missing), "ok"]
    )
    assert result.exit_code == 1
    assert f"Error: model '{missing}': folder {missing} does not exist" in result.output


def test_bidi_and_control_characters_are_escaped(model: Path) -> None:
    text = "アクメ\u202e最高\x1b[31m"
    result = CliRunner().invoke(
        main, ["sentiment", "score", "--model", str(model), text]
    )
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout
    assert "\x1b" not in result.stdout
    assert "アクメ\\u202e最高\\u001b[31m" in result.stdout
    assert json.loads(result.stdout)["text"] == text
