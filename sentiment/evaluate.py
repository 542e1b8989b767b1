"""Measure a scorer on a labelled data set (TweetEval format) and report the figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sentiment.errors import DatasetError
from sentiment.labels import LABELS

PROGRESS_CHUNK = 256
"""Texts scored between progress reports (large enough to keep batches full)."""
MIN_LANGUAGE_SHARE = 0.05
"""A language must hold this share of a set's rows to get its own line."""


class _Scored(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def probabilities(self) -> dict[str, float]: ...


class _ScorerLike(Protocol):
    def score(self, texts: Sequence[str]) -> Sequence[_Scored]: ...


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Figures of one evaluation; `confusion[gold][predicted]` counts rows.

    `binary_*` figures are set for a binary model (one whose labels map to no
    neutral output, so it can only be right on non-neutral rows): measured on the rows whose gold label is
    not neutral, where such a model can be right.
    """

    model_id: str
    model_revision: str
    rows: int
    accuracy: float
    macro_recall: float
    macro_f1: float
    recall: dict[str, float]
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]
    binary_rows: int | None = None
    binary_accuracy: float | None = None
    binary_macro_recall: float | None = None
    predicted: tuple[str, ...] = ()

    def format(self) -> str:
        """A plain-text report, one figure per line, then the confusion matrix."""
        lines = [
            f"model:        {self.model_id} @ {self.model_revision}",
            f"rows:         {self.rows}",
            f"accuracy:     {self.accuracy:.4f}",
            f"macro recall: {self.macro_recall:.4f}",
            f"macro F1:     {self.macro_f1:.4f}",
        ]
        lines.extend(
            f"recall {label:<9} {self.recall[label]:.4f}   F1 {self.f1[label]:.4f}"
            for label in LABELS
        )
        if self.binary_rows is not None:
            lines.append(
                f"non-neutral rows: {self.binary_rows}  "
                f"accuracy {self.binary_accuracy:.4f}  "
                f"macro recall (neg, pos) {self.binary_macro_recall:.4f}"
            )
        lines.append("confusion (rows gold, columns predicted):")
        lines.append(" " * 10 + "".join(f"{label:>10}" for label in LABELS))
        lines.extend(
            f"{gold:<10}"
            + "".join(f"{self.confusion[gold][pred]:>10}" for pred in LABELS)
            for gold in LABELS
        )
        return "\n".join(lines)


def load_tweeteval(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    """Read `{split}_text.txt`, `{split}_labels.txt` and `mapping.txt` from `data_dir`.

    Returns the texts and their gold labels as Earful label names.

    Raises:
        DatasetError: a file is missing, a line is malformed, a label id is not in
            the mapping, or the two files have different line counts.
    """
    mapping_file = data_dir / "mapping.txt"
    mapping: dict[str, str] = {}
    for number, line in enumerate(_read_lines(mapping_file), start=1):
        parts = line.split()
        if len(parts) != 2 or parts[1] not in LABELS:  # noqa: PLR2004 - "id label"
            raise DatasetError(
                f"{mapping_file}:{number}: expected '<id> <label>' with a label among "
                f"{list(LABELS)}, got {line!r}"
            )
        mapping[parts[0]] = parts[1]
    text_file = data_dir / f"{split}_text.txt"
    label_file = data_dir / f"{split}_labels.txt"
    texts = _read_lines(text_file)
    ids = _read_lines(label_file)
    if len(texts) != len(ids):
        raise DatasetError(
            f"{text_file} has {len(texts)} lines but {label_file} has {len(ids)}; "
            "they must match line for line"
        )
    gold: list[str] = []
    for number, raw in enumerate(ids, start=1):
        label = mapping.get(raw.strip())
        if label is None:
            raise DatasetError(
                f"{label_file}:{number}: label {raw!r} is not in {mapping_file} "
                f"(known ids: {sorted(mapping)})"
            )
        gold.append(label)
    return texts, gold


def _read_lines(path: Path) -> list[str]:
    """The file's lines without line endings (a trailing newline adds no line)."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        line = _content_line(path, exc.start)
        raise DatasetError(f"{path}:{line}: not valid UTF-8 ({exc.reason})") from exc
    return content.split("\n")[:-1] if content.endswith("\n") else content.split("\n")


def _content_line(path: Path, offset: int) -> int:
    """The 1-based line number of byte `offset` in `path`."""
    return path.read_bytes()[:offset].count(b"\n") + 1


def evaluate(
    scorer: _ScorerLike,
    texts: Sequence[str],
    gold: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Score `texts` with `scorer` and compare with `gold` (Earful label names).

    With `progress`, texts are scored `PROGRESS_CHUNK` at a time and `progress`
    is called with each chunk's size, for a progress bar on long data sets.
    """
    if len(texts) != len(gold):
        raise DatasetError(f"{len(texts)} texts but {len(gold)} gold labels")
    unknown = sorted(set(gold) - set(LABELS))
    if unknown:
        raise DatasetError(f"gold labels {unknown} are not among {list(LABELS)}")
    if progress is None:
        scores = scorer.score(texts)
    else:
        scores = []
        for start in range(0, len(texts), PROGRESS_CHUNK):
            chunk = texts[start : start + PROGRESS_CHUNK]
            scores.extend(scorer.score(chunk))
            progress(len(chunk))
    predicted = [score.label for score in scores]
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    recall, f1 = _per_class(confusion)
    correct = sum(confusion[label][label] for label in LABELS)
    report = EvalReport(
        model_id=str(getattr(scorer, "model_id", "?")),
        model_revision=str(getattr(scorer, "model_revision", "?")),
        rows=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_recall=sum(recall.values()) / len(LABELS),
        macro_f1=sum(f1.values()) / len(LABELS),
        recall=recall,
        f1=f1,
        confusion=confusion,
        predicted=tuple(predicted),
    )
    targets = getattr(scorer, "targets", None)
    if targets is not None and "neutral" not in targets:
        return _with_binary(report)
    return report


def _per_class(
    confusion: dict[str, dict[str, int]],
) -> tuple[dict[str, float], dict[str, float]]:
    """Recall and F1 for each label from a confusion matrix."""
    recall: dict[str, float] = {}
    f1: dict[str, float] = {}
    for label in LABELS:
        hits = confusion[label][label]
        gold_total = sum(confusion[label].values())
        predicted_total = sum(confusion[g][label] for g in LABELS)
        r = hits / gold_total if gold_total else 0.0
        p = hits / predicted_total if predicted_total else 0.0
        recall[label] = r
        f1[label] = 2 * p * r / (p + r) if p + r else 0.0
    return recall, f1


def _with_binary(report: EvalReport) -> EvalReport:
    """Add the figures on non-neutral gold rows, for a model without neutral."""
    polar = ("negative", "positive")
    rows = sum(sum(report.confusion[g].values()) for g in polar)
    correct = sum(report.confusion[g][g] for g in polar)
    return EvalReport(
        **{
            **{f: getattr(report, f) for f in EvalReport.__dataclass_fields__},
            "binary_rows": rows,
            "binary_accuracy": correct / rows if rows else 0.0,
            "binary_macro_recall": (
                report.recall["negative"] + report.recall["positive"]
            )
            / 2,
        }
    )


def _figures(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """(macro recall, negative recall) over the labels present in `gold`."""
    recalls = {}
    for label in LABELS:
        rows = [p for g, p in zip(gold, predicted, strict=True) if g == label]
        if rows:
            recalls[label] = sum(p == label for p in rows) / len(rows)
    macro = sum(recalls.values()) / len(recalls) if recalls else 0.0
    return macro, recalls.get("negative", float("nan"))


def evaluate_by_language(
    report: EvalReport, detected: Sequence[str | None], gold: Sequence[str]
) -> str | None:
    """Figures per detected language, or None when the set is (almost) one language.

    The caller detects each text's language as the pipeline does for a mention
    (sentiment imports no project package); ``None`` (too short to tell) counts
    as "?". Languages under `MIN_LANGUAGE_SHARE` of the rows are pooled as "other".
    """
    languages = [language or "?" for language in detected]
    counts = Counter(languages)
    big = {lang for lang, n in counts.items() if n >= MIN_LANGUAGE_SHARE * len(gold)}
    if len(big) < 2:  # noqa: PLR2004 - one language needs no breakdown
        return None
    grouped = [lang if lang in big else "other" for lang in languages]
    return _group_lines("per detected language:", grouped, report, gold)


def evaluate_by_kind(
    report: EvalReport, kinds: Sequence[str], gold: Sequence[str]
) -> str | None:
    """Figures per source kind (a TSV set's `kind` column), or None without kinds.

    A kind holding one label (news is all neutral) has that label's recall as its
    macro recall, and no negative recall (nan).
    """
    if not kinds:
        return None
    return _group_lines("per source kind:", list(kinds), report, gold)


def _group_lines(
    title: str, grouped: Sequence[str], report: EvalReport, gold: Sequence[str]
) -> str:
    lines = [f"{title:<24}rows  macro recall  negative recall"]
    for group in sorted(set(grouped), key=lambda g: (g == "other", -grouped.count(g))):
        rows = [i for i, g in enumerate(grouped) if g == group]
        macro, negative = _figures(
            [gold[i] for i in rows], [report.predicted[i] for i in rows]
        )
        lines.append(f"  {group:<20} {len(rows):>6}  {macro:>12.4f}  {negative:>15.4f}")
    return "\n".join(lines)


def summary_table(reports: Sequence[tuple[str, EvalReport]]) -> str:
    """One Markdown row per set: rows, macro recall, negative recall, accuracy."""
    lines = [
        "| set | rows | macro recall | negative recall | accuracy |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines.extend(
        f"| {name} | {r.rows} | {r.macro_recall:.4f} | {r.recall['negative']:.4f} "
        f"| {r.accuracy:.4f} |"
        for name, r in reports
    )
    return "\n".join(lines)
