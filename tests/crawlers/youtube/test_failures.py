"""YouTube failures: a clear error, a failed run, back-off, and never an exception."""

from __future__ import annotations

from crawlers.youtube import YouTubeCredentials, YouTubeSource, newest_items
from storage.queries import get_cursor
from tests.crawlers.conftest import ACME
from tests.crawlers.youtube.conftest import CHANNEL, MakeCollector, stored
from tests.servers.youtube import YouTubeServer


def test_missing_key_names_the_variable(youtube_collector: MakeCollector) -> None:
    youtube = youtube_collector(None, (ACME,), channel_id=CHANNEL)
    outcome = youtube.poll()
    with youtube.sessions() as session:
        assert get_cursor(session, "youtube") == {}  # no unit counted
    assert outcome.error == (
        "youtube source youtube: YouTube API key missing: set "
        "EARFUL_YOUTUBE_API_KEY to an API key with the YouTube Data API v3 "
        "enabled (see https://console.cloud.google.com/apis/credentials)"
    )


def test_an_invalid_key_is_refused_and_never_echoed(
    youtube_collector: MakeCollector,
) -> None:
    outcome = youtube_collector("AIzaWrongKey", (ACME,), channel_id=CHANNEL).poll()
    assert outcome.error == (
        "youtube source youtube: YouTube refused the API key (HTTP 400 "
        "badRequest: API key not valid. Please pass a valid API key.): check "
        "EARFUL_YOUTUBE_API_KEY (see https://console.cloud.google.com/apis/"
        "credentials)"
    )
    assert "AIzaWrongKey" not in outcome.error


def test_503_and_a_dropped_connection_back_off_then_recover(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    # httplib2 sends a request again once when the connection drops: two drops fail.
    key, _ = youtube_server.scenario(faults=("503", "drop", "drop"))
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL, search=False)
    first = youtube.poll()
    assert first.error == (
        "youtube source youtube: YouTube unavailable (HTTP 503 backendError), "
        "retrying in 60 s"
    )
    assert youtube.poll().error is not None  # still backing off: no request
    youtube.backoff.resume_at = 0.0
    second = youtube.poll()
    assert second.error is not None
    assert second.error.startswith("youtube source youtube: YouTube connection failed")
    youtube.backoff.resume_at = 0.0
    third = youtube.poll()
    assert (third.new, third.error) == (3, None)
    assert len(stored(youtube)) == 3


def test_newest_items_for_source_check(youtube_server: YouTubeServer) -> None:
    key, scenario = youtube_server.scenario()
    items = newest_items(
        YouTubeCredentials(api_key=key, api_url=youtube_server.endpoint),
        YouTubeSource(name="yt", type="youtube", channel_id=CHANNEL),
        limit=2,
    )
    assert [i.external_id for i in items] == ["UgzAcmeEn0004", "UgzAcmeEn0003"]
    assert scenario.used == 1


def test_a_failed_videos_call_keeps_the_comments_and_names_the_call(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    # The comment threads come back; the videos.list call after them fails.
    key, scenario = youtube_server.scenario(faults=("-", "503"))
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL, search=False)
    outcome = youtube.poll()
    assert [r["resource"] for r in scenario.requests] == ["commentThreads", "videos"]
    # The third thread names Acme only in its video's title, unknown this poll.
    assert (outcome.new, outcome.error) == (2, None)
    assert len(stored(youtube)) == 2
    (warning,) = outcome.warnings
    assert warning == (
        "videos.list for 2 video title(s) failed (YouTube unavailable (HTTP 503 "
        "backendError)); their comments are kept, matched without the title"
    )
