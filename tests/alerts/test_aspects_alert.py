"""A mention alert says what the mention is about: "About: delivery, support"."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from alerts import deliver_pending, enqueue
from alerts.render import about_line
from storage.aspects import AspectScore, save_aspects
from storage.models import Mention, MentionAspect
from tests.alerts.conftest import MODEL, RULE, store_mention
from tests.alerts.test_render import make_alert
from tests.servers.slack import SlackServer


def test_about_lists_complaints_first_and_marks_the_rest():
    alert = make_alert(text="配送は早かったが、品質が悪い。")
    mention = alert.mention
    assert mention is not None
    assert about_line(mention) is None  # no aspects
    mention.aspects = [
        MentionAspect(model_id="m", aspect="delivery", label="positive",
                      negative=0.1, basis="clause", terms=["配送"]),
        MentionAspect(model_id="m", aspect="quality", label="negative",
                      negative=0.9, basis="clause", terms=["品質"]),
        MentionAspect(model_id="old-model", aspect="price", label="negative",
                      negative=0.9, basis="mention", terms=[]),
    ]  # fmt: skip
    assert about_line(mention) == "quality, delivery (positive)"


def test_hostile_aspect_name_is_escaped():
    alert = make_alert()
    assert alert.mention is not None
    alert.mention.aspects = [
        MentionAspect(model_id="m", aspect="<!channel>", label="negative",
                      negative=0.9, basis="mention", terms=[]),
    ]  # fmt: skip
    assert about_line(alert.mention) == "&lt;!channel&gt;"


def test_alert_in_slack_shows_the_aspects(
    db: sessionmaker[Session], slack: SlackServer, slack_deliverer
) -> None:
    mention_id = store_mention(
        db, title="アクメの配送が遅い", text="届かない。サポートも返信なし。"
    )
    with db() as session, session.begin():
        save_aspects(
            session, mention_id, MODEL,
            [AspectScore("delivery", "negative", 0.9, "clause", ("届かない",)),
             AspectScore("support", "negative", 0.8, "clause", ("サポート",))],
        )  # fmt: skip
        assert enqueue(session, [RULE], model_id=MODEL) == 1
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    [post] = slack.calls("chat.postMessage")
    fields = post.payload["blocks"][1]["fields"]
    assert {"type": "mrkdwn", "text": "*About*\ndelivery, support"} in fields
    assert "アクメの配送が遅い" in json.dumps(post.payload, ensure_ascii=False)
    with db() as session:
        assert session.get_one(Mention, mention_id).aspects[0].aspect == "delivery"
