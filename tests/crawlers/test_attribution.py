"""Per-post brand attribution: a reply is credited with the brands of its own words."""

from __future__ import annotations

from crawlers.attribution import Attributor
from crawlers.items import MentionItem
from crawlers.match import BrandRule, Matcher
from crawlers.pipelines import NormalizePipeline
from crawlers.poller import matched
from earful.config import ResponseConfig
from storage.compare import compare_brands
from tests.crawlers.conftest import ACME, crawl, mentions
from tests.crawlers.test_board import WRONG_CHARSET, dat, post, subject
from tests.servers.scripted import Reply, ScriptedSite

VOLTA = BrandRule("Volta", ("ボルタ", "volta"), competitor=True)
ACME_THREAD = "1700000101"
VOLTA_THREAD = "1700000102"
STAMP = "2024/05/01(水) 21:{:02d}:00.00 ID:Abc{:05d}"
MODEL = "no-model"


def _post(minute: int, body: str, title: str = "", name: str = "名無しさん") -> str:
    return post(name, STAMP.format(minute, minute), body, title)


ACME_POSTS = (
    _post(0, "アクメのケトルどう？", "【家電】アクメの電気ケトル Part3"),
    _post(1, "ボルタのケトル買ったけど普通に良い"),
    _post(2, "&gt;&gt;1 うちのは二日で壊れた"),
    _post(3, "&gt;&gt;2 わかる"),
    _post(4, "ご不便をおかけしております。窓口までご連絡ください", name="AcmeSupport"),
)
VOLTA_POSTS = (
    _post(10, "ボルタのケトル総合スレ", "ボルタ電気ケトル総合"),
    _post(11, "アクメのサポートは電話がつながらない。最悪"),
)


def _board(scripted: ScriptedSite) -> str:
    listing = subject(
        (ACME_THREAD, "【家電】アクメの電気ケトル Part3", len(ACME_POSTS)),
        (VOLTA_THREAD, "ボルタ電気ケトル総合", len(VOLTA_POSTS)),
    )
    url = scripted.script("/kaden/subject.txt", Reply(listing, WRONG_CHARSET))
    for key, posts in ((ACME_THREAD, ACME_POSTS), (VOLTA_THREAD, VOLTA_POSTS)):
        scripted.script(f"/kaden/dat/{key}.dat", Reply(dat(*posts), WRONG_CHARSET))
    return url.removesuffix("subject.txt")


def test_5ch_replies_are_credited_by_their_own_words(scripted, database_url, open_db):
    url = _board(scripted)
    done = crawl(
        database_url,
        "5ch",
        url,
        (ACME, VOLTA),
        spider="board",
        politeness={"download_delay": 0, "retries": 0},
        delay=0,
        own_accounts=["acmesupport"],
    )
    assert done["error"] is None
    brands = {
        m.external_id.removeprefix("kaden/"): [b.brand for b in m.matches]
        for m in mentions(database_url, "5ch")
    }
    assert brands == {
        f"{ACME_THREAD}/1": ["Acme"],  # the opening post: its title counts
        f"{ACME_THREAD}/2": ["Volta"],  # names Volta, not the thread's Acme
        f"{ACME_THREAD}/3": ["Acme"],  # names nothing, answers the opening post
        # /4 names nothing and answers post 2: no brand, not stored
        f"{ACME_THREAD}/5": [],  # the brand's own reply: kept, nobody's mention
        f"{VOLTA_THREAD}/1": ["Volta"],
        f"{VOLTA_THREAD}/2": ["Acme"],  # Acme's complaint, not Volta's
    }
    with open_db(database_url)() as session:
        sides = {s.brand: s.mentions for s in compare_brands(session, MODEL)}
    assert sides == {"Acme": 3, "Volta": 2}


def _reply(text: str, **fields: object) -> MentionItem:
    base: dict[str, object] = {
        "source": "hn",
        "source_type": "hackernews",
        "external_id": "2",
        "title": "アクメの新型ケトル",
        "text": text,
        "thread_id": "1",
        "parent_id": "1",
    }
    return MentionItem(**{**base, **fields})  # type: ignore[arg-type]


def test_the_thread_title_counts_only_for_a_silent_answer_to_the_opening_post():
    attributor = Attributor(Matcher((ACME, VOLTA)), ["AcmeSupport"])

    def names(item: MentionItem) -> list[str]:
        return [m.brand for m in attributor.brands(item)]

    assert names(_reply("ボルタのほうが静か")) == ["Volta"]
    assert names(_reply("すぐ壊れた")) == ["Acme"]  # parent is the thread
    assert names(_reply("すぐ壊れた", parent_id="9", top_level=True)) == ["Acme"]
    assert names(_reply("すぐ壊れた", parent_id="9", top_level=False)) == []
    assert names(_reply("すぐ壊れた", parent_id=None)) == ["Acme"]  # its own title
    assert names(_reply("ボルタ", parent_id=None)) == ["Acme", "Volta"]
    own = _reply("アクメサポートです", author="acmesupport")
    assert names(own) == []
    assert attributor.keeps(own, [])
    assert not attributor.keeps(
        _reply("すぐ壊れた", top_level=False, parent_id="9"), []
    )


def test_own_accounts_reach_a_source_by_its_name_and_its_type():
    response = ResponseConfig(
        own_accounts={"5ch": ["アクメ公式"], "board": ["AcmeSupport", "アクメ公式"]}
    )
    assert response.accounts_on("5ch", "board") == ("アクメ公式", "AcmeSupport")
    assert response.accounts_on("other", "feed") == ()


def test_api_networks_keep_the_brands_own_posts_as_nobodys_mention():
    matcher = Matcher((ACME, VOLTA))
    own = MentionItem(
        source="mastodon", source_type="mastodon", external_id="https://m/1",
        text="アクメ公式です。ご迷惑をおかけしております", author="@AcmeSupport@m.example",
    )  # fmt: skip
    kept = matched(own, matcher, NormalizePipeline(), ["@acmesupport@m.example"])
    assert kept is not None
    assert kept.matches == []
    stranger = MentionItem(
        source="mastodon", source_type="mastodon", external_id="https://m/2",
        text="アクメのケトルが壊れた", author="@hanako@m.example",
    )  # fmt: skip
    found = matched(stranger, matcher, NormalizePipeline(), ["@acmesupport@m.example"])
    assert found is not None
    assert [m.brand for m in found.matches] == ["Acme"]
    assert matched(own, matcher, NormalizePipeline()) is not None  # names Acme
