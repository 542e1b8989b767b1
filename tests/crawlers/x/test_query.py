"""Brand rules in X's search syntax, split under the 512-character limit."""

from __future__ import annotations

import pytest

from crawlers.match import BrandRule
from crawlers.x import XQueryError, x_queries
from tests.crawlers.conftest import ACME


def test_terms_excludes_and_japanese() -> None:
    assert x_queries(ACME) == ['(acme OR "アクメ") -"acme corp" -is:retweet']


def test_languages_and_retweets() -> None:
    rule = BrandRule("Acme", ("acme",), languages=("ja", "en"))
    assert x_queries(rule, retweets=True) == ["acme (lang:ja OR lang:en)"]
    one = BrandRule("Acme", ("acme",), languages=("ja",))
    assert x_queries(one) == ["acme lang:ja -is:retweet"]


def test_a_brand_query_keeps_its_logic() -> None:
    rule = BrandRule("Acme", query='acme AND (blender OR "hand mixer") NOT recall')
    assert x_queries(rule) == ['acme (blender OR "hand mixer") -recall -is:retweet']


def test_many_terms_split_into_queries_under_512() -> None:
    terms = tuple(f"ブランド{i:03d}" for i in range(80))
    rule = BrandRule("Many", terms, exclude=("求人",))
    queries = x_queries(rule)
    assert len(queries) > 1
    assert all(len(q) <= 512 for q in queries)
    assert all(q.endswith('-"求人" -is:retweet') for q in queries)
    found = "".join(queries)
    assert all(f'"{t}"' in found for t in terms)


def test_a_group_inside_and_is_split_with_its_context() -> None:
    products = " OR ".join(f"product{i:03d}" for i in range(70))
    rule = BrandRule("Acme", query=f"acme AND ({products})")
    queries = x_queries(rule)
    assert len(queries) > 1
    assert all(q.startswith("acme (") and len(q) <= 512 for q in queries)


def test_an_unsplittable_rule_is_a_clear_error() -> None:
    rule = BrandRule("Long", ("x" * 600,))
    with pytest.raises(XQueryError, match="longer than X's 512-character"):
        x_queries(rule)
