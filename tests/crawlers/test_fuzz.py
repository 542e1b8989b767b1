"""Property-based fuzzing of every collector's item parser and the brand query parser.

Each parser gets hostile input in its real shape (the keys it reads, with
values of any JSON type: dates in year 9999, counts of 10**30, NaN, deep
nesting) and must either return items that storage takes or raise its own
bad-item error, never anything else, and never hang. The budget is fixed and
derandomised, so CI runs the same examples every time in a few seconds;
``EARFUL_FUZZ_EXAMPLES=2000`` runs a longer search locally.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.bluesky.jetstream import read_event
from crawlers.bluesky.posts import post_event, post_item
from crawlers.dat import parse_post, parse_subject_line
from crawlers.errors import BadItemError, JsonFeedError
from crawlers.items import MentionItem
from crawlers.jsonfeed import parse_json_feed
from crawlers.mastodon.things import status_item
from crawlers.pipelines import NormalizePipeline
from crawlers.query import QueryError, evaluate, parse_query
from crawlers.spiders.googleplay import PlayAnswerError, review_payload
from crawlers.spiders.hackernews import hit_item
from crawlers.x.collect import page_items
from crawlers.youtube.things import thread_item, video_item

FUZZ = settings(
    max_examples=int(os.environ.get("EARFUL_FUZZ_EXAMPLES", "60")),
    derandomize=True,
    deadline=None,  # pytest-timeout below is the hang check; CPUs here are shared
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
POISON = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "1970-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z",
    "",
    "\x00",
    "ｱｸﾒ<!channel>",
    "NaN",
    "1e400",
    "9" * 30,
    "-1",
    "a" * 600,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(POISON)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def shaped(keys: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with some of ``keys`` (each a strategy) and hostile JSON elsewhere."""
    return st.fixed_dictionaries({}, optional=keys)


def stored(item: MentionItem | None) -> None:
    """What a collector does next: normalise, then hand the fields to storage."""
    if item is None:
        return
    item = NormalizePipeline().process_item(item)
    fields = item.mention_fields()
    assert isinstance(fields["external_id"], str)
    assert len(fields["external_id"]) <= 512
    assert fields["published_at"] is None or fields["published_at"].year < 9999
    for name in ("score", "comments", "followers"):
        assert fields[name] is None or -(2**31) <= fields[name] < 2**31


def value(*extra: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(json_values, *extra)


@pytest.mark.timeout(60)
@FUZZ
@given(st.text(alphabet=st.sampled_from('ab アクメ()"NOTANDOR\t'), max_size=400))
def test_the_query_parser_raises_only_query_errors(query):
    try:
        tree = parse_query(query)
    except QueryError:
        return
    evaluate(tree, lambda term: "a" in term)


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.one_of(
        json_values.map(json.dumps),
        st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
        st.binary(max_size=50),
    )
)
def test_a_jetstream_message_is_an_event_or_a_bad_item(message):
    try:
        event = read_event(message)
    except BadItemError:
        return
    post_event(event)


RECORD = shaped(
    {
        "text": value(st.text()),
        "createdAt": value(st.sampled_from(POISON)),
        "langs": value(st.lists(st.text(max_size=40))),
        "reply": value(),
    }
)


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.fixed_dictionaries(
        {
            "did": value(st.just("did:plc:x")),
            "time_us": value(st.integers(-(10**20), 10**20)),
            "kind": value(st.just("commit")),
            "commit": shaped(
                {
                    "operation": st.sampled_from(["create", "update", "delete"]),
                    "collection": st.just("app.bsky.feed.post"),
                    "rkey": value(st.text(max_size=600)),
                    "record": value(RECORD),
                }
            ),
        }
    )
)
def test_a_jetstream_event_is_a_post_that_storage_takes(event):
    post = post_event(event)
    if post is not None and post.record is not None:
        stored(
            post_item(
                "bsky",
                did=post.did,
                rkey=post.rkey,
                record=post.record,
                time_us=post.time_us,
            )
        )


@pytest.mark.timeout(60)
@FUZZ
@given(
    shaped(
        {
            "id": value(),
            "uri": value(st.text(min_size=1, max_size=700)),
            "url": value(),
            "content": value(st.text()),
            "spoiler_text": value(),
            "created_at": value(st.sampled_from(POISON)),
            "edited_at": value(),
            "in_reply_to_id": value(),
            "favourites_count": value(),
            "replies_count": value(),
            "reblogs_count": value(),
            "reblog": value(),
            "language": value(),
            "account": value(shaped({"acct": value(), "url": value()})),
        }
    )
)
def test_a_mastodon_status_is_a_mention_that_storage_takes(status):
    stored(status_item("mastodon", "mastodon.social", status))


@pytest.mark.timeout(60)
@FUZZ
@given(
    shaped(
        {
            "objectID": value(st.text(min_size=1)),
            "comment_text": value(),
            "story_text": value(),
            "title": value(),
            "story_title": value(),
            "url": value(),
            "story_url": value(),
            "created_at_i": value(st.integers(-(10**20), 10**20)),
            "parent_id": value(),
            "story_id": value(),
            "author": value(),
            "points": value(),
            "num_comments": value(),
            "_tags": value(),
        }
    )
)
def test_a_hacker_news_hit_is_a_mention_that_storage_takes(hit):
    stored(hit_item(hit, "hn"))


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.one_of(
        json_values.map(
            lambda v: json.dumps(
                {"version": "https://jsonfeed.org/version/1.1", "items": v}
            )
        ),
        st.lists(
            shaped(
                {
                    "id": value(),
                    "url": value(),
                    "title": value(),
                    "content_text": value(),
                    "content_html": value(),
                    "date_published": value(st.sampled_from(POISON)),
                    "date_modified": value(),
                    "authors": value(),
                    "tags": value(),
                }
            ),
            max_size=3,
        ).map(
            lambda items: json.dumps(
                {"version": "https://jsonfeed.org/version/1", "items": items}
            )
        ),
        st.integers(1, 3000).map(
            lambda n: (
                '{"version": "https://jsonfeed.org/version/1", "items": '
                + "[" * n
                + "]" * n
                + "}"
            )
        ),
    ).map(str.encode)
)
def test_a_json_feed_parses_or_is_a_json_feed_error(body):
    try:
        feed = parse_json_feed(body, NOW)
    except JsonFeedError:
        return
    for entry in feed.items:
        assert entry.published_at is None or entry.published_at.year < 9999


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.lists(
        st.text(max_size=40)
        | st.sampled_from([*POISON, "2026/12/01(火) 12:34:56.78 ID:abc"]),
        max_size=6,
    ).map("<>".join),
    st.integers(1, 10**6),
)
def test_a_dat_line_is_a_post_or_a_value_error(line, number):
    try:
        post = parse_post(line, number)
    except ValueError:
        return
    if post is not None:
        assert post.published_at is None or post.published_at.year > 1900
    parse_subject_line(line)


@pytest.mark.timeout(60)
@FUZZ
@given(
    st.one_of(
        json_values.map(json.dumps),
        value().map(
            lambda inner: json.dumps([["wrb.fr", "UsvDTd", json.dumps(inner)]])
        ),
        st.binary(max_size=60),
    ).map(lambda s: s if isinstance(s, bytes) else (")]}'\n" + s).encode())
)
def test_a_google_play_answer_is_reviews_or_a_play_answer_error(body):
    try:
        review_payload(body)
    except PlayAnswerError:
        return


@pytest.mark.timeout(60)
@FUZZ
@given(
    shaped(
        {
            "id": value(),
            "snippet": value(
                shaped(
                    {
                        "videoId": value(),
                        "totalReplyCount": value(),
                        "channelId": value(),
                        "title": value(),
                        "description": value(),
                        "channelTitle": value(),
                        "publishedAt": value(st.sampled_from(POISON)),
                        "topLevelComment": value(
                            shaped(
                                {
                                    "id": value(),
                                    "snippet": value(
                                        shaped(
                                            {
                                                "textOriginal": value(),
                                                "authorDisplayName": value(),
                                                "likeCount": value(),
                                                "publishedAt": value(
                                                    st.sampled_from(POISON)
                                                ),
                                                "updatedAt": value(),
                                            }
                                        )
                                    ),
                                }
                            )
                        ),
                    }
                )
            ),
        }
    )
)
def test_a_youtube_result_is_a_mention_or_a_bad_item(result):
    for parse in (
        lambda: thread_item("yt", result, {}),
        lambda: video_item("yt", result),
    ):
        try:
            stored(parse())
        except BadItemError:
            continue


@pytest.mark.timeout(60)
@FUZZ
@given(
    shaped(
        {
            "data": value(
                st.lists(
                    shaped(
                        {
                            "id": value(),
                            "text": value(),
                            "author_id": value(),
                            "created_at": value(st.sampled_from(POISON)),
                            "conversation_id": value(),
                            "edit_history_tweet_ids": value(),
                            "public_metrics": value(),
                            "withheld": value(),
                        }
                    ),
                    max_size=3,
                )
            ),
            "includes": value(),
        }
    )
)
def test_an_x_answer_is_mentions_or_a_bad_item(body):
    try:
        items = page_items("x", body)
    except BadItemError:
        return
    for item in items:
        stored(item)
