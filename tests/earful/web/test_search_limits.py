"""Searches and ids are bounded: too many words is a 400, a 23-digit id a 404."""

from __future__ import annotations

import urllib.parse

import pytest

from storage.search import MAX_SEARCH_CHARS, MAX_SEARCH_TERMS
from tests.earful.web.test_dashboard import csrf_of, request


@pytest.mark.parametrize(
    ("search", "message"),
    [
        (" ".join(["ab"] * 1_000), "the search has 1,000 words: at most 32"),
        ("アクメ" * 400, "the search is too long: at most 1,000 characters"),
        ("配送 OR", "the search does not parse: a term is missing at the end"),
    ],
)
def test_a_search_of_too_many_words_is_a_400(dashboard, search, message):
    query = urllib.parse.quote(search)
    response, text = request(dashboard.url, f"/search?q={query}")
    assert response.status == 400
    assert text.startswith(message)


def test_a_search_in_the_brand_query_language(dashboard):
    query = urllib.parse.quote("「配送が遅すぎる」 OR (Acme NOT skates NOT scam)")
    response, html = request(dashboard.url, f"/search?q={query}")
    assert response.status == 200
    assert "アクメの配送が遅すぎる" in html
    assert "sturdy and great" in html
    assert "rocket skates" not in html
    assert "is a scam" not in html
    assert 'placeholder="words, &quot;phrases&quot;, OR, NOT, ( )" title=' in html


def test_a_search_at_the_limits_runs(dashboard):
    query = " ".join(["ab"] * MAX_SEARCH_TERMS)
    assert len(query) <= MAX_SEARCH_CHARS
    response, _ = request(dashboard.url, f"/search?q={urllib.parse.quote(query)}")
    assert response.status == 200


@pytest.mark.parametrize(
    "mention_id", ["1" * 23, "99999999999", "１", "١", "²", "0", "-1"]
)
def test_a_case_id_that_is_not_a_row_id_is_a_404(dashboard, mention_id):
    response, html = request(dashboard.url, "/inbox")
    token = csrf_of(response, html)
    path = f"/mentions/{urllib.parse.quote(mention_id)}/case"
    for action in ("case", "handled"):
        answer, _ = request(
            dashboard.url,
            path.replace("/case", f"/{action}"),
            method="POST",
            body={"state": "resolved", "csrf": token},
            headers={"Cookie": f"earful_csrf={token}"},
        )
        assert answer.status == 404, (action, mention_id)


@pytest.mark.parametrize("days", ["１０", "١٠", "²", "9" * 5000])
def test_a_query_number_in_other_digits_is_a_400(dashboard, days):
    response, text = request(dashboard.url, f"/?days={urllib.parse.quote(days)}")
    assert response.status == 400
    assert text.startswith("days must be a whole number from 1 to 3660")
