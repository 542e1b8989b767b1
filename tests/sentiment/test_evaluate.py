"""Loading TweetEval files and computing the evaluation figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment import load_scorer
from sentiment.errors import DatasetError
from sentiment.evaluate import (
    EvalReport,
    evaluate,
    evaluate_by_language,
    load_tweeteval,
)


def _write(folder: Path, texts: list[str], labels: list[str]) -> Path:
    (folder / "mapping.txt").write_text("0\tnegative\n1\tneutral\n2\tpositive\n")
    (folder / "val_text.txt").write_text("".join(t + "\n" for t in texts))
    (folder / "val_labels.txt").write_text("".join(label + "\n" for label in labels))
    return folder


def test_load_tweeteval(tmp_path: Path) -> None:
    _write(tmp_path, ["bad day", "a day", "good day"], ["0", "1", "2"])
    texts, gold = load_tweeteval(tmp_path, "val")
    assert texts == ["bad day", "a day", "good day"]
    assert gold == ["negative", "neutral", "positive"]


def test_bad_label_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, ["a", "b", "c"], ["0", "7", "2"])
    with pytest.raises(DatasetError, match=r"val_labels\.txt:2: label '7'"):
        load_tweeteval(tmp_path, "val")


def test_line_count_mismatch(tmp_path: Path) -> None:
    _write(tmp_path, ["a", "b"], ["0"])
    with pytest.raises(DatasetError, match="2 lines"):
        load_tweeteval(tmp_path, "val")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"mapping\.txt: file not found"):
        load_tweeteval(tmp_path, "val")


def test_bad_mapping_line(tmp_path: Path) -> None:
    _write(tmp_path, ["a"], ["0"])
    (tmp_path / "mapping.txt").write_text("0 negative\n1 meh\n")
    with pytest.raises(DatasetError, match=r"mapping\.txt:2"):
        load_tweeteval(tmp_path, "val")


def test_evaluate_figures(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    texts = ["good", "bad", "", "the movie", "awful", "great day"]
    gold = ["positive", "negative", "neutral", "neutral", "negative", "positive"]
    predicted = [s.label for s in scorer.score(texts)]
    report = evaluate(scorer, texts, gold)
    assert report.rows == 6
    assert report.accuracy == pytest.approx(
        sum(p == g for p, g in zip(predicted, gold, strict=True)) / 6
    )
    assert sum(sum(row.values()) for row in report.confusion.values()) == 6
    assert report.macro_recall == pytest.approx(sum(report.recall.values()) / 3)
    assert report.binary_rows is None
    text = report.format()
    assert "macro recall" in text
    assert str(three_class) in text


def test_evaluate_binary_model(make_model) -> None:
    scorer = load_scorer(str(make_model({0: "negative", 1: "positive"})))
    texts = ["good", "bad", "the movie", "awful"]
    gold = ["positive", "negative", "neutral", "negative"]
    report = evaluate(scorer, texts, gold)
    assert report.binary_rows == 3
    assert report.recall["neutral"] == 0.0
    assert "non-neutral rows: 3" in report.format()


def test_evaluate_with_progress_gives_the_same_report(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    texts = [f"review number {i} was {'good' if i % 2 else 'bad'}" for i in range(600)]
    gold = ["positive" if i % 2 else "negative" for i in range(600)]
    reported: list[int] = []
    with_bar = evaluate(scorer, texts, gold, progress=reported.append)
    assert reported == [256, 256, 88]
    assert with_bar == evaluate(scorer, texts, gold)


def _report(predicted: list[str]) -> EvalReport:
    return EvalReport(
        "m", "r", len(predicted), 0.0, 0.0, 0.0, {}, {}, {}, predicted=tuple(predicted)
    )


def test_evaluate_by_language_takes_the_callers_languages() -> None:
    """The languages come in (detected as for a mention); None counts as "?"."""
    gold = ["negative", "negative", "positive", "positive", "negative", "neutral"]
    predicted = ["negative", "positive", "positive", "positive", "negative", "neutral"]
    detected = ["ja", "ja", "ja", "en", "en", None]
    lines = evaluate_by_language(_report(predicted), detected, gold)
    assert lines is not None
    assert lines.splitlines()[1:] == [
        "  ja                        3        0.7500           0.5000",
        "  en                        2        1.0000           1.0000",
        "  ?                         1        1.0000              nan",
    ]


def test_evaluate_by_language_skips_a_one_language_set() -> None:
    gold = ["negative"] * 20 + ["positive"]
    assert evaluate_by_language(_report(gold), ["ja"] * 20 + ["en"], gold) is None
