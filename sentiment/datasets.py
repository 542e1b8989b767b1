"""Labelled data sets for evaluation and training: TweetEval layout, XLM-T folders, chABSA, TSV.

* A folder with ``mapping.txt`` is one TweetEval-format set (``{split}_text.txt``,
  ``{split}_labels.txt``).
* A folder whose subfolders are such sets (XLM-T: one per language) is read as one
  set per subfolder.
* A folder with ``json/*.json`` documents is chABSA (TIS Inc., CC BY 4.0): Japanese
  securities-report sentences with aspect-level polarity. Each sentence gets the
  majority polarity of its opinions; a sentence without opinions is neutral (they
  are factual statements); a tie is left out. Documents, not sentences, are split:
  a fixed shuffle (seed 13) of the sorted document names puts the first fifth in
  ``val`` and the rest in ``train``, so one company's phrasing never sits on both
  sides. ``all`` is every document.
* A ``.tsv`` file with a header ``text, label, kind, split`` is one set per
  split (the team's colloquial Japanese, ``sentiment/data/ja_colloquial.tsv``);
  ``all`` is every row.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from sentiment.errors import DatasetError
from sentiment.evaluate import load_tweeteval

CHABSA_SEED = 13
CHABSA_VAL_SHARE = 5  # one document in five


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """Texts with gold labels, named after where they came from."""

    name: str
    texts: list[str]
    gold: list[str]
    kinds: tuple[str, ...] = ()
    """Each row's source kind, where the set records it (TSV sets)."""


def load_labelled(path: Path, split: str) -> list[LabelledSet]:
    """Every labelled set at `path` for `split` (see the module docstring)."""
    if path.suffix == ".tsv" and path.is_file():
        return [load_tsv(path, split)]
    if (path / "mapping.txt").is_file():
        return [LabelledSet(path.name, *load_tweeteval(path, split))]
    if (path / "json").is_dir():
        return [load_chabsa(path, split)]
    if path.is_dir():
        subsets = sorted(d for d in path.iterdir() if (d / "mapping.txt").is_file())
        if subsets:
            return [
                LabelledSet(f"{path.name}/{d.name}", *load_tweeteval(d, split))
                for d in subsets
            ]
    raise DatasetError(
        f"{path}: not a data set: expected mapping.txt (TweetEval layout), "
        "subfolders holding mapping.txt (XLM-T), json/*.json (chABSA), or a .tsv file"
    )


def chabsa_documents(path: Path, split: str) -> list[Path]:
    """The chABSA document files of `split` ("train", "val" or "all")."""
    documents = sorted((path / "json").glob("*.json"))
    if not documents:
        raise DatasetError(f"{path / 'json'}: no chABSA documents (*.json)")
    if split == "all":
        return documents
    shuffled = list(documents)
    random.Random(CHABSA_SEED).shuffle(shuffled)  # noqa: S311 - a fixed split, not security
    val = set(shuffled[: len(shuffled) // CHABSA_VAL_SHARE])
    if split == "val":
        return [d for d in documents if d in val]
    if split == "train":
        return [d for d in documents if d not in val]
    raise DatasetError(f"{path}: chABSA splits are train, val and all, not {split!r}")


def load_chabsa(path: Path, split: str) -> LabelledSet:
    """chABSA sentences of `split` with one label each (majority of their opinions)."""
    texts: list[str] = []
    gold: list[str] = []
    for document in chabsa_documents(path, split):
        try:
            sentences = json.loads(document.read_text(encoding="utf-8"))["sentences"]
            for sentence in sentences:
                label = _majority([o["polarity"] for o in sentence["opinions"]])
                if label is not None:
                    texts.append(str(sentence["sentence"]))
                    gold.append(label)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{document}: not a chABSA document ({exc})") from exc
    return LabelledSet(f"{path.name}/{split}", texts, gold)


def _majority(polarities: list[str]) -> str | None:
    positive = polarities.count("positive")
    negative = polarities.count("negative")
    if positive > negative:
        return "positive"
    if negative > positive:
        return "negative"
    return "neutral" if positive == 0 else None


def load_tsv(path: Path, split: str) -> LabelledSet:
    """Rows of `split` from a TSV file with the columns text, label, kind and split."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    missing = {"text", "label", "split"} - set(rows[0] if rows else {})
    if missing:
        raise DatasetError(f"{path}: no column {sorted(missing)} in the header line")
    kept = [row for row in rows if split in ("all", row["split"])]
    if not kept:
        raise DatasetError(f"{path}: no rows in split {split!r}")
    return LabelledSet(
        f"{path.stem}/{split}",
        [row["text"] for row in kept],
        [row["label"] for row in kept],
        tuple(row.get("kind") or "?" for row in kept),
    )
