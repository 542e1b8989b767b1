"""Mention rows as terminal-safe tables, CSV and JSON lines."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any

from storage.search import MentionRow

# CSI/OSC/other escape sequences, then any remaining C0/C1 control or bidi format char.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = (
    "id",
    "published_at",
    "source",
    "source_type",
    "brands",
    "language",
    "reach",
    "sentiment",
    "negative",
    "neutral",
    "positive",
    "alerted",
    "handled_at",
    "handled_by",
    "author",
    "url",
    "title",
    "text",
)


def terminal_safe(value: str) -> str:
    """``value`` on one line with escape sequences and control characters removed."""
    value = _ESCAPES.sub("", value)
    out = []
    for char in value:
        category = unicodedata.category(char)
        if char in "\t\n\r\v\f" or category in {"Zl", "Zp"}:
            out.append(" ")
        elif category not in {"Cc", "Cf"}:
            out.append(char)
    return " ".join("".join(out).split())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (wide CJK characters count two)."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = _width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """``text`` fitted and padded to exactly ``width`` terminal columns."""
    text = fit(text, width)
    return text + " " * (width - _width(text))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _sentiment(row: MentionRow) -> str:
    if row.sentiment is None:
        return "-"
    return f"{row.sentiment[:3]} {row.probability:.2f}"


def _flags(row: MentionRow) -> str:
    return ("A" if row.alerted else "-") + ("H" if row.handled_at else "-")


def render_table(rows: Sequence[MentionRow], width: int) -> list[str]:
    """A header and one line per mention, no wider than ``width`` columns."""
    columns = (("id", 7), ("published", 16), ("source", 14), ("brands", 12))
    tail = (("sentiment", 9), ("reach", 8), ("AH", 2))
    fixed = sum(w for _, w in columns + tail) + len(columns + tail)
    text_width = max(20, width - fixed)
    header = [pad(name, w) for name, w in columns + tail] + ["text"]
    lines = [" ".join(header).rstrip()]
    for row in rows:
        text = terminal_safe(f"{row.title} — {row.text}" if row.title else row.text)
        cells = [
            pad(str(row.id), 7),
            pad(_when(row.published_at), 16),
            pad(terminal_safe(row.source), 14),
            pad(terminal_safe(",".join(row.brands)), 12),
            pad(_sentiment(row), 9),
            pad("-" if row.reach is None else str(row.reach), 8),
            pad(_flags(row), 2),
            fit(text, text_width),
        ]
        lines.append(" ".join(cells).rstrip())
    return lines


def export_record(row: MentionRow) -> dict[str, Any]:
    """The fields analysts export, as JSON-friendly values."""
    return {
        "id": row.id,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "source": row.source,
        "source_type": row.source_type,
        "brands": list(row.brands),
        "language": row.language,
        "reach": row.reach,
        "sentiment": row.sentiment,
        "negative": row.negative,
        "neutral": row.neutral,
        "positive": row.positive,
        "alerted": row.alerted,
        "handled_at": row.handled_at.isoformat() if row.handled_at else None,
        "handled_by": row.handled_by,
        "author": row.author,
        "url": row.url,
        "title": row.title,
        "text": row.text,
    }


def _csv_cell(value: Any) -> Any:
    """Text without escapes or controls (line breaks kept); formulas get a ``'``."""
    if isinstance(value, list):
        value = ";".join(value)
    if not isinstance(value, str):
        return value
    value = _ESCAPES.sub("", value)
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(rows: Iterable[MentionRow], out: IO[str]) -> None:
    """Rows as CSV with a header; text fields that look like formulas are defused."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        record = export_record(row)
        writer.writerow([_csv_cell(record[name]) for name in EXPORT_FIELDS])


def write_jsonl(rows: Iterable[MentionRow], out: IO[str]) -> None:
    """One JSON object per line, UTF-8 text kept as is, control characters escaped."""
    for row in rows:
        out.write(json.dumps(export_record(row), ensure_ascii=False) + "\n")
