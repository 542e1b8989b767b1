"""Jetstream events from strangers: only well-formed post commits become posts."""

from __future__ import annotations

import pytest

from crawlers.bluesky import permalink, post_event, post_item
from crawlers.bluesky.jetstream import parse_event
from tests.servers.jetstream import commit, identity

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"


@pytest.mark.parametrize(
    "message", ["not json", "[1, 2]", '"text"', b"\x28\xb5\x2f\xfd\x00"]
)
def test_messages_that_are_not_json_objects_are_none(message):
    assert parse_event(message) is None


@pytest.mark.parametrize(
    "event",
    [
        identity(DID, 5, "alice.bsky.social"),
        commit(DID, 5, "3la", text="acme", collection="app.bsky.feed.like"),
        {**commit(DID, 5, "3la", text="acme"), "time_us": "5"},
        {**commit(DID, 5, "3la", text="acme"), "did": None},
        commit(DID, 5, "3la/../x", text="acme"),
        commit(DID, 5, "3la", text="acme", operation="truncate"),
    ],
)
def test_other_events_and_malformed_commits_are_not_posts(event):
    assert post_event(event) is None


def test_a_reply_keeps_its_thread_and_parent():
    root = f"at://{DID}/app.bsky.feed.post/3lroot"
    parent = f"at://{DID}/app.bsky.feed.post/3lparent"
    event = commit(
        DID,
        1_764_565_200_000_000,
        "3lreply",
        text="ｱｸﾒの返信",
        langs=("ja-JP",),
        reply={
            "root": {"uri": root, "cid": "x"},
            "parent": {"uri": parent, "cid": "y"},
        },
    )
    post = post_event(event)
    assert post is not None
    assert post.record is not None
    item = post_item("bsky", did=post.did, rkey=post.rkey, record=post.record)
    assert (item.thread_id, item.parent_id, item.top_level) == (root, parent, False)
    assert item.language == "ja-JP"  # NormalizePipeline keeps "ja"
    assert item.url == permalink(DID, "3lreply")
    assert item.published_at is not None
    assert item.published_at.isoformat() == "2026-12-01T05:00:00+00:00"


def test_a_delete_has_no_record():
    post = post_event(commit(DID, 9, "3la", operation="delete"))
    assert post is not None
    assert (post.operation, post.record, post.text) == ("delete", None, "")
