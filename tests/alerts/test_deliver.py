"""Delivery through real slack-sdk to the local Slack: exact payloads, webhook, console."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import alerts
from alerts import (
    ConsoleDeliverer,
    SlackDeliverer,
    WebhookDeliverer,
    deliver_pending,
    escape_mrkdwn,
    make_deliverer,
)
from storage.models import Alert
from tests.alerts.test_render import BROKEN_ENTITY, HOSTILE
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
# Scenario names for the local Slack, not secrets.
OK_TOKEN = "xoxb-ok"  # noqa: S105
ERROR_TOKEN = "xoxb-500"  # noqa: S105

HOSTILE_MENTION = {
    "title": "<!channel> refund & <!here>",
    "text": "Hi <@U123> and <!subteam^S1|x>\nsee <https://evil|looks-trusted>",
    "author": "<@U999>",
    "site_name": "Trust & <pilot>",
    "url": "https://www.trustpilot.com/review/acme/1?a=1&b=2",
    "score": None,
    "comments": 3,
    "followers": None,
    "rating": 2,
    "rating_best": 5,
}


def test_exact_payload_with_hostile_text(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue(**HOSTILE_MENTION)
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    [request] = slack.calls("/api/chat.postMessage")
    assert request.payload == {
        "channel": "#brand-alerts",
        "text": "Negative mention of Acme on reddit-acme · Trust &amp; &lt;pilot&gt; "
        "(case 1): &lt;!channel&gt; refund &amp; &lt;!here&gt;",
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {
            "event_type": "earful_alert",
            "event_payload": {"key": "mention:1"},
        },
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": "Negative mention of Acme"},
            },
            {
                "type": "section",
                "fields": [
                    {
                        "type": "mrkdwn",
                        "text": "*Source*\nreddit-acme · Trust &amp; &lt;pilot&gt;",
                    },
                    {
                        "type": "mrkdwn",
                        "text": "*Sentiment*\nnegative (93%, from the text)",
                    },
                    {
                        "type": "mrkdwn",
                        "text": "*Why*\nnegative 93% (the model) · rule acme-negative",
                    },
                    {"type": "mrkdwn", "text": "*Rating*\n★★☆☆☆ 2/5"},
                    {"type": "mrkdwn", "text": "*Author*\n&lt;@U999&gt;"},
                    {"type": "mrkdwn", "text": "*Reach*\n3 comments"},
                    {
                        "type": "mrkdwn",
                        "text": "*Published*\n2026-11-20 14:05 UTC (<!date^1795183500"
                        "^{date_short_pretty} {time}|2026-11-20 14:05 UTC>)",
                    },
                ],
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*&lt;!channel&gt; refund &amp; &lt;!here&gt;*\n"
                    ">Hi &lt;@U123&gt; and &lt;!subteam^S1|x&gt;\n"
                    ">see &lt;https://evil|looks-trusted&gt;",
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open mention"},
                        "url": "https://www.trustpilot.com/review/acme/1?a=1&b=2",
                        "action_id": "open_mention",
                    }
                ],
            },
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "case 1 · rule acme-negative · Earful"}
                ],
            },
        ],
    }
    assert "authorization" not in {k.lower() for k in request.headers}
    assert "slackclient/" in request.headers["User-Agent"]
    wire = json.dumps(request.payload, ensure_ascii=False)
    for hostile in HOSTILE:
        assert hostile not in wire
        assert escape_mrkdwn(hostile) in wire
    # And it is what Slack now holds in the channel.
    client = WebClient(token=OK_TOKEN, base_url=slack.api_url)
    history = client.conversations_history(channel=channel_id("#brand-alerts"))
    assert history["messages"][0]["blocks"] == request.payload["blocks"]


def test_a_10000_character_review_of_escapes_is_accepted(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue(title=None, text="&<>" * 3334)
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (report.sent, report.errors) == (1, [])  # the server checks Slack's limits
    [request] = slack.calls("chat.postMessage")
    body = request.payload["blocks"][2]["text"]["text"]
    assert len(body) <= 3000
    assert body.endswith("…")
    assert not BROKEN_ENTITY.search(body)
    assert not BROKEN_ENTITY.search(request.payload["text"])


def test_webhook_delivery(
    db: Factory, queue: Callable[..., int], slack: SlackServer
) -> None:
    queue(**HOSTILE_MENTION)
    report = deliver_pending(db, WebhookDeliverer(slack.hook_url("ok")))
    assert (report.sent, report.errors) == (1, [])
    [request] = slack.calls("/hook/ok")
    assert request.payload["text"].startswith("Negative mention of Acme")
    assert "<!channel>" not in json.dumps(request.payload)
    with db() as session:
        alert = session.scalars(select(Alert)).one()
    assert (alert.state, alert.slack_channel, alert.slack_ts) == ("sent", None, None)


def test_webhook_rate_limit_is_retried(
    db: Factory, queue: Callable[..., int], slack: SlackServer
) -> None:
    queue()
    report = deliver_pending(db, WebhookDeliverer(slack.hook_url("ratelimited_1")))
    assert (report.sent, report.errors) == (1, [])
    assert len(slack.calls("/hook/ratelimited_1")) == 2


def test_secrets_stay_out_of_logs_errors_and_the_database(
    db: Factory,
    queue: Callable[..., int],
    slack: SlackServer,
    slack_deliverer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue()
    caplog.set_level(logging.DEBUG)
    hook = slack.hook_url("no_service")
    report = deliver_pending(db, WebhookDeliverer(hook))
    assert report.stopped
    assert report.errors == [
        (
            "Slack rejected the incoming webhook (no_service): set SLACK_WEBHOOK_URL to "
            "an active webhook URL, or use a bot token instead; delivery stopped, alerts "
            "stay pending"
        )
    ]
    token = ERROR_TOKEN
    report = deliver_pending(db, slack_deliverer(token))
    with db() as session:
        stored = session.scalars(select(Alert)).one().last_error
    seen = caplog.text + "".join(report.errors) + str(stored)
    seen += repr(WebhookDeliverer(hook)) + repr(slack_deliverer(token))
    assert "/hook/" not in seen
    assert token not in seen


def test_console_output_is_readable_and_terminal_safe(
    db: Factory, queue: Callable[..., int]
) -> None:
    queue(
        title="\x1b]0;pwned\x07<!channel> \u202eevil",
        text="line one\x1b[31m red\x1b[0m\nline \x00two\x9b",
        author="bob\r\x1b[2K",
        site_name="r/acme",
    )
    stream = io.StringIO()
    report = deliver_pending(db, ConsoleDeliverer(stream))
    assert (report.sent, report.errors) == (1, [])
    assert stream.getvalue() == (
        "=== Negative mention of Acme → #brand-alerts\n"
        "source:    reddit-acme · r/acme\n"
        "sentiment: negative (93%)\n"
        "author:    bob\n"
        "reach:     1,234 points · 56 comments\n"
        "published: 2026-11-20 14:05 UTC\n"
        "title:     <!channel> evil\n"
        "  | line one red\n"
        "  | line two\n"
        "link:      https://www.reddit.com/r/acme/comments/abc123/\n\n"
    )
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", stream.getvalue())


def test_make_deliverer_prefers_token_then_webhook_then_console(
    slack: SlackServer,
) -> None:
    stream = io.StringIO()
    both = make_deliverer(
        token=OK_TOKEN,
        webhook_url=slack.hook_url(),
        base_url=slack.api_url,
        stream=stream,
    )
    assert isinstance(both, SlackDeliverer)
    hook = make_deliverer(token=None, webhook_url=slack.hook_url(), stream=stream)
    assert isinstance(hook, WebhookDeliverer)
    assert isinstance(
        make_deliverer(token="", webhook_url=None, stream=stream), ConsoleDeliverer
    )


def test_exports() -> None:
    assert alerts.__all__ == sorted(alerts.__all__)
    for name in alerts.__all__:
        assert getattr(alerts, name) is not None
    assert channel_id("C0123ABCD") == "C0123ABCD"
