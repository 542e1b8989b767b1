"""The docs keep up with the code: commands have help, keys and columns are documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from earful.docgen import all_commands, config_reference, documented_keys
from storage import Base

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize(("name", "command"), all_commands())
def test_every_command_has_help(name, command):
    assert command.help, f"{name} has no help text"


def test_every_config_key_is_documented():
    reference = config_reference()
    undocumented = [
        key
        for key in sorted(documented_keys())
        if f"| `{key.split('.')[-1]}` | " not in reference
    ]
    assert not undocumented
    empty = re.findall(r"^\| `(\w+)` \| [^|]* \|  \|$", reference, flags=re.MULTILINE)
    assert not empty, f"config keys without a description: {empty}"
    assert reference in (DOCS / "config.md").read_text(encoding="utf-8")


def test_every_column_is_in_the_schema_doc():
    schema = (DOCS / "schema.md").read_text(encoding="utf-8")
    missing = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if f"`{column.name}`" not in schema
    ]
    assert not missing
    for table in Base.metadata.sorted_tables:
        assert f"### `{table.name}`" in schema
