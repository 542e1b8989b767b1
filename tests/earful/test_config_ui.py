"""`[ui] language` and brand display names: read, checked, and handed to the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from earful.cli.analyst import analyst_for
from earful.config import load_config
from earful.errors import ConfigError

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]
display_name = {{ en = "Acme", ja = "アクメ" }}

[[brands]]
name = "Volta"
terms = ["ボルタ"]
competitor = true

[ui]
language = "{language}"

[daemon]
timezone = "Asia/Tokyo"
"""


def write(tmp_path: Path, language: str) -> Path:
    path = tmp_path / "earful.toml"
    text = CONFIG.format(db=tmp_path / "e.db", language=language)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_dashboard_gets_language_zone_and_names(tmp_path):
    config = load_config(write(tmp_path, "ja"))
    assert config.ui.language == "ja"
    assert config.brands[0].display_name == {"en": "Acme", "ja": "アクメ"}
    analyst = analyst_for(write(tmp_path, "ja"), None, "m")
    assert (analyst.language, analyst.zone) == ("ja", "Asia/Tokyo")
    assert analyst.brand_names == (("Acme", "アクメ"),)
    assert analyst_for(write(tmp_path, "en"), None, "m").brand_names == (
        ("Acme", "Acme"),
    )


def test_an_unknown_language_is_a_config_error(tmp_path):
    path = write(tmp_path, "fr")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}: ui.language: Input should be 'en' or 'ja'"]
