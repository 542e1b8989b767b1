"""The PR team's loop (#26): one case number, Slack current from every path, why.

Real slack-sdk against the strict local Slack, on SQLite and PostgreSQL. The
case number is the mention's id; alert 1 is about case 2 here, so the two can
only be told apart if every command and message uses the case number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, SendPolicy, deliver_pending, enqueue
from earful.cli import main
from storage.models import Alert, Case, Mention, utcnow
from storage.queries import upsert_mention
from storage.response import mark_own_replies
from tests.alerts.conftest import MODEL, RULE, store_mention
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
# A CLI command's engine on PostgreSQL leaves one psycopg connection to the
# garbage collector (also before #26; not found yet): reported, not failed.
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)
CONTROLS = [
    "open_mention", "earful_take", "earful_assign", "earful_draft",
    "earful_replied", "earful_handle",
]  # fmt: skip


@pytest.fixture
def db(database_url: str, open_db: Callable[[str], Factory]) -> Factory:
    return open_db(database_url)


@pytest.fixture
def config(tmp_path: Path, database_url: str, slack: SlackServer) -> list[str]:
    """``--config`` for an earful.toml on the test's database and the local Slack."""
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        '[[brands]]\nname = "Acme"\nterms = ["acme", "アクメ"]\n'
        f'[slack]\nbase_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    return ["--config", str(path)]


@pytest.fixture
def alerted(db: Factory, slack: SlackServer, slack_deliverer) -> str:
    """Case 2 (mention 2) alerted as alert 1, with the case's controls; its ts."""
    store_mention(db, negative=0.1, text="アクメの新製品、まあまあ")  # case 1: no alert
    store_mention(
        db,
        title="アクメのサポートがひどい",
        text="返金を二週間待っても連絡なし",
        thread_id="t-complaint",
    )
    with db() as session, session.begin():
        assert enqueue(session, [RULE], model_id=MODEL) == 1
    policy = SendPolicy(handle_button=True)
    assert deliver_pending(db, slack_deliverer("xoxb-ok"), policy=policy).sent == 1
    [message] = slack.history[channel_id("#brand-alerts")]
    return str(message["ts"])


def message(slack: SlackServer) -> dict:
    [posted] = slack.history[channel_id("#brand-alerts")]
    return posted


def controls(slack: SlackServer) -> list[str]:
    [block] = [b for b in message(slack)["blocks"] if b["type"] == "actions"]
    return [e["action_id"] for e in block["elements"]]


def case_line(slack: SlackServer) -> str:
    return message(slack)["blocks"][-2]["text"]["text"]


def cli(config: list[str], *args: str) -> str:
    result = CliRunner().invoke(main, ["alerts", *args, *config])
    return result.output


def test_the_case_number_is_the_one_slack_shows(
    db: Factory, slack: SlackServer, alerted: str, config, monkeypatch
) -> None:
    context = message(slack)["blocks"][-1]["elements"][0]["text"]
    assert context == "case 2 · rule acme-negative · Earful"
    assert "(case 2)" in message(slack)["text"]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    assert cli(config, "assign", "2", "佐藤", "--by", "lead") == (
        "Case 2 assigned to 佐藤; 1 Slack message updated.\n"
    )
    # The old alert number still works, written so it cannot be read as a case.
    assert cli(config, "reply", "a1", "--by", "佐藤") == (
        "Case 2 replied; 1 Slack message updated.\n"
    )
    assert cli(config, "reply", "9") == (
        "Error: case 9 not found: see `earful alerts list`\n"
    )
    listed = cli(config, "list", "--state", "sent")
    assert listed.startswith("case 2      a1     sent ")
    with db() as session:
        assert session.get_one(Case, 2).state == "replied"
        assert session.get(Case, 1) is None  # bare "1" never meant alert 1


def test_the_cli_without_an_app_token_keeps_every_control(
    db: Factory, slack: SlackServer, alerted: str, config, monkeypatch
) -> None:
    assert controls(slack) == CONTROLS
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    assert cli(config, "assign", "2", "佐藤") == (
        "Case 2 assigned to 佐藤; 1 Slack message updated.\n"
    )
    assert controls(slack) == [
        "open_mention", "earful_assign", "earful_draft", "earful_replied",
        "earful_handle",
    ]  # fmt: skip
    assert case_line(slack).startswith(":hourglass_flowing_sand: *in progress* · ")
    cli(config, "resolve", "2")
    assert controls(slack) == ["open_mention", "earful_assign", "earful_reopen"]


def test_without_a_bot_token_the_next_delivery_run_catches_up(
    db: Factory, slack: SlackServer, alerted: str, config, monkeypatch, slack_deliverer
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert cli(config, "resolve", "2", "--by", "佐藤") == (
        "Case 2 resolved; 0 Slack messages updated.\n"
        "  warning: Slack messages not updated now: editing them needs a bot token "
        "(SLACK_BOT_TOKEN); `earful run` with one updates them next\n"
    )
    assert slack.calls("chat.update") == []
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))  # no app token here
    assert report.cases_updated == 1
    assert case_line(slack).startswith(":white_check_mark: *resolved* · owner 佐藤")
    assert controls(slack) == ["open_mention", "earful_assign", "earful_reopen"]
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).cases_updated == 0


def test_a_reply_the_collector_saw_updates_slack(
    db: Factory, slack: SlackServer, alerted: str, slack_deliverer
) -> None:
    with db() as session, session.begin():
        upsert_mention(
            session,
            {
                "source": "reddit-acme",
                "source_type": "reddit",
                "external_id": "t1_brand",
                "text": "ご不便をおかけし申し訳ございません。DMにてご連絡します。",
                "author": "acme_support",
                "thread_id": "t-complaint",
                "published_at": utcnow(),
            },
            [],
        )
        assert mark_own_replies(session, {"reddit": ["acme_support"]}, utcnow()) == 1
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (report.cases_updated, report.errors) == (1, [])
    assert case_line(slack).startswith(":speech_balloon: *replied* · owner nobody yet")
    assert "earful_replied" not in controls(slack)
    assert "earful_handle" in controls(slack)  # the controls stay


def test_assign_reopens_a_resolved_case_and_reopen_says_so(
    db: Factory, slack: SlackServer, alerted: str, config, monkeypatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    cli(config, "resolve", "2", "--by", "佐藤")
    assert cli(config, "assign", "2", "鈴木", "--by", "lead") == (
        "Case 2 reopened (it was resolved) and assigned to 鈴木; "
        "1 Slack message updated.\n"
    )
    cli(config, "reply", "2", "--by", "鈴木")
    assert cli(config, "reopen", "2", "--by", "鈴木") == (
        "Case 2 reopened; 1 Slack message updated.\n"
    )
    with db() as session:
        case = session.get_one(Case, 2)
        assert (case.state, case.owner) == ("in_progress", "鈴木")
        assert session.get_one(Mention, 2).handled_at is None


def test_alerts_say_why_they_fired(
    db: Factory, slack: SlackServer, slack_deliverer, config
) -> None:
    keyword = AlertRule("refunds", ("Acme",), "#brand-alerts", keywords=("返金",))
    stars = AlertRule("low-stars", ("Acme",), "#ja", max_rating=2)
    store_mention(db, negative=0.2, text="アクメ、返金はまだですか", external_id="k1")
    store_mention(
        db, negative=0.3, text="アクメの配送は普通", rating=1, rating_best=5,
        external_id="s1", source="appstore-acme", source_type="appstore",
    )  # fmt: skip
    store_mention(db, negative=0.91, text="アクメ最悪", external_id="n1")
    with db() as session, session.begin():
        assert enqueue(session, [keyword, stars, RULE], model_id=MODEL) == 3
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 3
    headers = {
        m["blocks"][0]["text"]["text"]: m["blocks"][1]["fields"][2]["text"]
        for channel in ("#brand-alerts", "#ja")
        for m in slack.history[channel_id(channel)]
    }
    assert headers == {
        "Mention of Acme with “返金”": "*Why*\nkeyword “返金” · rule refunds",
        "Low-rated review of Acme": (
            "*Why*\n★☆☆☆☆ 1/5 (the reviewer's stars) · rule low-stars"
        ),
        "Negative mention of Acme": (
            "*Why*\nnegative 91% (the model) · rule refunds"  # first in the channel
        ),
    }
    shown = cli(config, "show", "1")
    assert shown.splitlines()[0] == "Case 1: new, owner nobody yet"
    assert "a1 #brand-alerts sent " in shown
    assert shown.rstrip().endswith("· why: keyword “返金” · rule refunds")


def test_held_alerts_are_shown_retimed_and_released(
    db: Factory, slack: SlackServer, config, monkeypatch, slack_deliverer
) -> None:
    from alerts import DeliveryWindow, retime_held  # noqa: PLC0415 - this test only

    store_mention(db, text="アクメ最悪")
    now = utcnow()
    later = now + timedelta(hours=6)
    with db() as session, session.begin():
        enqueue(session, [RULE], model_id=MODEL)
        session.get_one(Alert, 1).deliver_after = later
    listed = cli(config, "list", "--state", "pending")
    assert f"held until {later:%Y-%m-%d %H:%M} UTC" in listed
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))  # what run --once says
    assert (report.sent, report.held, report.held_until) == (0, 1, later)
    # A rule made urgent (or quiet hours removed): the alert is due at once.
    with db() as session, session.begin():
        urgent = replace(RULE, urgent=True)
        assert retime_held(session, [urgent], DeliveryWindow(), now) == 1
    with db() as session, session.begin():
        alert = session.get_one(Alert, 1)
        assert alert.deliver_after is None
        alert.deliver_after = later
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    assert cli(config, "release", "1") == (
        "case 1: a1 to #brand-alerts released\n"
        "1 held alert released; 1 delivered to Slack (bot token from "
        "SLACK_BOT_TOKEN), 0 failed.\n"
    )
    assert len(slack.history[channel_id("#brand-alerts")]) == 1
