"""Rendering: Block Kit shape, Slack's limits, and untrusted text made inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from alerts import escape_mrkdwn, render
from alerts.render import MAX_SECTION_TEXT, fit, quote, safe_url
from storage.models import Alert, BrandMatch, Mention, SentimentResult
from tests.servers.slack import block_problem

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<@U123>",
    "<!subteam^S1|x>",
    "<https://evil|looks-trusted>",
]
# After escaping, every & starts one of our three entities.
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def make_alert(**fields: object) -> Alert:
    """A real (unsaved) alert with its mention, brand match and score."""
    values: dict[str, object] = {
        "source": "reviews",
        "source_type": "review",
        "external_id": "1",
        "url": "https://example.com/review/1",
        "title": None,
        "text": "Terrible.",
        "content_hash": "h",
    }
    values.update(fields)
    mention = Mention(**values)
    mention.matches = [BrandMatch(brand="Acme", competitor=False, terms=["acme"])]
    mention.sentiments = [
        SentimentResult(
            model_id="m",
            model_revision="r",
            content_hash="h",
            label="negative",
            negative=0.81,
            neutral=0.1,
            positive=0.09,
            scored_at=datetime(2026, 11, 21, tzinfo=UTC),
        )
    ]
    return Alert(id=3, rule="acme", channel="#brand-alerts", mention=mention)


def section_texts(alert: Alert) -> list[str]:
    message = render(alert)
    texts = [
        b["text"]["text"]
        for b in message.blocks
        if b["type"] == "section" and "text" in b
    ]
    texts += [f["text"] for b in message.blocks for f in b.get("fields", [])]
    return [*texts, message.text]


def test_escape_mrkdwn_escapes_the_three_control_characters() -> None:
    assert escape_mrkdwn("a & b <!channel> > c") == "a &amp; b &lt;!channel&gt; &gt; c"


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("where", ["title", "text", "author", "site_name"])
def test_hostile_text_never_reaches_slack_unescaped(hostile: str, where: str) -> None:
    alert = make_alert(**{where: f"before {hostile} after"})
    texts = section_texts(alert)
    assert any(escape_mrkdwn(hostile) in t for t in texts)
    assert not any(hostile in t for t in texts)


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 50, 2999, 3000])
def test_fit_never_cuts_an_escape(limit: int) -> None:
    raw = "&<>" * 4000
    out = fit(raw, limit)
    assert len(out) <= limit
    assert not BROKEN_ENTITY.search(out)
    assert out.endswith("…")


def test_a_long_review_full_of_escapes_fits_the_section_limit() -> None:
    alert = make_alert(title="&" * 500, text="<&>" * 3334)
    [*_, body] = [b for b in render(alert).blocks if b["type"] == "section"]
    text = body["text"]["text"]
    assert len(text) <= MAX_SECTION_TEXT
    assert text.endswith("…")
    assert not BROKEN_ENTITY.search(text)
    assert text.startswith("*" + "&amp;" * 59 + "…*\n>")


def test_quote_prefixes_every_line() -> None:
    assert quote("one\n<two>") == ">one\n>&lt;two&gt;"


def test_the_blocks_hold_every_fact() -> None:
    alert = make_alert(
        title="Refund never came",
        text="Waited\r\n\r\n\r\n\r\nweeks.\x07",
        author="bob",
        site_name="Trustpilot",
        score=12,
        comments=4,
        followers=1500,
        rating=1.0,
        rating_best=5.0,
        published_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
    )
    message = render(alert)
    assert message.channel == "#brand-alerts"
    assert message.text == (
        "Negative mention of Acme on reviews · Trustpilot: Refund never came"
    )
    assert [b["type"] for b in message.blocks] == [
        "header",
        "section",
        "section",
        "actions",
        "context",
    ]
    assert [f["text"] for f in message.blocks[1]["fields"]] == [
        "*Source*\nreviews · Trustpilot",
        "*Sentiment*\nnegative (81%, from the text)",
        "*Rating*\n★☆☆☆☆ 1/5",
        "*Author*\nbob",
        "*Reach*\n12 points · 4 comments · 1,500 followers",
        (
            "*Published*\n2026-11-20 14:05 UTC "
            "(<!date^1795183500^{date_short_pretty} {time}|2026-11-20 14:05 UTC>)"
        ),
    ]
    assert (
        message.blocks[2]["text"]["text"] == "*Refund never came*\n>Waited\n>\n>weeks."
    )


@pytest.mark.parametrize(
    ("precision", "shown"),
    [("month", "2026-10"), ("year", "2026"), ("day", "2026-10-01")],
)
def test_a_date_without_a_time_is_shown_only_as_precise_as_it_is(
    precision: str, shown: str
) -> None:
    """食べログ's visit month: no day, no time, no Slack date token made up."""
    alert = make_alert(
        published_at=datetime(2026, 10, 1, tzinfo=UTC), published_precision=precision
    )
    fields = [f["text"] for f in render(alert).blocks[1]["fields"]]
    assert f"*Published*\n{shown}" in fields


def test_negative_can_be_passed_in() -> None:
    fields = render(make_alert(), negative=0.75).blocks[1]["fields"]
    assert fields[1]["text"] == "*Sentiment*\nnegative (75%)"


@pytest.mark.parametrize(
    ("url", "button"),
    [
        ("https://example.com/r?id=1&x=2", True),
        ("http://example.com/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("ftp://example.com/x", False),
        ("/relative/path", False),
        ("https://example.com/a b", False),
        ("https://example.com/" + "a" * 3000, False),
        (None, False),
    ],
)
def test_only_http_urls_become_buttons(url: str | None, button: bool) -> None:
    types = [b["type"] for b in render(make_alert(url=url)).blocks]
    assert ("actions" in types) is button
    assert (safe_url(url) is not None) is button


def test_header_is_cut_to_150_characters() -> None:
    alert = make_alert()
    alert.mention.matches = [
        BrandMatch(brand=f"Brand{i:03d}", competitor=False, terms=[]) for i in range(40)
    ]
    header = render(alert).blocks[0]["text"]["text"]
    assert len(header) == 150
    assert header.endswith("…")


def test_a_verdict_the_stars_decided_says_so_beside_the_text() -> None:
    alert = make_alert(rating=2.0, rating_best=5.0)
    alert.mention.sentiments[0].label_source = "stars"
    alert.mention.sentiments[0].negative = 0.12
    fields = [f["text"] for f in render(alert).blocks[1]["fields"]]
    assert fields[1:3] == [
        "*Sentiment*\nnegative (from the stars; text 12% negative)",
        "*Rating*\n★★☆☆☆ 2/5",
    ]


def test_an_unrated_mention_does_not_say_where_its_verdict_came_from() -> None:
    fields = [f["text"] for f in render(make_alert()).blocks[1]["fields"]]
    assert fields[1] == "*Sentiment*\nnegative (81%)"


def _button(text: str, action_id: str, **extra: str) -> dict[str, object]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        **extra,
        "value": "3",
        "action_id": action_id,
    }


WORKFLOW = [
    _button("Take it", "earful_take", style="primary"),
    {
        "type": "users_select",
        "placeholder": {"type": "plain_text", "text": "Assign to…"},
        "action_id": "earful_assign",
    },
    _button("Draft reply", "earful_draft"),
    _button("Replied", "earful_replied"),
    _button("Resolved", "earful_handle"),
]


@pytest.mark.parametrize(
    ("url", "elements"),
    [
        (
            "https://example.com/review/1",
            [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open mention"},
                    "url": "https://example.com/review/1",
                    "action_id": "open_mention",
                },
                *WORKFLOW,
            ],
        ),
        ("javascript:alert(1)", WORKFLOW),
    ],
)
def test_the_workflow_controls_carry_the_alert_id(url: str, elements) -> None:
    blocks = render(make_alert(url=url), handle_button=True).blocks
    assert [b for b in blocks if b["type"] == "actions"] == [
        {"type": "actions", "block_id": "earful_case_3", "elements": elements}
    ]
    assert block_problem(list(blocks)) is None  # as strict as Slack


def test_a_mention_handled_before_cases_shows_who_and_reopen() -> None:
    alert = make_alert(
        url=None,
        handled_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        handled_by="<!here> Dana\x1b[2J",
    )
    blocks = render(alert, handle_button=True).blocks
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "section",
        "actions",
        "section",
        "context",
    ]
    assert [e["action_id"] for e in blocks[3]["elements"]] == [
        "earful_assign",
        "earful_reopen",
    ]
    assert blocks[4]["text"]["text"] == (
        ":white_check_mark: Handled by &lt;!here&gt; Dana at 2026-11-21 09:30 UTC"
    )


def test_a_developer_reply_is_shown_quoted_and_escaped() -> None:
    alert = make_alert(
        source_type="googleplay",
        text="アプリが起動しません。",
        reply_text="ご不便をおかけしております。<!channel> 修正版を配信しました。",
        replied_at=datetime(2024, 5, 3, 1, 0, tzinfo=UTC),
    )
    blocks = render(alert).blocks
    assert blocks[3]["text"]["text"] == (
        ":speech_balloon: *Answered by the developer at 2024-05-03 01:00 UTC*\n"
        ">ご不便をおかけしております。&lt;!channel&gt; 修正版を配信しました。"
    )
    assert all("Answered" not in t for t in section_texts(make_alert()))
