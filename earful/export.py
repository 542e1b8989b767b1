"""Write exported rows as Parquet, CSV or JSON lines, one batch at a time.

Each writer takes the columns of one export table (:mod:`storage.export`) and
types them for its format: Parquet stores UTC timestamps, 64-bit integers and
floats, booleans and lists of strings (``json`` columns as JSON text); CSV and
JSON lines write ISO 8601 timestamps. CSV joins lists with ``;`` and defuses
cells a spreadsheet would run as a formula. Nothing holds more than a batch.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from storage.export import Column, Record

Format = Literal["parquet", "csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("parquet", "csv", "jsonl")
# CSI/OSC/other escape sequences a terminal or spreadsheet viewer would act on.
ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ARROW = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "text": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "list": pa.list_(pa.string()),
    "json": pa.string(),
}


class Writer(Protocol):
    """Takes batches of records and finishes the file on close."""

    def write(self, records: list[Record]) -> None:
        """Append ``records``."""

    def close(self) -> None:
        """Finish the file (Parquet writes its footer here)."""


def csv_cell(value: Any) -> Any:
    """Text without escapes or controls (line breaks kept); formulas get a ``'``."""
    if isinstance(value, list):
        value = ";".join(value)
    if not isinstance(value, str):
        return value
    value = ESCAPES.sub("", value)
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "time" and isinstance(value, datetime):
        return value.isoformat()
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return value


class CsvWriter:
    """CSV with a header row; ``None`` is an empty cell."""

    def __init__(self, out: IO[str], columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow([c.name for c in columns])

    def write(self, records: list[Record]) -> None:
        """Append ``records`` as CSV rows."""
        for record in records:
            self.writer.writerow(
                [csv_cell(_text(record[c.name], c.kind)) for c in self.columns]
            )

    def close(self) -> None:
        """Nothing to finish."""


class JsonlWriter:
    """One JSON object per line; UTF-8 text kept, control characters escaped."""

    def __init__(self, out: IO[str], columns: tuple[Column, ...]) -> None:
        self.out = out
        self.columns = columns

    def write(self, records: list[Record]) -> None:
        """Append ``records``, one line each."""
        for record in records:
            values = {
                c.name: record[c.name]
                if c.kind == "json"
                else _text(record[c.name], c.kind)
                for c in self.columns
            }
            self.out.write(json.dumps(values, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Nothing to finish."""


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    """The Parquet schema of an export table."""
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in columns])


class ParquetWriter:
    """A Parquet file written one row group per batch."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.schema = arrow_schema(columns)
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")

    def write(self, records: list[Record]) -> None:
        """Append ``records`` as one row group."""
        json_columns = [c.name for c in self.columns if c.kind == "json"]
        if json_columns:
            records = [
                {**r, **{n: _text(r[n], "json") for n in json_columns}} for r in records
            ]
        self.writer.write_table(pa.Table.from_pylist(records, schema=self.schema))

    def close(self) -> None:
        """Write the footer."""
        self.writer.close()
