"""Text folding shared by brand matching and search: NFKC, then case folding.

Full-width ACME (U+FF21 U+FF23 U+FF2D U+FF25) and ``Acme`` fold to ``acme``,
half-width ``ｱｸﾒ`` to ``アクメ``, so a search finds what brand matching matched. SQLite gets the same
function as ``earful_fold(text)`` on every connection Earful opens; the search
index (migration 0007) stores folded text through triggers that call it, so a
writer outside Earful must register it too (``create_function("earful_fold", 1,
fold, deterministic=True)``) or its inserts fail loudly. PostgreSQL folds with
its own ``normalize(…, NFKC)`` and ``ILIKE``, no function needed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

SQLITE_FUNCTION = "earful_fold"


def fold(text: str) -> str:
    """NFKC-normalised, case-folded text: the form both sides are compared in."""
    return unicodedata.normalize("NFKC", text).casefold()


def nfkc(text: str) -> str:
    """NFKC only: PostgreSQL's ``ILIKE`` does the case folding."""
    return unicodedata.normalize("NFKC", text)


def _sqlite_fold(value: object) -> str | None:
    return None if value is None else fold(str(value))


def register_sqlite_fold(dbapi_conn: Any) -> None:
    """Make ``earful_fold(text)`` available on a ``sqlite3`` connection."""
    dbapi_conn.create_function(SQLITE_FUNCTION, 1, _sqlite_fold, deterministic=True)
