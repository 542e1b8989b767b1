"""A mistyped config key names the key it was probably meant to be (#26)."""

from __future__ import annotations

import pytest

from earful.config import ConfigError, parse_config

BRANDS = [{"name": "アクメ", "terms": ["アクメ"]}]


def test_a_mistyped_key_gets_a_did_you_mean() -> None:
    rule = {"name": "neg", "brands": ["アクメ"], "channel": "#a", "min_negativ": 0.8}
    with pytest.raises(ConfigError) as caught:
        parse_config({"brands": BRANDS, "alerts": [rule]}, environ=False)
    assert str(caught.value) == (
        "earful.toml: alerts[0].min_negativ: unknown key: did you mean `min_negative`?"
    )


def test_a_key_like_nothing_keeps_the_plain_message() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"brands": BRANDS, "daemon": {"zzz": 1}}, environ=False)
    assert str(caught.value) == (
        "earful.toml: daemon.zzz: unknown key (check the spelling)"
    )
