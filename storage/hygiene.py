"""Text hygiene at storage: what a database can store and a reader can read.

PostgreSQL refuses NUL in text (``A string literal cannot contain NUL``), so one
NUL in a feed item used to lose the item and fail its source on every run.
Every string a mention is stored with loses NUL, terminal escape sequences and
the other C0/C1 control characters except tab and newline (CRLF becomes a
newline), and a lone surrogate (undecodable input) becomes U+FFFD. A mention's ``url`` must
be http(s): ``javascript:`` and ``data:`` URLs are not stored as links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["storable", "storable_fields"]

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Terminal escape sequences (CSI, OSC, two-character) go whole, not just their ESC.
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_WEB_URL = re.compile(r"https?://", re.IGNORECASE)


def storable(value: str) -> str:
    """``value`` without NUL and other control characters (tab and newline stay)."""
    value = value.replace("\r\n", "\n")  # a lone CR is a control like the rest
    value = _CONTROLS.sub("", _ANSI.sub("", value))
    return _SURROGATES.sub("\ufffd", value)


def storable_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with every string value made ``storable``; a ``url`` that is not
    http(s) (``javascript:``, ``data:``) is not stored as a link at all."""
    clean = {k: storable(v) if isinstance(v, str) else v for k, v in fields.items()}
    url = clean.get("url")
    if isinstance(url, str) and not _WEB_URL.match(url.strip()):
        clean["url"] = None
    return clean
