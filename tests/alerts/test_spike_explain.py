"""A spike alert says what changed: aspects, sources, authors and terms, in Japanese too."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from alerts import deliver_pending, enqueue_spikes
from alerts.terms import rising_terms, tokens
from storage.aspects import AspectScore, save_aspects
from storage.models import Alert
from tests.alerts.conftest import MODEL, RULE, store_mention
from tests.servers.slack import SlackServer

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
BASELINE = [  # (site, text, aspect): a quiet week of scattered complaints
    ("価格.com", "アクメの値段が高すぎる。", "price"),
    ("X", "アクメの品質がいまいち。", "quality"),
    ("Reddit", "Acme support took a week to answer.", "support"),
]
SPIKE = [  # (site, author, text, aspect)
    ("5ch", "名無し", "アクメの配送が遅延していて全然届かない", "delivery"),
    ("5ch", "名無し", "アクメ、配送遅延ひどすぎ", "delivery"),
    ("5ch", "<!channel>", "配送がまた遅延。アクメ最悪", "delivery"),
    ("5ch", "<!channel>", "アクメの配送遅延、いつ届くの", "delivery"),
    ("X", "kei", "アクメの注文、配送遅延のお知らせが来た", "delivery"),
    ("X", "yuki", "アクメ遅延してる。返金してほしい", "support"),
    ("X", "mao", "Acme shipping delayed again, still waiting", "delivery"),
    ("価格.com", "taro", "アクメの値段が高いのに配送が遅延", "price"),
]


def _store(db, site, text, aspect, when, author="someone"):
    mention_id = store_mention(
        db, site_name=site, title=None, text=text, author=author, published_at=when
    )
    with db() as session, session.begin():
        save_aspects(
            session, mention_id, MODEL, [AspectScore(aspect, "negative", 0.9, "clause")]
        )


def test_japanese_tokens_split_words_and_drop_function_words():
    assert tokens("アクメの配送が遅延していて、まだ届かない。") == {
        "アクメ", "配送", "遅延", "届く",
    }  # fmt: skip
    assert tokens("Acme's shipping was delayed AGAIN") >= {"shipping", "delayed"}


def test_rising_terms_prefers_what_is_new_over_what_is_always_there():
    spike = [text for _, _, text, _ in SPIKE]
    baseline = [text for _, text, _ in BASELINE] * 10
    terms = [term for term, _ in rising_terms(spike, baseline)]
    assert terms[:2] == ["遅延", "配送"]
    assert "アクメ" not in terms  # in every window alike


def test_spike_alert_explains_what_changed(
    db: sessionmaker[Session], slack: SlackServer, slack_deliverer
) -> None:
    for hours in range(2, 160, 8):  # 20 complaints over the week before
        site, text, aspect = BASELINE[hours % 3]
        _store(db, site, text, aspect, NOW - timedelta(hours=hours))
    for n, (site, author, text, aspect) in enumerate(SPIKE):
        _store(db, site, text, aspect, NOW - timedelta(minutes=5 + n), author)
    with db() as session, session.begin():
        assert enqueue_spikes(session, [RULE], model_id=MODEL, now=NOW) == 1
        why = session.query(Alert).one().payload["why"]
    assert (why["aspects"][0]["name"], why["aspects"][0]["count"]) == ("delivery", 6)
    assert {a["name"] for a in why["aspects"][1:]} == {"price", "support"}
    assert [s["name"] for s in why["sources"]][:2] == ["5ch", "X"]
    assert why["terms"][:2] == ["遅延", "配送"]
    assert [(a["name"], a["count"]) for a in why["authors"]] == [
        ("<!channel>", 2), ("名無し", 2),
    ]  # fmt: skip

    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    [post] = slack.calls("chat.postMessage")
    assert post.payload["text"] == (
        "Negative spike: 8 mentions of Acme in 1 h (baseline 0.1); "
        "about delivery (75%), price (12%), support (12%); mostly 5ch (4) and X (3); "
        "top terms 遅延, 配送; most active &lt;!channel&gt; (2), 名無し (2)"
    )
    blocks = post.payload["blocks"]
    assert blocks[2]["text"]["text"].startswith("*What changed:* about delivery (75%)")
    assert blocks[3]["text"]["text"].count("\n• ") == 3
    assert "<!channel>" not in json.dumps(post.payload, ensure_ascii=False)
