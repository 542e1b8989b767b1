"""The multi-pattern matcher finds exactly what one regex per term finds, at any size."""

from __future__ import annotations

import random

import pytest

from crawlers.match import BrandRule, Matcher, _compile
from crawlers.query import evaluate, positive_terms
from crawlers.query import terms_of as query_terms
from storage.folding import fold
from storage.queries import Match


class OneRegexPerTerm:
    """The matcher as it was before the automaton: every rule, every regex."""

    def __init__(self, rules: list[BrandRule]) -> None:
        self.rules = [
            (
                rule,
                rule.tree(),
                _compile(query_terms(rule.tree())),
                _compile(rule.exclude),
            )
            for rule in rules
        ]

    def match(self, text: str, language=None) -> list[Match]:
        folded = fold(text)
        out = []
        for rule, tree, patterns, exclude in self.rules:
            if rule.languages and language not in rule.languages:
                continue

            def found(term, patterns=patterns):
                pattern = patterns.get(term)
                return bool(pattern and pattern.search(folded))

            if not evaluate(tree, found):
                continue
            if any(p.search(folded) for p in exclude.values()):
                continue
            terms = tuple(t for t in dict.fromkeys(positive_terms(tree)) if found(t))
            out.append(Match(rule.name, rule.competitor, terms))
        return out


RULES = [
    BrandRule("Acme", ("acme", "acme labs", "アクメ"), exclude=("acme corp",)),
    BrandRule("Globex", ("globex",), competitor=True),
    BrandRule("Kettle", query='(kettle OR ケトル) AND NOT "tea party"'),
    BrandRule("NotSpam", query="NOT spam"),
    BrandRule("Ja", ("アクメ電機",), languages=("ja",)),
    BrandRule("Initech", ("initech", "イニテック"), exclude=("ｲﾆﾃｯｸ株式会社",)),
    BrandRule("Empty", ("   ",)),
]

TEXTS = [
    "ｱｸﾒの新製品",
    "アクメの新製品、すぐ壊れた",
    "ＡＣＭＥ broke again",
    "acmeology is a field",
    "acme corp is not us, acme labs is",
    "acme\nlabs in two lines",
    "Globex kettle at the tea party",
    "ケトルが壊れた spam",
    "イニテック株式会社の発表",
    "イニテックが好き",
    "アクメ電機のケトル",
    "",
    "nothing here",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("language", [None, "ja", "en"])
def test_same_matches_as_one_regex_per_term(text, language):
    expected = OneRegexPerTerm(RULES).match(text, language)
    assert Matcher(RULES).match(text, language) == expected


def test_half_width_katakana_matches_the_full_width_term():
    matcher = Matcher(RULES[:1])
    assert matcher.match("ｱｸﾒの新製品") == [Match("Acme", False, ("アクメ",))]
    assert matcher.match("新しいｱｸﾒﾗﾎﾞ") == [Match("Acme", False, ("アクメ",))]


def test_a_rule_that_holds_without_terms_is_still_evaluated():
    matcher = Matcher([BrandRule("NotSpam", query="NOT spam")])
    assert matcher.match("hello") == [Match("NotSpam", False, ())]
    assert matcher.match("spam") == []


def test_no_rules_and_blank_terms_match_nothing():
    assert Matcher([]).match("acme") == []
    assert Matcher([BrandRule("Blank", ("  ",))]).match("  ") == []


def _brands(count: int, rng: random.Random) -> list[BrandRule]:
    kana = "アイウエオカキクケコサシスセソタチツテトナニヌネノ"
    rules = []
    for i in range(count):
        latin = f"brand{i}"
        japanese = "".join(rng.choice(kana) for _ in range(4))
        rules.append(
            BrandRule(
                f"B{i}",
                (latin, f"{latin} pro", japanese),
                exclude=(f"{latin} corp",) if i % 7 == 0 else (),
            )
        )
    return rules


def test_many_brands_agree_with_one_regex_per_term_on_random_text():
    rng = random.Random(14)  # noqa: S311 - reproducible test text
    rules = _brands(300, rng)
    words = ["brand7", "Brand12 Pro", "ＢＲＡＮＤ299", "brand70corp", "brand0 corp"]
    words += ["xbrand5", "の", "新製品", "壊れた", "great", "アイウエ", "ｱｲｳｴｵ"]
    matcher, reference = Matcher(rules), OneRegexPerTerm(rules)
    for _ in range(200):
        text = "".join(rng.choice([*words, " ", "、"]) for _ in range(12))
        assert matcher.match(text) == reference.match(text), text
