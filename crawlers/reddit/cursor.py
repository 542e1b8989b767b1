"""Where a Reddit source got to: the newest item seen per stream and search query.

Reddit ids are base-36 counters that grow with time within a kind (``t1_``
comments, ``t3_`` submissions), so "newer than the cursor" is a comparison of
numbers. The cursor is a plain JSON object stored in ``source_cursors`` in the
same transaction as the mentions it covers: a crash between the two loses
nothing and stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def id_number(fullname: str) -> int:
    """``t1_dgd9bcm`` → its base-36 number (the part after the kind)."""
    return int(fullname.rpartition("_")[2], 36)


class RedditCursor:
    """The newest fullname seen per key (``comments:kakapo``, ``search:all:Acme``)."""

    def __init__(self, stored: Mapping[str, Any] | None = None) -> None:
        self.newest: dict[str, str] = {
            str(k): str(v) for k, v in (stored or {}).items() if isinstance(v, str)
        }

    def get(self, key: str) -> str | None:
        """The newest fullname seen for ``key``, if any."""
        return self.newest.get(key)

    def is_new(self, key: str, fullname: str) -> bool:
        """Whether ``fullname`` is newer than anything seen for ``key``."""
        seen = self.newest.get(key)
        return seen is None or id_number(fullname) > id_number(seen)

    def advance(self, key: str, fullname: str) -> None:
        """Remember ``fullname`` if it is the newest for ``key``."""
        if self.is_new(key, fullname):
            self.newest[key] = fullname

    def as_json(self) -> dict[str, Any]:
        """The JSON stored in ``source_cursors``."""
        return dict(sorted(self.newest.items()))
