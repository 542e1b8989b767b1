"""Aspect detection: built-in lexicons in English and Japanese, clauses, team rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.aspects import AspectDetector, AspectRule, builtin_rules, split_clauses

LABELLED = Path(__file__).parents[1] / "fixtures" / "aspects" / "labelled.jsonl"


@pytest.fixture(scope="module")
def detector() -> AspectDetector:
    return AspectDetector(builtin_rules())


def _aspects(detector: AspectDetector, text: str, language: str | None = None):
    return {h.aspect: h.clause for h in detector.detect(text, language)}


def test_japanese_mixed_review_gets_each_aspect_its_own_clause(detector):
    text = "配送は早かったが、品質が悪い。サポートの対応も遅い。"
    assert _aspects(detector, text, "ja") == {
        "delivery": "配送は早かったが、",
        "quality": "品質が悪い。",
        "support": "サポートの対応も遅い。",
    }


def test_english_contrast_splits_the_clauses(detector):
    text = "Shipping took three weeks, but the quality is great."
    assert _aspects(detector, text, "en") == {
        "delivery": "Shipping took three weeks,",
        "quality": "but the quality is great.",
    }


def test_full_width_and_half_width_fold_as_brand_terms_do(detector):
    assert set(_aspects(detector, "ＳＨＩＰＰＩＮＧ was slow")) == {"delivery"}
    assert set(_aspects(detector, "ｻﾎﾟｰﾄに電話した")) == {"support"}


def test_latin_terms_need_word_boundaries(detector):
    # "costume" holds "cost", "supportive" holds "support": neither is an aspect
    assert _aspects(detector, "My costume was great and they were supportive") == {}


def test_no_aspect_in_a_bare_complaint(detector):
    assert _aspects(detector, "アクメ最悪。") == {}
    assert _aspects(detector, "Never buying Acme again.") == {}


def test_team_aspects_per_language_and_by_query():
    detector = AspectDetector(
        [
            *builtin_rules(),
            AspectRule("battery", ("battery",), languages=("en",)),
            AspectRule("battery", ("バッテリー", "電池"), languages=("ja",)),
            AspectRule("crash", query="app AND (crash OR crashes)"),
        ]
    )
    assert detector.aspects[-2:] == ("battery", "crash")
    assert set(_aspects(detector, "電池がすぐ切れる", "ja")) == {"battery"}
    assert _aspects(detector, "電池がすぐ切れる", "en") == {}
    # parts of a query in two clauses: found, but no clause of its own
    assert _aspects(detector, "The app is new. It crashes.", "en") == {"crash": None}


def test_split_clauses_keeps_every_character_but_spaces():
    text = "届いた。でも、壊れていた！Support? none.\nNext line"
    clauses = split_clauses(text)
    assert clauses == [
        "届いた。",
        "でも、壊れていた！",
        "Support?",
        "none.",
        "Next line",
    ]


def test_precision_and_recall_on_the_labelled_set(detector):
    """Floors under the figures published in docs/alerts.md (bench/aspects.py)."""
    tp = fp = fn = 0
    for line in LABELLED.read_text("utf-8").splitlines():
        row = json.loads(line)
        got = set(_aspects(detector, row["text"], row["lang"]))
        want = set(row["aspects"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.8
