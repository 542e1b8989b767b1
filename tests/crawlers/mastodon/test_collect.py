"""Mastodon timelines and search: Japanese toots, reach, cursors, edits, boosts."""

from __future__ import annotations

from tests.crawlers.mastodon.conftest import TOKEN, MakeCollector, access, stored
from tests.servers.mastodon import MastodonServer

S1 = "https://mstdn.jp/users/hanako/statuses/113500000000000101"
S2 = "https://mastodon.social/users/sam/statuses/113500000000000999"


def test_hashtag_timelines_store_matching_toots(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance()
    mastodon = mastodon_collector(access(url), search=False)
    outcome = mastodon.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (4, None, None)
    mentions = stored(mastodon)
    assert sorted(mentions) == [
        S2,  # federated from mastodon.social: keyed by its own uri
        "https://mstdn.jp/users/hanako/statuses/113500000000000101",
        "https://mstdn.jp/users/hanako/statuses/113500000000000105",
        "https://mstdn.jp/users/kenji/statuses/113500000000000103",
    ]  # the boost of 101 is not stored twice; the walk names no brand
    ja = mentions[S1]
    assert (
        ja.text == "アクメのブレンダーが二週間で壊れた。サポートにも繋がらない… #アクメ"
    )
    assert ja.language == "ja"
    assert (ja.author, ja.followers, ja.score, ja.comments) == (
        "@hanako@mstdn.jp",
        2300,
        12,
        3,
    )
    assert ja.url == "https://mstdn.jp/@hanako/113500000000000101"
    en = mentions[S2]
    assert en.text == (
        "Three weeks with the #Acme kettle & it still leaks. <sigh>\n"
        "Support never answered."
    )
    assert en.author == "@sam@mastodon.social"
    warned = mentions["https://mstdn.jp/users/hanako/statuses/113500000000000105"]
    assert warned.title == "家電の愚痴"  # the content warning
    paths = [r["path"] for r in instance.requests]
    assert paths[1:] == [
        "/api/v1/timelines/tag/アクメ",
        "/api/v1/timelines/tag/acme",
    ]


def test_the_next_poll_reads_forward_from_the_cursor(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance()
    mastodon = mastodon_collector(access(url), search=False, hashtags=("アクメ",))
    mastodon.poll()
    instance.toot("<p>アクメのサポート、今日は神対応だった</p>", ("アクメ",))
    instance.delete("113500000000000103")  # deleted meanwhile: nothing breaks
    outcome = mastodon.poll()
    assert (outcome.new, outcome.error) == (1, None)
    assert instance.requests[-1]["min_id"] == "113500000000000105"
    assert len(stored(mastodon)) == 4


def test_search_finds_edits_where_full_text_search_works(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance(tokens=(TOKEN,), full_text=True)
    mastodon = mastodon_collector(access(url, TOKEN), hashtags=())
    first = mastodon.poll()
    assert (first.new, first.error, first.warning) == (4, None, None)
    instance.edit("113500000000000101", "<p>追記：アクメから交換品が届いた。</p>")
    second = mastodon.poll()
    assert (second.updated, second.error) == (1, None)
    assert stored(mastodon)[S1].text == "追記：アクメから交換品が届いた。"
    assert {r["q"] for r in instance.requests if "q" in r} == {"acme", "アクメ"}


def test_an_instance_without_full_text_search_says_so(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance(tokens=(TOKEN,))
    outcome = mastodon_collector(access(url, TOKEN), hashtags=()).poll()
    assert outcome.error is None
    assert outcome.warning is not None
    assert outcome.warning.endswith(
        "keyword search has found no posts yet: this instance may search only "
        "hashtags and posts its users opted in or the token's account interacted "
        "with (full-text search needs Elasticsearch); hashtag timelines still run"
    )


def test_search_without_a_token_is_skipped_with_a_warning(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance()
    outcome = mastodon_collector(access(url)).poll()
    assert (outcome.new, outcome.error) == (4, None)
    assert outcome.warning is not None
    assert outcome.warning.endswith(
        "keyword search skipped: it needs an access token (set "
        "EARFUL_MASTODON_TOKEN_MSTDN_JP); hashtag timelines still run"
    )
