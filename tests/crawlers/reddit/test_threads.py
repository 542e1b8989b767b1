"""A submission's comment tree: "load more comments", deleted and removed comments."""

from __future__ import annotations

import pytest

from crawlers.match import BrandRule
from tests.crawlers.conftest import ACME
from tests.crawlers.reddit.conftest import MakeCollector, stored
from tests.servers.reddit import RedditServer

THREAD = "acme_thread"
# t3_th0001 in r/kitchen and its comments that name Acme. tc0003's author
# deleted the account (its text stays, PRAW gives no author); tc0004 says
# "[deleted]", tc0005 "[removed]"; tc0006 comes in the "load more" answer.
ACME_THREAD = {
    "t3_th0001": "mixer_q",
    "t1_tc0001": "lee",
    "t1_tc0002": "sam",
    "t1_tc0003": None,
}
ACME_LOADED_MORE = {"t1_tc0006": "nana"}
ACME_AND_GONE = (ACME, BrandRule("Gone", ("deleted", "removed")))


def test_comment_tree_with_load_more_deleted_and_removed_comments(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(THREAD)
    reddit = collector(client_id, ACME_AND_GONE)
    outcome = reddit.collect_thread("th0001")
    assert outcome.error is None
    assert scenario.unmatched == []
    assert len([r for _, r in scenario.requests if "morechildren" in r]) == 1
    rows = {m.external_id: m for m in stored(reddit)}
    assert {k: m.author for k, m in rows.items()} == ACME_THREAD | ACME_LOADED_MORE
    assert outcome.new == len(ACME_THREAD | ACME_LOADED_MORE)
    post = rows["t3_th0001"]
    assert (post.title, post.score, post.comments) == ("Acme mixer: worth it?", 55, 7)
    assert post.followers == 48211
    top = rows["t1_tc0001"]
    assert (top.text, top.title) == (
        "Acme mixer works, but it is loud.",
        "Acme mixer: worth it?",
    )
    assert (top.thread_id, top.parent_id, top.top_level) == (
        "t3_th0001",
        "t3_th0001",
        True,
    )
    assert (top.site_name, top.followers) == ("r/kitchen", 48211)
    reply = rows["t1_tc0002"]
    assert (reply.parent_id, reply.top_level, reply.score) == ("t1_tc0001", False, 3)
    assert rows["t1_tc0003"].text == "I returned my Acme mixer after a week."
    loaded = rows["t1_tc0006"]
    assert (loaded.title, loaded.top_level) == ("Acme mixer: worth it?", True)
    assert loaded.language == "ja"
    assert loaded.url == "https://www.reddit.com/r/kitchen/comments/th0001/acme/tc0006/"


def test_load_more_is_bounded_per_thread(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(THREAD)
    reddit = collector(client_id, ACME_AND_GONE, thread_more_limit=0)
    assert reddit.collect_thread("th0001").error is None
    assert len(scenario.requests) == 1  # the first page only
    rows = {m.external_id: m.author for m in stored(reddit)}
    assert rows == ACME_THREAD


REPLACE_ALL = "TestCommentForest.test_replace__all"
# Comments of t3_3hahrw (r/funny, "Ba Dum Tsss") that say "treadmill" or
# "rimshot" as a word, read off the recording. All but t1_cu5v9yd are on the
# first page; t1_cu5v9yd comes in the third "load more comments" answer.
# t1_cu5ujk8 and t1_cu5uk2x keep their text although their author deleted the
# account (PRAW gives no author); t1_cu61215 only says "treadmills".
TREADMILL = {
    "t1_cu5tzum": "kosh56",
    "t1_cu5ujk8": None,
    "t1_cu5uk2x": None,
    "t1_cu5ukar": "mattmck90",
    "t1_cu5un6h": "Sketchables",
    "t1_cu616jd": "omnilynx",
    "t1_cu68vnd": "Backflip_into_a_star",
}
RIMSHOT_FIRST_PAGE = {
    "t1_cu5ujqr": "uncleawesome",
    "t1_cu5vvba": "A_Rim_Shot_For_You",
    "t1_cu61po6": "H00NER",
    "t1_cu60xnz": "TheRealBabyCave",
    "t1_cu5tx53": "Doonie",
    "t1_cu5u961": "pibroch",
}
LOADED_MORE = {"t1_cu5v9yd": "idosillythings"}
BRANDS = (
    BrandRule("Treadmill", ("treadmill",)),
    BrandRule("Rimshot", ("rimshot",)),
    # The tree holds six comments whose body is "[deleted]" (t1_cu61rpx,
    # t1_cu5w5hz, t1_cu5y4ro, t1_cu60yyr, t1_cu61dgb on the first page,
    # t1_cu61tk1 also on a "continue this thread" page): this term would
    # match them, were they stored.
    BrandRule("Deleted", ("deleted",)),
)


@pytest.mark.realdata
def test_real_comment_tree_with_load_more(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(REPLACE_ALL)
    reddit = collector(client_id, BRANDS)
    outcome = reddit.collect_thread("3hahrw")
    assert outcome.error is None
    assert scenario.unmatched == []
    assert len([r for _, r in scenario.requests if "morechildren" in r]) == 12
    rows = {m.external_id: m for m in stored(reddit)}
    expected = TREADMILL | RIMSHOT_FIRST_PAGE | LOADED_MORE
    assert {k: m.author for k, m in rows.items()} == expected
    assert outcome.new == len(expected)
    top = rows["t1_cu5un6h"]
    assert (top.text, top.title) == (
        "What did that kid step on a treadmill?",
        "Ba Dum Tsss",
    )
    assert (top.thread_id, top.parent_id, top.top_level) == (
        "t3_3hahrw",
        "t3_3hahrw",
        True,
    )
    assert top.site_name == "r/funny"
    reply = rows["t1_cu616jd"]
    assert (reply.parent_id, reply.top_level, reply.score) == ("t1_cu5tzum", False, 3)
    assert reply.url == "https://www.reddit.com/r/funny/comments/3hahrw/_/cu616jd/"
    loaded = rows["t1_cu5v9yd"]
    assert (loaded.title, loaded.top_level) == ("Ba Dum Tsss", True)


@pytest.mark.realdata
def test_real_load_more_is_bounded_per_thread(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(REPLACE_ALL)
    reddit = collector(client_id, BRANDS, thread_more_limit=0)
    assert reddit.collect_thread("3hahrw").error is None
    assert len(scenario.requests) == 1  # the first page only
    rows = {m.external_id: m.author for m in stored(reddit)}
    assert rows == TREADMILL | RIMSHOT_FIRST_PAGE


@pytest.mark.realdata
def test_real_removed_comment_is_not_in_its_thread_page(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    """The recording of a comment removed by moderators, t1_dma3mi5.

    Reddit's ``/api/info`` still shows its text there ("... without any
    evidence."), but its thread page no longer holds it. Read with the first
    page only (no recording of the thread's 70 "load more" answers exists),
    the comments that do say "evidence" are stored and the removed one is not.
    No recording holds a "[removed]" body; ``test_collect`` streams one.
    """
    client_id, scenario = reddit_server.scenario(
        "TestComment.test_refresh__removed_comment"
    )
    reddit = collector(
        client_id, (BrandRule("Evidence", ("evidence",)),), thread_more_limit=0
    )
    outcome = reddit.collect_thread("6wmniq")
    assert outcome.error is None
    assert scenario.unmatched == []
    assert [r.partition("?")[0] for _, r in scenario.requests] == [
        "GET /comments/6wmniq/"
    ]
    rows = {m.external_id: m for m in stored(reddit)}
    assert {k: (m.author, m.parent_id) for k, m in rows.items()} == {
        "t1_dm97jr0": ("altruSP", "t1_dm97548"),
        "t1_dm9gxac": ("kallafragga", "t1_dm95tic"),
        "t1_dm9owma": ("SanshaXII", "t3_6wmniq"),
    }
    assert rows["t1_dm9owma"].top_level is True
    assert {m.title for m in rows.values()} == {
        "Which conspiracy theory makes you cringe the most?"
    }


@pytest.mark.realdata
def test_real_comments_in_a_thread_carry_its_title_and_subreddit_reach(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    """t3_ablzuq (2019, r/AskReddit), whose page reports the subreddit's subscribers."""
    client_id, scenario = reddit_server.scenario(
        "TestCommentForest.test_comment_forest_refresh_error"
    )
    reddit = collector(client_id, (BrandRule("S", ("shit",)),), thread_more_limit=0)
    outcome = reddit.collect_thread("ablzuq")
    assert (outcome.new, outcome.error) == (2, None)
    assert scenario.unmatched == []
    post, comment = sorted(stored(reddit), key=lambda m: m.external_id, reverse=True)
    title = (
        "People who haven't pooped in 2019 yet, why are you still holding on to "
        "last years shit?"
    )
    assert (post.external_id, post.author, post.title) == (
        "t3_ablzuq",
        "ShoddySubstance",
        title,
    )
    assert (post.followers, post.score, post.comments) == (25873447, 221850, 8125)
    assert (comment.external_id, comment.author, comment.title) == (
        "t1_ed1czme",
        "sweatybeard",
        title,
    )
    assert (comment.followers, comment.score, comment.top_level) == (
        25873447,
        12165,
        True,
    )
    assert comment.url == (
        "https://www.reddit.com/r/AskReddit/comments/ablzuq/"
        "people_who_havent_pooped_in_2019_yet_why_are_you/ed1czme/"
    )
