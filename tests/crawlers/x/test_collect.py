"""X recent search: brand queries, reach, since_id, edits, Japanese posts."""

from __future__ import annotations

from crawlers.match import BrandRule
from crawlers.x.collect import incomplete, page_items
from tests.crawlers.conftest import ACME
from tests.crawlers.x.conftest import MakeCollector, stored
from tests.servers.x import XServer

HANAKO = "1500000000000000001"


def test_a_search_stores_matching_posts_with_reach(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    outcome = x.poll()
    assert (outcome.seen, outcome.new, outcome.error) == (3, 3, None)
    mentions = {m.external_id: m for m in stored(x)}
    assert sorted(mentions) == [
        "1864000000000000101",
        "1864000000000000102",
        "1864000000000000105",
    ]  # not "Acme Corp" (excluded), not the walk in the sun
    ja = mentions["1864000000000000101"]
    assert ja.text == "アクメのサポート、三日待っても返事が来ない。最悪です。"
    assert ja.language == "ja"
    assert ja.url == "https://x.com/hanako_tokyo/status/1864000000000000101"
    assert (ja.author, ja.followers, ja.score, ja.comments) == (
        "@hanako_tokyo",
        12840,
        88,
        6,
    )
    assert ja.raw is not None
    assert (ja.raw["reposts"], ja.raw["impressions"]) == (14, 4210)
    en = mentions["1864000000000000102"]
    assert en.text.startswith("My Acme blender died after two weeks & support says")
    assert en.followers == 98000
    # The author of the full-width Acme post is gone: stored without reach,
    # withheld in Germany, and said in the run's warning.
    gone = mentions["1864000000000000105"]
    assert (gone.author, gone.followers) == (None, None)
    assert gone.raw is not None
    assert gone.raw["withheld"]["country_codes"] == ["DE"]
    assert outcome.warning == (
        "X left out an item: Not Found Error: Could not find user with id: "
        "[1500000000000000009]."
    )
    (request,) = scenario.requests
    assert request["query"] == '(acme OR "アクメ") -"acme corp" -is:retweet'
    assert request["expansions"] == "author_id"
    assert "since_id" not in request


def test_the_next_poll_reads_only_newer_posts(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    x.poll()
    scenario.post("アクメの新製品、予約しました！", HANAKO)
    outcome = x.poll()
    assert (outcome.seen, outcome.new) == (1, 1)
    assert scenario.requests[-1]["since_id"] == "1864000000000000105"
    again = x.poll()
    assert (again.seen, again.new) == (0, 0)
    assert len(stored(x)) == 4


def test_an_edit_updates_the_mention_of_its_first_version(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    x.poll()
    new_id = scenario.edit(
        "1864000000000000101", "アクメのサポートから返事が来た。対応は丁寧でした。"
    )
    outcome = x.poll()
    assert (outcome.seen, outcome.new, outcome.updated) == (1, 0, 1)
    mention = {m.external_id: m for m in stored(x)}["1864000000000000101"]
    assert mention.text == "アクメのサポートから返事が来た。対応は丁寧でした。"
    # The link stays the first version's: X shows it with its latest edit.
    assert mention.url == "https://x.com/hanako_tokyo/status/1864000000000000101"
    assert mention.raw is not None
    assert (mention.raw["id"], mention.raw["edits"]) == (new_id, 1)


def test_a_deleted_post_is_not_found_again_and_nothing_fails(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    x.poll()
    scenario.delete("1864000000000000102")
    outcome = x.poll()
    assert (outcome.seen, outcome.error) == (0, None)
    assert len(stored(x)) == 3  # what was stored stays, as analysts saw it


def test_pages_are_followed_up_to_max_pages(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario(fixture=None)
    for i in range(250):
        scenario.post(f"acme review {i}", HANAKO, lang="en")
    x = x_collector(token, (BrandRule("Acme", ("acme",)),), max_pages=2)
    outcome = x.poll()
    assert outcome.new == 200
    assert outcome.warning is not None
    assert "more than 2 pages of new posts" in outcome.warning
    assert [r.get("next_token") for r in scenario.requests] == [None, "p100"]


def test_an_answer_without_includes_or_dates_says_what_it_lacks():
    body = {
        "data": [
            {"id": "1864000000000000301", "text": "アクメ最高", "author_id": "7"},
            {
                "id": "1864000000000000302",
                "text": "acme again",
                "author_id": "7",
                "created_at": "2026-11-30T10:00:00.000Z",
            },
        ],
        "meta": {"result_count": 2},
    }
    assert incomplete(body) == [
        "2 posts stored without an author: the answer has no includes.users",
        "1 post stored without a date: the answer has no created_at for them",
    ]
    items = page_items("x", body)
    assert (items[0].author, items[0].published_at) == (None, None)
    assert incomplete({"data": [], "meta": {"result_count": 0}}) == []
