"""The brand query parser refuses queries too deep or too long with a QueryError."""

from __future__ import annotations

import pytest

from crawlers.match import BrandRule, Matcher
from crawlers.query import MAX_DEPTH, QueryError, evaluate, parse_query, terms_of
from earful.config import parse_config
from earful.errors import ConfigError


@pytest.mark.parametrize(
    "query",
    [
        "(" * 500 + "acme" + ")" * 500,
        "NOT " * 3000 + "acme",
        "(" * (MAX_DEPTH + 1) + "acme" + ")" * (MAX_DEPTH + 1),
        "NOT " * (MAX_DEPTH + 1) + "acme",
        "acme " * 5000,
    ],
    ids=["500-deep", "3000-nots", "one-too-deep", "one-not-too-many", "5000-terms"],
)
def test_a_deep_or_long_query_is_a_query_error_not_a_recursion_error(query):
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert len(str(caught.value)) < 200  # the query is quoted, cut short


def test_a_query_at_the_depth_limit_parses_and_evaluates():
    query = "(" * (MAX_DEPTH - 1) + "acme OR NOT アクメ" + ")" * (MAX_DEPTH - 1)
    tree = parse_query(query)
    assert terms_of(tree) == ["acme", "アクメ"]
    assert evaluate(tree, lambda term: term == "acme")


def test_config_check_names_the_brand_of_a_query_500_deep():
    deep = "(" * 500 + "アクメ" + ")" * 500
    with pytest.raises(ConfigError) as caught:
        parse_config({"brands": [{"name": "Acme", "query": deep}]}, environ=False)
    [problem] = caught.value.problems
    assert problem.startswith("earful.toml: brands[0].query: brand 'Acme': ")
    assert "more than 1000 words and operators" in problem


def test_config_check_names_the_aspect_of_a_query_too_deep():
    deep = "NOT " * 40 + "電池"
    data = {
        "brands": [{"name": "Acme", "terms": ["acme"]}],
        "aspects": [{"name": "battery", "query": f"battery {deep}"}],
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data, environ=False)
    [problem] = caught.value.problems
    assert problem.startswith("earful.toml: aspects[0].query: aspect 'battery': ")
    assert f"nested more than {MAX_DEPTH} deep" in problem


def test_japanese_corner_brackets_quote_a_phrase():
    """「…」 and 『…』 quote a phrase as "…" does, in brand queries and searches."""
    tree = parse_query('「電話が つながらない」 OR 『落ちる』 NOT "acme corp"')
    assert terms_of(tree) == ["電話が つながらない", "落ちる", "acme corp"]
    rule = BrandRule("Acme", query="アクメ 「電話が つながらない」")
    matcher = Matcher([rule])
    assert [m.brand for m in matcher.match("アクメは電話が つながらない")] == ["Acme"]
    assert matcher.match("アクメは電話がまったくつながらない") == []
