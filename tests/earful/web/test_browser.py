"""The dashboard in real headless Chromium: charts render, hostile text is inert."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from storage import Mention

CHROMIUM = os.environ.get("EARFUL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        yield page
        browser.close()


def test_overview_inbox_and_toggle(page, dashboard):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{dashboard.url}/?days=3650")
    for name in ("volume", "net", "sources", "share"):
        assert page.locator(f'svg[data-chart="{name}"]').is_visible()
    # three weeks: negative+positive, negative+neutral, unscored
    assert page.locator('svg[data-chart="volume"] rect').count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)

    page.goto(f"{dashboard.url}/inbox")
    hostile = page.locator(f'[data-mention-id="{dashboard.ids["hostile"]}"]')
    assert hostile.locator(".title").inner_text() == "<script>alert(1)</script>"
    assert page.locator("main script, main img").count() == 0
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-inbox.png"), full_page=True)

    skates = page.locator(f'[data-mention-id="{dashboard.ids["skates"]}"]')
    skates.get_by_role("button", name="Mark handled").click()
    page.wait_for_url(f"{dashboard.url}/inbox")
    assert page.locator(f'[data-mention-id="{dashboard.ids["skates"]}"]').count() == 0
    with dashboard.sessions() as s:
        assert s.get(Mention, dashboard.ids["skates"]).handled_by == "dashboard"
    page.goto(f"{dashboard.url}/inbox?show=handled")
    page.reload()
    handled = page.locator(f'[data-mention-id="{dashboard.ids["skates"]}"]')
    assert handled.get_by_role("button", name="Mark unhandled").is_visible()


def test_inbox_case_form_sets_state_and_owner(page, dashboard):
    from storage.cases import case_events  # noqa: PLC0415 - this test only
    from storage.models import Case  # noqa: PLC0415

    skates_id = dashboard.ids["skates"]
    page.goto(f"{dashboard.url}/inbox")
    skates = page.locator(f'[data-mention-id="{skates_id}"]')
    skates.get_by_label("State").select_option("replied")
    skates.get_by_label("Owner").fill("佐藤 <b>健二</b>")
    skates.get_by_role("button", name="Update").click()
    page.wait_for_url(f"{dashboard.url}/inbox")
    shown = page.locator(f'[data-mention-id="{skates_id}"] .case')
    assert shown.inner_text() == "replied · 佐藤 <b>健二</b>"
    assert page.locator("main b").count() == 0  # the owner's text stays text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-inbox-case.png"), full_page=True)
    with dashboard.sessions() as s:
        case = s.get(Case, skates_id)
        assert (case.state, case.owner) == ("replied", "佐藤 <b>健二</b>")
        [event] = case_events(s, skates_id)
        assert (event.via, event.from_state, event.to_state) == (
            "dashboard",
            "new",
            "replied",
        )


def test_response_page(page, dashboard):
    from datetime import timedelta  # noqa: PLC0415 - this test only

    from storage import utcnow  # noqa: PLC0415
    from storage.cases import Actor, change, note_alerted  # noqa: PLC0415
    from storage.models import CaseState  # noqa: PLC0415

    now = utcnow()
    ids = dashboard.ids
    with dashboard.sessions() as s, s.begin():
        for name in ("skates", "hostile"):
            note_alerted(s, ids[name], now - timedelta(hours=6))
        change(
            s, ids["skates"], Actor("佐藤", "slack"),
            state=CaseState.REPLIED, now=now - timedelta(hours=5),
        )  # fmt: skip
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{dashboard.url}/response")
    rows = page.locator('table[data-table="source"] tbody tr')
    assert rows.count() == 2
    assert page.locator("main script, main img").count() == 0
    waiting = page.locator(".unanswered .mention")
    assert waiting.count() == 1
    assert waiting.locator(".title").inner_text() == "<script>alert(1)</script>"
    assert dialogs == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-response.png"), full_page=True)
