"""Aspect charts and the comparison page: over real HTTP and in headless Chromium."""

from __future__ import annotations

import pytest

from storage.aspects import AspectScore, save_aspects
from tests.earful.web.test_browser import ARTIFACTS, page  # noqa: F401 - fixture
from tests.earful.web.test_dashboard import request
from tests.storage.analyst_seed import MODEL
from tests.storage.aspect_seed import seed_aspects


@pytest.fixture
def seeded(dashboard):
    seed_aspects(dashboard.sessions, dashboard.ids)
    return dashboard


def test_compare_page_sets_brands_side_by_side(seeded):
    response, html = request(seeded.url, "/compare?days=3650")
    assert response.status == 200
    assert '<th scope="col" class="own">Acme</th>' in html
    assert "Globex <small>(competitor)</small>" in html
    assert '<tr><th scope="row">negative about support</th><td>–</td>' in html
    assert '100 % <small>of 1</small> <small class="few"' in html
    assert (
        '<p class="note few">! Too few mentions to compare (fewer than 10): '
        "Acme 5 mentions, Globex 5 mentions.</p>" in html
    )
    assert 'data-chart="compare-aspects"' in html
    # Globex answered its price complaint in public five hours after the post
    assert (
        '<tr><th scope="row">median reply time</th><td>–</td><td>5.0 h</td></tr>'
        in html
    )
    assert "20 % <small>of 5</small> <small" in html


def test_hostile_aspect_name_is_inert(seeded):
    with seeded.sessions() as s, s.begin():
        hostile = [AspectScore("<script>alert(3)</script>", "negative", 0.9, "mention")]
        save_aspects(s, seeded.ids["hostile"], MODEL, hostile)
    for path in ("/compare?days=3650", "/?days=3650&brand=Acme"):
        _, html = request(seeded.url, path)
        assert "<script>alert(3)" not in html
        assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html


def test_aspect_chart_and_compare_page_in_chromium(page, seeded):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{seeded.url}/?days=3650")
    for brand in ("Acme", "Globex"):
        chart = page.locator(f'svg[data-chart="aspects-{brand}"]')
        assert chart.is_visible()
    # Acme: quality 2 negative + 1 positive, delivery 1 negative
    assert page.locator('svg[data-chart="aspects-Acme"] rect').count() == 3
    page.locator("text=Aspects by sentiment").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard-aspects.png"), full_page=True)

    page.get_by_role("link", name="compare with competitors").click()
    page.wait_for_url(f"{seeded.url}/compare?days=3650")
    assert page.locator('svg[data-chart="compare-aspects"] rect').count() >= 5
    assert page.locator("table.compare th.own").inner_text() == "Acme"
    page.screenshot(path=str(ARTIFACTS / "dashboard-compare.png"), full_page=True)
