"""Reading labelled sets: TweetEval and XLM-T folders, chABSA documents, TSV files."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

import sentiment
from sentiment.datasets import chabsa_documents, load_chabsa, load_labelled
from sentiment.errors import DatasetError


def _tweeteval(folder: Path, split: str, rows: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.txt").write_text("0\tnegative\n1\tneutral\n2\tpositive\n")
    (folder / f"{split}_text.txt").write_text("".join(t + "\n" for t, _ in rows))
    (folder / f"{split}_labels.txt").write_text("".join(n + "\n" for _, n in rows))
    return folder


def _opinion(polarity: str) -> dict[str, object]:
    return {
        "target": "売上高",
        "category": "sales#amount",
        "polarity": polarity,
        "from": 0,
        "to": 3,
    }


def _chabsa(folder: Path, documents: int) -> Path:
    """chABSA's shape: header + sentences with opinions (written for this test)."""
    (folder / "json").mkdir(parents=True)
    for n in range(documents):
        document = {
            "header": {"document_id": f"E{n:05d}", "category33": "サービス業"},
            "sentences": [
                {
                    "sentence_id": 0,
                    "sentence": f"当社{n}の売上高は増加しました。",
                    "opinions": [_opinion("positive")],
                },
                {
                    "sentence_id": 1,
                    "sentence": f"当社{n}の営業利益は減少しました。",
                    "opinions": [
                        _opinion("negative"),
                        _opinion("negative"),
                        _opinion("positive"),
                    ],
                },
                {
                    "sentence_id": 2,
                    "sentence": f"本社は東京都{n}区にあります。",
                    "opinions": [],
                },
                {
                    "sentence_id": 3,
                    "sentence": "売上は増えたが利益は減った。",
                    "opinions": [_opinion("positive"), _opinion("negative")],
                },
            ],
        }
        path = folder / "json" / f"e{n:05d}_ann.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return folder


def test_a_tweeteval_folder_is_one_set(tmp_path: Path) -> None:
    folder = _tweeteval(tmp_path / "tweets", "val", [("bad", "0"), ("good", "2")])
    (labelled,) = load_labelled(folder, "val")
    assert labelled.name == "tweets"
    assert labelled.gold == ["negative", "positive"]


def test_xlmt_layout_gives_one_set_per_language(tmp_path: Path) -> None:
    _tweeteval(tmp_path / "xlmt" / "german", "val", [("schlecht", "0")])
    _tweeteval(tmp_path / "xlmt" / "spanish", "val", [("bueno", "2")])
    sets = load_labelled(tmp_path / "xlmt", "val")
    assert [s.name for s in sets] == ["xlmt/german", "xlmt/spanish"]


def test_chabsa_majority_label_neutral_facts_and_ties_left_out(tmp_path: Path) -> None:
    labelled = load_chabsa(_chabsa(tmp_path / "chabsa", 1), "all")
    assert labelled.gold == ["positive", "negative", "neutral"]
    assert "売上は増えたが利益は減った。" not in labelled.texts


def test_chabsa_splits_by_document_and_never_overlaps(tmp_path: Path) -> None:
    folder = _chabsa(tmp_path / "chabsa", 10)
    val = chabsa_documents(folder, "val")
    train = chabsa_documents(folder, "train")
    assert len(val) == 2
    assert len(train) == 8
    assert not set(val) & set(train)
    assert chabsa_documents(folder, "val") == val  # the split is fixed
    val_texts = set(load_chabsa(folder, "val").texts)
    assert not val_texts & set(load_chabsa(folder, "train").texts)


def test_unknown_layout_and_bad_split_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not a data set"):
        load_labelled(tmp_path, "val")
    folder = _chabsa(tmp_path / "chabsa", 2)
    with pytest.raises(DatasetError, match="train, val and all, not 'test'"):
        load_chabsa(folder, "test")
    (folder / "json" / "e00000_ann.json").write_text("{", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"e00000_ann\.json: not a chABSA document"):
        load_chabsa(folder, "all")


def test_a_tsv_file_is_one_set_per_split_with_kinds(tmp_path: Path) -> None:
    path = tmp_path / "posts.tsv"
    path.write_text(
        "text\tlabel\tkind\tsplit\tfamily\n"
        "神アプリ\tpositive\tshort\ttrain\ts1\n"
        "「最悪」って言う人もいる\tneutral\tsns\tval\tg1\n"
        '"引用"付き\tnegative\tsns\ttrain\tg2\n',
        encoding="utf-8",
    )
    (train,) = load_labelled(path, "train")
    assert train.name == "posts/train"
    assert train.texts == ["神アプリ", '"引用"付き']  # quotes are text, not quoting
    assert train.gold == ["positive", "negative"]
    assert train.kinds == ("short", "sns")
    assert load_labelled(path, "val")[0].texts == ["「最悪」って言う人もいる"]
    assert len(load_labelled(path, "all")[0].texts) == 3
    with pytest.raises(DatasetError, match="no rows in split 'test'"):
        load_labelled(path, "test")
    path.write_text("text\tgold\nx\tpositive\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"no column \['label', 'split'\]"):
        load_labelled(path, "train")


def test_the_colloquial_set_keeps_families_on_one_side_of_its_split() -> None:
    path = Path(sentiment.__file__).parent / "data" / "ja_colloquial.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) >= 1500
    assert len({row["text"] for row in rows}) == len(rows)
    assert all(len(row) == 5 and row["text"].strip() for row in rows)
    labels = Counter(row["label"] for row in rows)
    assert set(labels) == {"negative", "neutral", "positive"}
    assert min(labels.values()) > 0.3 * len(rows)
    splits: dict[str, set[str]] = {}
    for row in rows:
        splits.setdefault(row["family"], set()).add(row["split"])
    assert all(len(sides) == 1 for sides in splits.values())
    val = [row for row in rows if row["split"] == "val"]
    assert 0.15 < len(val) / len(rows) < 0.25
    assert {row["kind"] for row in val} == {row["kind"] for row in rows}
    assert sum(len(row["text"]) <= 15 for row in rows) >= 200
