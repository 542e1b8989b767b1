"""Row ids from strangers' text (URL paths, Slack button values) as ints in range.

``str.isdigit`` and ``int`` accept far more than ASCII digits: ``int``
reads full-width and Arabic-Indic digits as 1, and ``"\u00b2".isdigit()``
(superscript two) is true while ``int`` of it raises. A 23-digit id overflows SQLite's 64-bit integers inside the driver.
So an id is 1 to 10 ASCII digits and at most ``MAX_ROW_ID``, or it is none.
"""

from __future__ import annotations

import re

MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL
_ASCII_ID = re.compile(r"[0-9]{1,10}", re.ASCII)


def parse_id(value: object) -> int | None:
    """``value`` as a row id (ASCII digits, 1 to ``MAX_ROW_ID``), else None."""
    if not isinstance(value, str) or _ASCII_ID.fullmatch(value) is None:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ROW_ID else None
