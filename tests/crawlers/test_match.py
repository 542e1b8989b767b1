"""Brand matching: case, NFKC, word boundaries, Japanese substrings, exclusions."""

from __future__ import annotations

import pytest

from crawlers.match import BrandRule, Matcher
from storage.queries import Match

ACME = BrandRule("Acme", ("acme", "acme labs", "アクメ"), exclude=("acme corp",))
GLOBEX = BrandRule("Globex", ("globex",), competitor=True)


@pytest.fixture
def matcher() -> Matcher:
    return Matcher([ACME, GLOBEX])


@pytest.mark.parametrize(
    "text",
    [
        "acme broke again",
        "ACME broke again",
        "Why is Acme so slow?",
        "(acme)",
        "acme-branded kettle",
        "I returned it to Acme.",
    ],
)
def test_terms_match_case_insensitively_on_word_boundaries(matcher, text):
    assert matcher.match(text) == [Match("Acme", False, ("acme",))]


@pytest.mark.parametrize(
    "text", ["acmeology is a field", "subacme", "acme_x", "acme2000", "Acmé"]
)
def test_terms_inside_longer_words_do_not_match(matcher, text):
    assert matcher.match(text) == []


def test_full_width_letters_match_after_nfkc(matcher):
    assert matcher.match("ＡＣＭＥ is great") == [Match("Acme", False, ("acme",))]


def test_latin_term_next_to_japanese_text_matches(matcher):
    assert matcher.match("ＡＣＭＥの新製品は最悪です") == [
        Match("Acme", False, ("acme",))
    ]


def test_japanese_terms_match_as_substrings(matcher):
    assert matcher.match("新しいアクメのミキサー") == [
        Match("Acme", False, ("アクメ",))
    ]
    # Half-width katakana is the same word after NFKC.
    assert matcher.match("ｱｸﾒの製品") == [Match("Acme", False, ("アクメ",))]


def test_chinese_terms_match_as_substrings():
    matcher = Matcher([BrandRule("Acme", ("艾克美",))])
    assert matcher.match("我买了艾克美的搅拌机") == [Match("Acme", False, ("艾克美",))]


def test_multi_word_terms_match_across_any_whitespace(matcher):
    assert matcher.match("Acme\n  Labs released a kettle") == [
        Match("Acme", False, ("acme", "acme labs"))
    ]


def test_an_exclusion_drops_only_that_brand(matcher):
    assert matcher.match("Acme Corp and Globex merge") == [
        Match("Globex", True, ("globex",))
    ]
    assert matcher.match("ACME  CORP annual report") == []


def test_several_brands_come_back_in_rule_order(matcher):
    assert matcher.match("Globex beats acme") == [
        Match("Acme", False, ("acme",)),
        Match("Globex", True, ("globex",)),
    ]


def test_regex_characters_in_terms_are_literal():
    matcher = Matcher([BrandRule("C++ Co", ("c++",)), BrandRule("Dot", ("a.b",))])
    assert matcher.match("I write C++ daily") == [Match("C++ Co", False, ("c++",))]
    assert matcher.match("axb") == []


def test_blank_terms_and_no_rules_match_nothing():
    assert Matcher([BrandRule("Blank", ("", "  "))]).match("anything") == []
    assert Matcher([]).match("acme") == []
