"""storage.ids: row ids are ASCII digits within range, never other scripts' digits."""

from __future__ import annotations

import pytest

from storage.ids import MAX_ROW_ID, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        ("1" * 23, None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1\n", None),
        ("１", None),  # full-width
        ("١", None),  # Arabic-Indic
        ("²", None),  # superscript: isdigit() is true, int() raises
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected
