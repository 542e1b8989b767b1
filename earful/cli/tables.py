"""Mention rows as terminal-safe tables, CSV and JSON lines."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from earful.export import ESCAPES, CsvWriter, JsonlWriter
from storage.export import MENTION_COLUMNS, mention_record
from storage.precision import shown_date
from storage.search import MentionRow


def terminal_safe(value: str) -> str:
    """``value`` on one line with escape sequences and control characters removed."""
    value = ESCAPES.sub("", value)
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


def _when(value: datetime | None, precision: str | None, zone: str) -> str:
    return shown_date(value, precision, zone) if value else "-"


def _sentiment(row: MentionRow) -> str:
    if row.sentiment is None:
        return "-"
    return f"{row.sentiment[:3]} {row.probability:.2f}"


def _flags(row: MentionRow) -> str:
    return ("A" if row.alerted else "-") + ("H" if row.handled_at else "-")


def render_table(
    rows: Sequence[MentionRow], width: int, zone: str = "UTC"
) -> list[str]:
    """A header and one line per mention, no wider than ``width`` columns.

    Times are in ``zone``, each with its abbreviation (``JST``, ``CEST``).
    """
    columns = (("id", 7), ("published", 21), ("source", 14), ("brands", 12))
    tail = (("sentiment", 9), ("rating", 11), ("reach", 8), ("AH", 2))
    fixed = sum(w for _, w in columns + tail) + len(columns + tail)
    text_width = max(20, width - fixed)
    header = [pad(name, w) for name, w in columns + tail] + ["text"]
    lines = [" ".join(header).rstrip()]
    for row in rows:
        text = terminal_safe(f"{row.title} — {row.text}" if row.title else row.text)
        cells = [
            pad(str(row.id), 7),
            pad(_when(row.published_at, row.published_precision, zone), 21),
            pad(terminal_safe(row.source), 14),
            pad(terminal_safe(",".join(row.brands)), 12),
            pad(_sentiment(row), 9),
            pad(row.stars or "-", 11),
            pad("-" if row.reach is None else str(row.reach), 8),
            pad(_flags(row), 2),
            fit(text, text_width),
        ]
        lines.append(" ".join(cells).rstrip())
    return lines


def write_rows(rows: Sequence[MentionRow], out: IO[str], fmt: str) -> None:
    """Mentions as CSV (with a header) or JSON lines, every exported column."""
    writer_class = CsvWriter if fmt == "csv" else JsonlWriter
    writer = writer_class(out, MENTION_COLUMNS)
    writer.write([mention_record(r) for r in rows])
    writer.close()
