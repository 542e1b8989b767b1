"""Real PRAW against replayed Reddit answers: listings, streams, search, threads.

The cassettes in ``tests/fixtures/reddit`` are the team's own, in the shapes of
Reddit's API; tests marked ``realdata`` replay PRAW's real recordings.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawlers.match import BrandRule
from storage.models import BrandMatch, Mention
from storage.queries import get_cursor
from tests.crawlers.conftest import ACME
from tests.crawlers.reddit.conftest import MakeCollector, stored
from tests.servers.reddit import RedditServer

STREAM = "acme_comment_stream"
# The comments of r/acmejp's first poll that name Acme (kc0002 is "[deleted]",
# kc0001 is about gadgets); kc0007 only comes in the 3rd poll.
ACME_FIRST_POLL = {
    "t1_kc0003": "taro",
    "t1_kc0004": "hana_m",
    "t1_kc0005": "yuki_k",
    "t1_kc0006": "kettle_ken",
}
ACME_THIRD_POLL = {"t1_kc0007": "saki"}


def acme_stream(make: MakeCollector, client_id: str, brands=(ACME,)):  # type: ignore[no-untyped-def]
    return make(
        client_id,
        brands,
        subreddits=("acmejp",),
        search=False,
        stream_submissions=False,
    )


def test_comment_stream_over_several_polls(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(STREAM)
    reddit = acme_stream(collector, client_id)
    outcomes = [reddit.poll() for _ in range(3)]
    assert [(o.seen, o.new, o.error) for o in outcomes] == [
        (4, 4, None),
        (0, 0, None),
        (1, 1, None),
    ]
    rows = {m.external_id: m for m in stored(reddit)}
    assert {k: m.author for k, m in rows.items()} == ACME_FIRST_POLL | ACME_THIRD_POLL
    broken = rows["t1_kc0004"]
    assert broken.text == "ＡＣＭＥのケトル、三日で壊れました。サポートも返事なし。"
    assert broken.title == "ＡＣＭＥの電気ケトルどうですか？"
    assert broken.language == "ja"
    assert (broken.thread_id, broken.parent_id) == ("t3_acme01", "t3_acme01")
    assert broken.top_level is True
    assert broken.url == "https://www.reddit.com/r/acmejp/comments/acme01/acme/kc0004/"
    assert rows["t1_kc0005"].parent_id == "t1_kc0004"
    assert rows["t1_kc0005"].top_level is False
    assert rows["t1_kc0006"].title == "Acme kettle, one year on"
    assert broken.site_name == "r/acmejp"
    assert scenario.unmatched == []


def test_restart_mid_stream_stores_nothing_twice_and_misses_nothing(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(STREAM, ordered=True)
    first = acme_stream(collector, client_id)
    assert first.poll().new == len(ACME_FIRST_POLL)
    # A new process: fresh PRAW, streams and cursor read back from the database.
    second = acme_stream(collector, client_id)
    outcomes = [second.poll(), second.poll()]
    assert [o.new for o in outcomes] == [0, 1]
    assert sum(o.seen for o in outcomes) == 1  # the 6 already seen are skipped
    ids = [m.external_id for m in stored(second)]
    assert sorted(ids) == sorted(ACME_FIRST_POLL | ACME_THIRD_POLL)
    assert scenario.requests[1][1].startswith(
        "GET /r/acmejp/comments/?before=t1_kc0006"
    )
    with second.sessions() as session:
        assert get_cursor(session, "reddit") == {"comments:acmejp": "t1_kc0007"}


def test_subreddit_new_listing(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("acme_subreddit_new")
    reddit = collector(
        client_id,
        (ACME,),
        subreddits=("acmejp",),
        search=False,
        stream_comments=False,
    )
    outcome = reddit.poll()
    rows = {m.external_id: m for m in stored(reddit)}
    assert (outcome.seen, outcome.new, outcome.error) == (3, 3, None)
    assert set(rows) == {"t3_ap0001", "t3_ap0003", "t3_ap0004"}  # not the weekly
    lid = rows["t3_ap0004"]
    assert lid.author == "rin"
    assert lid.title == "Acme blender lid cracked"
    assert lid.text == "Mine cracked in week two. Anyone else?"
    assert (lid.thread_id, lid.score, lid.comments) == ("t3_ap0004", 12, 3)
    assert lid.followers == 15230  # the subreddit's subscribers
    assert lid.site_name == "r/acmejp"
    assert lid.url.startswith("https://www.reddit.com/r/acmejp/comments/ap0004/")
    assert rows["t3_ap0001"].text == ""  # a title-only post
    assert rows["t3_ap0003"].language == "ja"
    assert scenario.unmatched == []


def test_search_filters_results_locally(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("acme_search")
    reddit = collector(client_id, (ACME,))
    outcome = reddit.poll()
    # 2 of the 4 results name Acme as a word; sr0003 only says "acmeology",
    # sr0002 only "acme_api", which Reddit's looser search found.
    assert (outcome.seen, outcome.error) == (2, None)
    rows = {m.external_id: m.author for m in stored(reddit)}
    assert rows == {"t3_sr0001": "mio", "t3_sr0004": "curious_cat"}
    path, _, query = scenario.requests[0][1].partition("?")
    assert path == "GET /r/all/search/"
    assert "sort=new" in query
    # (acme OR アクメ) NOT "acme corp"
    assert "q=%28acme+OR+%E3%82%A2%E3%82%AF%E3%83%A1%29+NOT+%22acme+corp%22&" in query
    assert "t=day" in query


def test_searches_run_at_their_own_interval_not_every_poll(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("acme_search")
    reddit = collector(client_id, (ACME,), search_every=300.0)
    outcomes = [reddit.poll(), reddit.poll()]
    assert [(o.new, o.error) for o in outcomes] == [(2, None), (0, None)]
    assert len(scenario.requests) == 1  # the second poll was too soon to search
    client_id, scenario = reddit_server.scenario("acme_search")
    every_poll = collector(client_id, (ACME,), search_every=0.0)
    assert [every_poll.poll().error, every_poll.poll().error] == [None, None]
    assert len(scenario.requests) == 2


def test_a_language_limited_brand_matches_comments_in_that_language(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, _ = reddit_server.scenario(STREAM)
    english = BrandRule("Acme-en", ("acme", "アクメ"), languages=("en",))
    japanese = BrandRule("Acme-ja", ("acme", "アクメ"), languages=("ja",))
    reddit = acme_stream(collector, client_id, (english, japanese))
    reddit.poll()
    languages = {m.external_id: m.language for m in stored(reddit)}
    assert languages == {
        "t1_kc0003": "ja",
        "t1_kc0004": "ja",
        "t1_kc0005": "ja",
        "t1_kc0006": "en",
    }
    with reddit.sessions() as session:
        brands = session.execute(
            select(Mention.external_id, BrandMatch.brand).join(BrandMatch.mention)
        ).all()
    assert sorted(brands) == [
        ("t1_kc0003", "Acme-ja"),
        ("t1_kc0004", "Acme-ja"),
        ("t1_kc0005", "Acme-ja"),
        ("t1_kc0006", "Acme-en"),
    ]


# Comments in r/kakapo (TestSubredditStreams.test_comments__with_pause) that name
# these "brands", read off the recording; t1_dgd9bcm only appears in the 3rd poll.
THANKS = BrandRule("Thanks", ("thanks", "thx", "nice one"))
SIROCCO = BrandRule("Sirocco", ("sirocco",))
FIRST_POLL = {
    "t1_cg7r41r": "wenom",
    "t1_del2rbk": "MC_Kloppedie",
    "t1_dfgwaxy": "MC_Kloppedie",
    "t1_dfktga0": "Surgeon-San",
    "t1_dfnajb0": "MC_Kloppedie",
    "t1_dg41oob": "MC_Kloppedie",
}
THIRD_POLL = {"t1_dgd9bcm": "elnuno"}
KAKAPO = "TestSubredditStreams.test_comments__with_pause"


def make_stream(  # type: ignore[no-untyped-def]
    make: MakeCollector, client_id: str, brands: tuple[BrandRule, ...]
):
    return make(
        client_id,
        brands,
        subreddits=("kakapo",),
        search=False,
        stream_submissions=False,
    )


@pytest.mark.realdata
def test_real_comment_stream_over_several_polls(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(KAKAPO)
    reddit = make_stream(collector, client_id, (THANKS, SIROCCO))
    outcomes = [reddit.poll() for _ in range(3)]
    assert [(o.seen, o.new, o.error) for o in outcomes] == [
        (6, 6, None),
        (0, 0, None),
        (1, 1, None),
    ]
    rows = {m.external_id: m for m in stored(reddit)}
    assert {k: m.author for k, m in rows.items()} == FIRST_POLL | THIRD_POLL
    sirocco = rows["t1_dfktga0"]
    assert sirocco.text.startswith("I hope they find Sirocco.")
    assert sirocco.title == "Star kakapo Sirocco has 20th birthday"[:30] or (
        sirocco.title or ""
    ).startswith("Star kakapo Sirocco has 20th b")
    assert sirocco.thread_id == "t3_626c0c"
    assert sirocco.parent_id == "t3_626c0c"
    assert sirocco.top_level is True
    assert rows["t1_dg41oob"].top_level is False
    assert sirocco.site_name == "r/kakapo"
    assert scenario.unmatched == []


@pytest.mark.realdata
def test_real_restart_mid_stream_stores_nothing_twice_and_misses_nothing(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(KAKAPO, ordered=True)
    first = make_stream(collector, client_id, (THANKS, SIROCCO))
    assert first.poll().new == len(FIRST_POLL)
    # A new process: fresh PRAW, streams and cursor read back from the database.
    second = make_stream(collector, client_id, (THANKS, SIROCCO))
    outcomes = [second.poll(), second.poll()]
    assert [o.new for o in outcomes] == [0, 1]
    assert sum(o.seen for o in outcomes) == 1  # the 16 already seen are skipped
    ids = [m.external_id for m in stored(second)]
    assert sorted(ids) == sorted(FIRST_POLL | THIRD_POLL)
    assert scenario.requests[1][1].startswith(
        "GET /r/kakapo/comments/?before=t1_dgauydy"
    )
    with second.sessions() as session:
        assert get_cursor(session, "reddit") == {"comments:kakapo": "t1_dgd9bcm"}


@pytest.mark.realdata
def test_real_subreddit_new_listing(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, _ = reddit_server.scenario("TestSubredditListings.test_new")
    reddit = collector(
        client_id,
        (BrandRule("Reddit", ("reddit",)),),
        subreddits=("askreddit",),
        search=False,
        stream_comments=False,
    )
    outcome = reddit.poll()
    rows = {m.external_id: m for m in stored(reddit)}
    assert (outcome.seen, outcome.new, outcome.error) == (9, 9, None)
    assert set(rows) == {
        "t3_48fbm9", "t3_48fb9o", "t3_48fasr", "t3_48fa8w", "t3_48f9n8",
        "t3_48f8s4", "t3_48f8gv", "t3_48f8g2", "t3_48f7hr",
    }  # fmt: skip
    ceo = rows["t3_48f7hr"]
    assert ceo.author == "BeakerandBunsen"
    assert ceo.title == "You're Reddit CEO for the day, what do you do?"
    assert ceo.thread_id == "t3_48f7hr"
    assert ceo.site_name == "r/AskReddit"
    assert ceo.url.startswith("https://www.reddit.com/r/AskReddit/comments/48f7hr/")


@pytest.mark.realdata
def test_real_search_filters_results_locally(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("TestSubreddit.test_search")
    reddit = collector(client_id, (BrandRule("OAuth", ("oauth",)),))
    outcome = reddit.poll()
    # 4 of the 6 results name it as a word ("Reddit's oauth", "oauth.reddit.com");
    # t3_1qvzkd only has "_use_oauth", t3_4at068 only "OAuth2ResourceController".
    assert (outcome.seen, outcome.error) == (4, None)
    rows = {m.external_id: m.author for m in stored(reddit)}
    assert rows == {
        "t3_3gpbiu": "dClauzel",
        "t3_3x4kt2": "GrinningMouth38",
        "t3_3b4erh": "Ouiski",
        "t3_3qc02b": "Doomhammer458",
    }
    path, _, query = scenario.requests[0][1].partition("?")
    assert path == "GET /r/all/search/"
    assert "sort=new" in query
    assert "q=oauth" in query
    assert "t=day" in query


def test_removed_and_deleted_comments_in_a_stream_are_not_mentions(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    """Reddit lists a removed comment as "[removed]" and a deleted one as
    "[deleted]", both without author. No recording holds a "[removed]" body, so
    the replay server releases these, built on a recorded comment."""
    client_id, scenario = reddit_server.scenario()
    kept = scenario.release("acmetest", "Acme answered within the hour.", author="fan")
    scenario.release("acmetest", "[removed]", author="[deleted]")
    scenario.release("acmetest", "[deleted]", author="[deleted]")
    reddit = collector(
        client_id,
        (BrandRule("Acme", ("acme", "removed", "deleted")),),
        subreddits=("acmetest",),
        search=False,
        stream_submissions=False,
    )
    outcome = reddit.poll()
    assert (outcome.seen, outcome.new, outcome.error) == (1, 1, None)
    assert [(m.external_id, m.author, m.text) for m in stored(reddit)] == [
        (kept["name"], "fan", "Acme answered within the hour.")
    ]
    assert scenario.unmatched == []


@pytest.mark.realdata
def test_real_searches_run_at_their_own_interval_not_every_poll(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    oauth = (BrandRule("OAuth", ("oauth",)),)
    client_id, scenario = reddit_server.scenario("TestSubreddit.test_search")
    reddit = collector(client_id, oauth, search_every=300.0)
    outcomes = [reddit.poll(), reddit.poll()]
    assert [(o.new, o.error) for o in outcomes] == [(4, None), (0, None)]
    assert len(scenario.requests) == 1  # the second poll was too soon to search
    client_id, scenario = reddit_server.scenario("TestSubreddit.test_search")
    every_poll = collector(client_id, oauth, search_every=0.0)
    assert [every_poll.poll().error, every_poll.poll().error] == [None, None]
    assert len(scenario.requests) == 2


@pytest.mark.realdata
def test_real_a_language_limited_brand_matches_comments_in_that_language(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    """The Sirocco comment is English: the English-only rule takes it, not ja."""
    client_id, _ = reddit_server.scenario(KAKAPO)
    english = BrandRule("Sirocco", ("sirocco",), languages=("en",))
    japanese = BrandRule("Sirocco-ja", ("sirocco",), languages=("ja",))
    reddit = make_stream(collector, client_id, (english, japanese))
    reddit.poll()
    [sirocco] = stored(reddit)
    assert (sirocco.external_id, sirocco.language) == ("t1_dfktga0", "en")
    with reddit.sessions() as session:
        assert session.scalars(select(BrandMatch.brand)).all() == ["Sirocco"]


def test_a_poison_post_between_good_ones_is_stored_undated_and_reported(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("acme_subreddit_new_poison")
    reddit = collector(
        client_id,
        (ACME,),
        subreddits=("acmejp",),
        search=False,
        stream_comments=False,
    )
    outcome = reddit.poll()
    rows = {m.external_id: m for m in stored(reddit)}
    assert (outcome.seen, outcome.new, outcome.error) == (3, 3, None)
    assert set(rows) == {"t3_ap0001", "t3_ap0003", "t3_ap0004"}
    poison = rows["t3_ap0003"]
    assert (poison.published_at, poison.score, poison.comments) == (None, None, None)
    assert poison.title == "アクメのトースター、西暦9999年から"
    assert outcome.warning is not None
    assert "t3_ap0003: score 100000000000000000000 is out of range" in outcome.warning
    assert "t3_ap0003: created_utc 1e+20 is absurd; stored undated" in outcome.warning
    with reddit.sessions() as session:  # the cursor moved past it
        assert get_cursor(session, "reddit")
    assert scenario.unmatched == []
