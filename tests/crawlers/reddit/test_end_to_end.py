"""Reddit through Earful's stages: edits are scored again, new comments alert at once.

Real PRAW against the replay server, the real default sentiment model, the
daemon's real scheduler and slack-sdk against the local Slack server.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from earful.config import Config, parse_config
from earful.pipeline import Pipeline
from earful.scheduler import running, set_app
from storage import Alert, AlertState, Mention, SentimentResult
from tests.servers.reddit import RedditServer
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.slow

DEADLINE_S = 120.0
# t3_sr0004 in the team's acme_search cassette, as stored (the double spaces
# after sentences collapse), then as its author edits it.
ACME_QUESTION = (
    "How do I descale an Acme kettle? I have looked around and cannot find the "
    'steps anywhere. The manual only says "see the website".\n\nThanks'
)
# The edit has to outweigh a long, neutral question: the model averages the text.
ACME_EDIT = (
    "\n\nEDIT: forget it. The kettle is a horrible, broken mess and Acme "
    "support is useless. I hate it. It leaks, it burned my hand, and nobody at "
    "Acme answers. Worst purchase I have ever made, avoid it."
)
# t3_3x4kt2 in PRAW's TestSubreddit.test_search (never edited there), as stored: the
# recording has two spaces after "says." and "this.", which storing collapses.
QUESTION = (
    "As the title says. I have done a bit of looking around and I can't seem to "
    "find an easy way of doing this. I am simply looking to return a list of my "
    "own subscribed subs and then do a quick search through each of them.\n\nThanks"
)
EDIT = (
    "\n\nEDIT: forget it. OAuth is a horrible, broken mess and this whole API "
    "is useless. I hate it. I wasted three days on it. Terrible, awful, "
    "infuriating. I am so angry and disappointed. Avoid it."
)


@pytest.fixture
def reddit_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Put a scenario's client id (and a dummy secret) where the config looks."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def use(client_id: str) -> None:
        monkeypatch.setenv("REDDIT_CLIENT_ID", client_id)
        monkeypatch.setenv("REDDIT_CLIENT_SECRET", "not-a-secret")
        monkeypatch.setenv("REDDIT_USER_AGENT", "earful-tests")

    return use


def config(database_url: str, source: dict[str, Any], **extra: Any) -> Config:
    return parse_config(
        {
            "database_url": database_url,
            "sources": [{"type": "reddit", "name": "reddit", "jitter": 0, **source}],
            **extra,
        },
        environ=False,
    )


@pytest.fixture
def pipelines() -> Iterator[Callable[[Config], Pipeline]]:
    """Pipelines that are closed when the test ends."""
    made: list[Pipeline] = []

    def make(cfg: Config) -> Pipeline:
        made.append(Pipeline(cfg, console=io.StringIO()))
        return made[-1]

    yield make
    for pipeline in made:
        pipeline.close()


def test_an_edit_updates_the_text_is_scored_again_and_may_alert(
    reddit_server: RedditServer,
    reddit_env: Callable[[str], None],
    pipelines: Callable[[Config], Pipeline],
    database_url: str,
) -> None:
    client_id, scenario = reddit_server.scenario("acme_search")
    reddit_env(client_id)
    source = {"api_url": reddit_server.url, "search_interval": 0.001}
    pipeline = pipelines(
        config(
            database_url,
            source,
            brands=[{"name": "Acme", "terms": ["acme", "アクメ"]}],
            alerts=[
                {
                    "name": "neg",
                    "brands": ["Acme"],
                    "channel": "#o",
                    "min_negative": 0.5,
                }
            ],
        )
    )
    [reddit] = pipeline.enabled_sources()
    first = pipeline.collect(reddit)
    assert (first.new, first.updated, first.error) == (2, 0, None)
    assert pipeline.score()[0] == 2
    before = _scored(pipeline, "t3_sr0004")
    assert (before[0].text, before[1].label) == (ACME_QUESTION, "neutral")
    pipeline.alert()
    assert _alerts(pipeline, before[0].id) == []

    scenario.edit("t3_sr0004", ACME_QUESTION + ACME_EDIT)
    again = pipeline.collect(reddit)
    assert (again.new, again.updated, again.error) == (0, 1, None)
    assert pipeline.score() == (1, 1)  # only the edited post, now negative
    mention, score = _scored(pipeline, "t3_sr0004")
    assert mention.text == ACME_QUESTION + ACME_EDIT
    assert mention.id == before[0].id
    assert mention.content_hash != before[0].content_hash
    assert (score.id, score.content_hash) == (before[1].id, mention.content_hash)
    assert score.label == "negative"
    assert score.scored_at > before[1].scored_at
    assert pipeline.score() == (0, 0)
    pipeline.alert()  # to the console: no Slack token in this test
    assert _alerts(pipeline, mention.id) == [AlertState.SENT]


@pytest.mark.realdata
def test_real_an_edit_updates_the_text_is_scored_again_and_may_alert(
    reddit_server: RedditServer,
    reddit_env: Callable[[str], None],
    pipelines: Callable[[Config], Pipeline],
    database_url: str,
) -> None:
    client_id, scenario = reddit_server.scenario("TestSubreddit.test_search")
    reddit_env(client_id)
    source = {"api_url": reddit_server.url, "search_interval": 0.001}
    pipeline = pipelines(
        config(
            database_url,
            source,
            brands=[{"name": "OAuth", "terms": ["oauth"]}],
            alerts=[
                {
                    "name": "neg",
                    "brands": ["OAuth"],
                    "channel": "#o",
                    # The recorded question is long and neutral; the model averages
                    # it with the complaint to ~0.47 negative (the top label).
                    "min_negative": 0.4,
                }
            ],
        )
    )
    [reddit] = pipeline.enabled_sources()
    first = pipeline.collect(reddit)
    assert (first.new, first.updated, first.error) == (4, 0, None)
    assert pipeline.score()[0] == 4
    before = _scored(pipeline, "t3_3x4kt2")
    assert (before[0].text, before[1].label) == (QUESTION, "neutral")
    pipeline.alert()
    assert _alerts(pipeline, before[0].id) == []

    scenario.edit("t3_3x4kt2", QUESTION + EDIT)
    again = pipeline.collect(reddit)
    assert (again.new, again.updated, again.error) == (0, 1, None)
    assert pipeline.score() == (1, 1)  # only the edited post, now negative
    mention, score = _scored(pipeline, "t3_3x4kt2")
    assert mention.text == QUESTION + EDIT
    assert mention.id == before[0].id
    assert mention.content_hash != before[0].content_hash
    assert (score.id, score.content_hash) == (before[1].id, mention.content_hash)
    assert score.label == "negative"
    assert score.scored_at > before[1].scored_at
    assert pipeline.score() == (0, 0)
    pipeline.alert()  # to the console: no Slack token in this test
    assert _alerts(pipeline, mention.id) == [AlertState.SENT]


def _alerts(pipeline: Pipeline, mention_id: int) -> list[AlertState]:
    with pipeline.sessions() as s:
        return list(
            s.scalars(select(Alert.state).where(Alert.mention_id == mention_id))
        )


def _scored(pipeline: Pipeline, external_id: str) -> tuple[Mention, SentimentResult]:
    with pipeline.sessions() as s:
        mention = s.scalars(
            select(Mention).where(Mention.external_id == external_id)
        ).one()
        [score] = s.scalars(
            select(SentimentResult).where(SentimentResult.mention_id == mention.id)
        ).all()
        return mention, score


def test_a_new_comment_reaches_slack_right_after_the_poll_that_stored_it(
    reddit_server: RedditServer,
    slack: SlackServer,
    reddit_env: Callable[[str], None],
    pipelines: Callable[[Config], Pipeline],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
) -> None:
    """Scoring and delivery run hourly here: only the crawl waking them delivers."""
    client_id, scenario = reddit_server.scenario()
    reddit_env(client_id)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    comment = scenario.release(
        "acmetest",
        "Acme support is useless: my order never arrived and nobody answers.",
        author="unhappy",
    )
    source = {
        "api_url": reddit_server.url,
        "subreddits": ["acmetest"],
        "search": False,
        "stream_submissions": False,
        "interval": "1h",
    }
    pipeline = pipelines(
        config(
            sqlite_url,
            source,
            brands=[{"name": "Acme", "terms": ["acme"]}],
            alerts=[{"name": "neg", "brands": ["Acme"], "channel": "#acme"}],
            slack={"base_url": slack.api_url},
            daemon={"score_every": "1h", "deliver_every": "1h"},
        )
    )
    try:
        with running(pipeline):
            _wait_for(lambda: _sent(pipeline) == 1, "the alert to be sent")
    finally:
        set_app(None)
    [call] = slack.calls("chat.postMessage")
    assert call.payload["channel"] == "#acme"
    assert "my order never arrived" in str(call.payload["blocks"])
    with pipeline.sessions() as s:
        [alert] = s.scalars(select(Alert)).all()
        assert alert.mention is not None
        assert alert.mention.external_id == comment["name"]


def _sent(pipeline: Pipeline) -> int:
    with pipeline.sessions() as s:
        states = s.scalars(select(Alert.state)).all()
    return sum(state == AlertState.SENT for state in states)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)
