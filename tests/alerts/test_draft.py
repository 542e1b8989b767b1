"""Reply drafting: the best template fills the modal; the draft goes to the thread.

Real slack-bolt against the local Slack: "Draft reply" opens a modal with
``views.open`` and the click's trigger_id, the submission posts the edited
draft into the alert's thread with ``chat.postMessage`` (``thread_ts``), and
nothing is ever sent anywhere else. In Japanese and English.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from alerts import HandleListener, ReplyTemplate, SendPolicy, deliver_pending
from alerts.reply import draft_for, pick
from earful.config import ReplyTemplateConfig
from storage.cases import case_events
from storage.models import Mention
from tests.alerts.test_listen import APP_TOKEN
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
KENJI = {"id": "U0G9QF9C6", "username": "kenji", "name": "kenji"}
JA_BODY = (
    "Acmeをご利用いただきありがとうございます。ご不便をおかけし申し訳ございません。"
)
TEMPLATES = (
    ReplyTemplate(
        "Acme", "Hi {author}, sorry about your {product} on {channel}.", "en"
    ),
    ReplyTemplate(
        "Acme",
        "{author}様、{product}をご利用いただきありがとうございます。"
        "ご不便をおかけし申し訳ございません。",
        "ja",
    ),
    ReplyTemplate("Acme", "Hello {author}, thanks for writing about {product}."),
)


@pytest.mark.parametrize(
    ("language", "author", "draft"),
    [
        ("ja", "不満な客", "不満な客様、" + JA_BODY),
        ("ja-JP", None, "お客様、" + JA_BODY),
        ("en", "<!channel> bob", "Hi <!channel> bob, sorry about your Acme on r/acme."),
        ("fr", "Zoé", "Hello Zoé, thanks for writing about Acme."),
    ],
)  # fmt: skip
def test_the_best_template_for_brand_and_language(language, author, draft) -> None:
    mention = Mention(language=language, author=author, site_name="r/acme", source="s")
    assert draft_for(TEMPLATES, mention, "Acme") == draft
    assert pick(TEMPLATES, "Globex", "en") is TEMPLATES[0]  # same language, any brand
    assert pick(TEMPLATES, "Globex", "de") is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Hi {name}", "unknown placeholder {name}: use {author}, {product}, {channel}"),
        ("Hi {author", "broken braces"),
    ],
)
def test_an_unknown_placeholder_is_a_config_error(text: str, error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        ReplyTemplateConfig(brand="Acme", text=text)


@pytest.fixture
def posted(db: Factory, queue, slack: SlackServer, slack_deliverer) -> str:
    queue(
        title="Acmeの返金が遅い",
        text="二週間待っても返金なし <!here>",
        author="不満な客",
        language="ja",
        site_name="価格.com",
    )
    policy = SendPolicy(handle_button=True)
    assert deliver_pending(db, slack_deliverer("xoxb-ok"), policy=policy).sent == 1
    return str(slack.history[channel_id("#brand-alerts")][0]["ts"])


@pytest.fixture
def listening(db: Factory, slack: SlackServer) -> Iterator[HandleListener]:
    listener = HandleListener(
        db,
        bot_token="xoxb-ok",  # noqa: S106 - the local Slack's
        app_token=APP_TOKEN,
        base_url=slack.api_url,
        templates=TEMPLATES,
    )
    listener.start()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    yield listener
    assert listener.close()


def test_draft_modal_prefilled_then_posted_to_the_thread_for_approval(
    db: Factory, slack: SlackServer, posted: str, listening
) -> None:
    sockets = slack.socket_mode
    envelope = slack.click("#brand-alerts", posted, "earful_draft", KENJI)
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    [opened] = slack.wait_answered("views.open")
    assert opened.payload["trigger_id"] not in slack.triggers  # used once
    [view] = slack.views.values()
    assert view["private_metadata"] == "1"
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == (
        "不満な客様、Acmeをご利用いただきありがとうございます。"
        "ご不便をおかけし申し訳ございません。"
    )
    assert "&lt;!here&gt;" in view["blocks"][1]["text"]["text"]  # the quote is inert

    edited = field["element"]["initial_value"] + "\n返金は本日手配しました。<!channel>"
    submitted = slack.submit(view["id"], KENJI, edited)
    sockets.wait("the ack", lambda: {"envelope_id": submitted} in sockets.acks)
    [draft] = slack.wait_answered("chat.postMessage", 2)[1:]
    assert draft.payload["channel"] == channel_id("#brand-alerts")
    assert draft.payload["thread_ts"] == posted
    assert (draft.payload["unfurl_links"], draft.payload["unfurl_media"]) == (
        False,
        False,
    )  # no preview of a stranger's link in the team's thread
    assert draft.payload["text"] == (
        ":memo: *Draft reply* by <@U0G9QF9C6>, for approval. Earful does not post "
        "it: answer on reddit-acme · 価格.com yourself once approved.\n"
        ">不満な客様、Acmeをご利用いただきありがとうございます。"
        "ご不便をおかけし申し訳ございません。\n"
        ">返金は本日手配しました。&lt;!channel&gt;"
    )
    slack.wait_answered("chat.update")  # drafting puts the case in progress
    with db() as session:
        [event] = case_events(session, 1)
        assert (event.actor, event.via, event.to_state) == (
            "kenji (U0G9QF9C6)", "slack", "in_progress"
        )  # fmt: skip
    hosts = {r.headers.get("Host") for r in slack.requests}
    assert hosts == {slack.url.removeprefix("http://")}  # nothing went elsewhere


def test_a_stale_trigger_is_refused_as_slack_does(
    slack: SlackServer, posted: str
) -> None:
    from slack_sdk import WebClient  # noqa: PLC0415 - this test only
    from slack_sdk.errors import SlackApiError  # noqa: PLC0415

    client = WebClient(token="xoxb-ok", base_url=slack.api_url)  # noqa: S106
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]}  # fmt: skip
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id="12345.98765.abcd", view=view)
    assert caught.value.response["error"] == "invalid_trigger_id"


def test_template_errors_name_the_key() -> None:
    from earful.config import parse_config  # noqa: PLC0415 - this test only
    from earful.errors import ConfigError  # noqa: PLC0415

    data = {
        "brands": [{"name": "Acme", "terms": ["acme"]}],
        "response": {
            "target": "2h",
            "templates": [
                {
                    "brand": "Acme",
                    "language": "ja",
                    "text": "{author}様、{商品}について",
                },
                {"brand": "Globex", "text": "Hi {author}"},
            ],
        },
    }
    with pytest.raises(ConfigError) as info:
        parse_config(data, environ=False)
    assert str(info.value) == (
        "earful.toml: response.templates[0].text: unknown placeholder {商品}: use "
        "{author}, {product}, {channel}"
    )
    del data["response"]["templates"][0]  # type: ignore[attr-defined]
    with pytest.raises(ConfigError) as info:
        parse_config(data, environ=False)
    assert "response.templates[0].brand: unknown brand 'Globex' (known: Acme)" in str(
        info.value
    )
    data["response"]["templates"][0]["brand"] = "Acme"  # type: ignore[index]
    config = parse_config(data, environ=False)
    assert config.response.target == 7200
    assert config.response.reply_templates() == [ReplyTemplate("Acme", "Hi {author}")]
