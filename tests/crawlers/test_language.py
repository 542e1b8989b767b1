"""crawlers.language: kana means Japanese however short; two words mean no guess."""

from __future__ import annotations

import pytest

from crawlers.language import detect_language


@pytest.mark.parametrize(
    "text",
    ["アプデ多すぎ", "ワロタｗｗｗ", "神アプリ", "はいれません", "ｱｸﾒ最悪"],
)
def test_a_text_with_kana_is_japanese_however_short(text: str) -> None:
    assert detect_language(text) == "ja"


@pytest.mark.parametrize(
    "text",
    [
        "Terrible service",  # py3langid says French
        "Great app",
        "Service terrible!!",
        "最悪",  # kanji alone: Chinese as well as Japanese
        "👍 ok",
    ],
)
def test_too_little_text_keeps_no_language_rather_than_a_wrong_one(text: str) -> None:
    assert detect_language(text) is None


def test_longer_texts_are_guessed() -> None:
    assert detect_language("Terrible service, never again.") == "en"
    assert (
        detect_language("アクメのアプリ、ネットワークエラーとでる はいれません") == "ja"
    )
    assert detect_language("这个应用太糟糕了，每天都崩溃，客服也不回复。") == "zh"
    # an English review quoting a Japanese name stays English
    assert detect_language("I love ポケモン so much, great game overall") == "en"
