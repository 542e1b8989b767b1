"""The 5ch board spider against a local board serving subject.txt and dat files."""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from crawlers.dat import parse_post, parse_subject_line, quotes
from earful.cli import main
from earful.config import load_config
from earful.pipeline import Pipeline
from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply, ScriptedSite

FAST = {"download_delay": 0, "retries": 0}
BRAND_THREAD = "1700000001"
DINNER_THREAD = "1700000002"
CHAT_THREAD = "1700000003"
# What 5ch sends for both files: often no charset, or a wrong one; bytes are cp932.
WRONG_CHARSET = "text/plain; charset=UTF-8"


def subject(*threads: tuple[str, str, int], encoding: str = "cp932") -> bytes:
    """A board's subject.txt listing ``(key, title, posts)``."""
    lines = [f"{key}.dat<>{title} ({posts})\n" for key, title, posts in threads]
    return "".join(lines).encode(encoding)


def dat(*posts: str, encoding: str = "cp932") -> bytes:
    """A thread's dat from its lines (without newlines)."""
    return "".join(f"{post}\n" for post in posts).encode(encoding)


def post(name: str, stamp: str, body: str, title: str = "") -> str:
    """One dat line: name<>mail<>date ID<>body<>title."""
    return f"{name}<>sage<>{stamp}<> {body} <>{title}"


FIRST_POSTS = (
    post(
        "名無しさん@お腹いっぱい。",
        "2024/05/01(水) 21:15:30.12 ID:Abc123de0",
        "ＡＣＭＥのミキサー買った人いる？<br>音がうるさい気がする",
        "【家電】ＡＣＭＥの新型ミキサー Part2",
    ),
    "あぼーん<>あぼーん<>あぼーん<>あぼーん<>",
    post(
        "名無しさん<b>◆Trip1234</b>",
        "2024/05/01(水) 21:20:01.55 ID:Zyx987wv0",
        '<a href="../test/read.cgi/kaden/1700000001/1" rel="noopener noreferrer" '
        'target="_blank">&gt;&gt;1</a><br>うちのは二日で壊れた。最悪 &lt;!channel&gt;',
    ),
)
MORE_POSTS = (
    post(
        "名無しさん@お腹いっぱい。",
        "2024/05/02(木) 08:00:00.00 ID:Abc123de0",
        "＞＞３ サポートに電話したら交換してくれたよ",
    ),
    post("名無しさん", "2024/05/02(木) 09:30:00.00 ID:Qrs456tu0", "&gt;&gt;1-3 まじか"),
)
CHAT_POSTS = (
    post("名無し", "2024/05/01(水) 10:00:00.00 ID:Chat0001", "雑談スレです", "雑談"),
    post("名無し", "2024/05/01(水) 10:05:00.00 ID:Chat0002", "今日は暑いね"),
    post("名無し", "2024/05/01(水) 10:06:00.00 ID:Chat0003", "ｱｸﾒの株価が下がってる"),
)


def board_site(scripted: ScriptedSite, *subjects: bytes) -> str:
    """The board's URL, its subject.txt answering ``subjects`` in turn."""
    replies = [Reply(body, WRONG_CHARSET) for body in subjects]
    return scripted.script("/kaden/subject.txt", *replies).removesuffix("subject.txt")


def test_parse_a_subject_line_and_a_post():
    entry = parse_subject_line("1700000001.dat<>ＡＣＭＥ &amp; 炎上 (123)")
    assert entry is not None
    assert (entry.key, entry.title, entry.posts) == (
        "1700000001",
        "ＡＣＭＥ & 炎上",
        123,
    )
    assert parse_subject_line("garbage") is None
    found = parse_post(FIRST_POSTS[2], 3)
    assert found is not None
    assert found.name == "名無しさん◆Trip1234"
    assert found.poster_id == "Zyx987wv0"
    assert found.text == "うちのは二日で壊れた。最悪 <!channel>"
    assert found.quotes == [1]
    assert found.published_at == datetime(2024, 5, 1, 12, 20, 1, 550000, tzinfo=UTC)
    assert parse_post(FIRST_POSTS[1], 2) is None  # あぼーん
    assert quotes("＞＞３ and >>5 and >>9", 6) == [5]  # NFKC only in body_text
    with pytest.raises(ValueError, match="post 4 has 2 fields"):
        parse_post("only<>two", 4)


def test_brand_threads_and_configured_ones_then_only_new_posts(scripted, sqlite_url):
    listed = (
        (BRAND_THREAD, "【家電】ＡＣＭＥの新型ミキサー Part2", 3),
        (DINNER_THREAD, "今日の晩ごはん", 2),
        (CHAT_THREAD, "雑談", 3),
    )
    grown = ((BRAND_THREAD, listed[0][1], 5), *listed[1:])
    url = board_site(scripted, subject(*listed), subject(*listed), subject(*grown))
    brand_dat = scripted.script(
        f"/kaden/dat/{BRAND_THREAD}.dat",
        Reply(dat(*FIRST_POSTS), WRONG_CHARSET),
        Reply(dat(*FIRST_POSTS, *MORE_POSTS), WRONG_CHARSET),
    )
    scripted.script(f"/kaden/dat/{CHAT_THREAD}.dat", Reply(dat(*CHAT_POSTS), None))
    args = {"spider": "board", "politeness": FAST, "delay": 0}

    first = crawl(sqlite_url, "5ch", url, threads=[CHAT_THREAD], **args)
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    opener, reply, chat = mentions(sqlite_url, "5ch")
    assert opener.external_id == f"kaden/{BRAND_THREAD}/1"
    assert opener.url == f"{scripted.url}/test/read.cgi/kaden/{BRAND_THREAD}/1"
    assert opener.title == "【家電】ＡＣＭＥの新型ミキサー Part2"
    assert opener.text == "ＡＣＭＥのミキサー買った人いる？\n音がうるさい気がする"
    assert opener.author == "名無しさん@お腹いっぱい。"
    assert opener.published_at == datetime(2024, 5, 1, 12, 15, 30, 120000, tzinfo=UTC)
    assert opener.raw == {
        "number": 1,
        "poster_id": "Abc123de0",
        "mail": "sage",
        "quotes": [],
    }
    assert (opener.thread_id, opener.parent_id, opener.top_level) == (
        f"kaden/{BRAND_THREAD}",
        None,
        None,  # it opens the thread: no reply at all
    )
    assert opener.language == "ja"
    assert [m.brand for m in opener.matches] == ["Acme"]
    # Post 2 was deleted (あぼーん); post 3 answers post 1, its anchor stripped.
    assert reply.external_id == f"kaden/{BRAND_THREAD}/3"
    assert reply.text == "うちのは二日で壊れた。最悪 <!channel>"
    assert reply.parent_id == opener.external_id
    assert reply.top_level is True  # it answers the opening post
    # The configured thread's title names no brand: only its post naming one.
    assert chat.external_id == f"kaden/{CHAT_THREAD}/3"
    assert chat.text == "ｱｸﾒの株価が下がってる"
    assert chat.language == "ja"
    assert scripted.requests_for(f"/kaden/dat/{DINNER_THREAD}.dat") == []

    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "5ch") == {
            "threads": {BRAND_THREAD: 3, CHAT_THREAD: 3}
        }
    sessions.kw["bind"].dispose()

    again = crawl(sqlite_url, "5ch", url, threads=[CHAT_THREAD], **args)
    assert again["seen"] == 0
    assert again["error"] is None
    brand_path = brand_dat.removeprefix(scripted.url)
    assert len(scripted.requests_for(brand_path)) == 1  # the count did not grow

    grew = crawl(sqlite_url, "5ch", url, threads=[CHAT_THREAD], **args)
    assert grew == {"seen": 1, "new": 1, "updated": 0, "error": None, "warning": None}
    stored = {m.external_id: m for m in mentions(sqlite_url, "5ch")}
    # Post 4 names no brand and answers post 3, not the opening post: the
    # thread's title is not its subject (crawlers.attribution), so it is dropped.
    assert len(stored) == 4
    fifth = stored[f"kaden/{BRAND_THREAD}/5"]
    assert fifth.raw["quotes"] == [1, 2, 3]
    assert fifth.parent_id == opener.external_id


def test_fallen_threads_leave_the_cursor_and_a_dat_gone_is_a_warning(
    scripted, sqlite_url
):
    other = "1700000009"
    listed = [(BRAND_THREAD, "ＡＣＭＥ総合", 10), (other, "ＡＣＭＥ part2", 1)]
    url = board_site(scripted, subject(*listed), subject(listed[1]), subject())
    scripted.script(f"/kaden/dat/{BRAND_THREAD}.dat", Reply(b"", "text/plain", 404))
    line = post("名無し", "2024/05/01(水) 10:00:00.00 ID:x", "アクメ")
    scripted.script(f"/kaden/dat/{other}.dat", Reply(dat(line), "text/plain"))
    args = {"spider": "board", "politeness": FAST, "delay": 0}

    def cursor() -> dict[str, object]:
        sessions = open_database(sqlite_url)
        with sessions() as session:
            found = get_cursor(session, "fallen")
        sessions.kw["bind"].dispose()
        return found

    result = crawl(sqlite_url, "fallen", url, max_threads=1, **args)
    assert result["error"] is None
    assert result["warning"] == (
        f"thread {BRAND_THREAD} has fallen (dat落ち): HTTP 404 from "
        f"{scripted.url}/kaden/dat/{BRAND_THREAD}.dat"
    )
    assert cursor() == {"threads": {}}
    assert crawl(sqlite_url, "fallen", url, **args)["new"] == 1
    assert cursor() == {"threads": {other: 1}}
    # Gone from subject.txt: fallen, so it leaves the cursor.
    assert crawl(sqlite_url, "fallen", url, **args)["error"] is None
    assert cursor() == {"threads": {}}


@pytest.mark.parametrize(
    ("where", "status", "headers"),
    [("subject", 403, {}), ("dat", 429, {"Retry-After": "3600"})],
)
def test_refusals_are_the_sources_failure_and_keep_the_cursor(
    scripted, sqlite_url, where, status, headers
):
    listed = [(BRAND_THREAD, "ＡＣＭＥ総合", 3)]
    refused = Reply(b"<html>ERROR</html>", "text/html", status, headers)
    if where == "subject":
        url = board_site(scripted, subject(*listed))
        scripted.script("/kaden/subject.txt", refused)
        target = "/kaden/subject.txt"
    else:
        url = board_site(scripted, subject(*listed))
        target = f"/kaden/dat/{BRAND_THREAD}.dat"
        scripted.script(target, refused)
    result = crawl(sqlite_url, "refused", url, spider="board", politeness=FAST, delay=0)
    assert result["error"] == f"HTTP {status} from {scripted.url}{target}"
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "refused") == {}
    sessions.kw["bind"].dispose()


def test_an_euc_jp_board_and_a_line_not_in_its_encoding(scripted, sqlite_url):
    title = "アクメ掃除機スレ"
    url = board_site(scripted, subject((BRAND_THREAD, title, 2), encoding="euc-jp"))
    good = post(
        "名無し", "2024/05/01(水) 10:00:00.00 ID:Euc00001", "吸引力が弱い", title
    )
    broken = post("名無し", "2024/05/01(水) 10:01:00.00 ID:Euc00002", "音が@大きい")
    body = dat(good, broken, encoding="euc-jp").replace(b"@", b"\xff")
    scripted.script(f"/kaden/dat/{BRAND_THREAD}.dat", Reply(body, "text/plain"))
    result = crawl(
        sqlite_url,
        "euc",
        url,
        spider="board",
        politeness=FAST,
        delay=0,
        encoding="euc-jp",
    )
    assert result["error"] is None
    assert result["warning"] == (
        f"{scripted.url}/kaden/dat/{BRAND_THREAD}.dat post 2: not euc-jp at byte 59"
    )
    first, second = mentions(sqlite_url, "euc")
    assert first.text == "吸引力が弱い"
    assert first.title == title
    assert second.text == "音が大きい"  # kept; the lost byte is dropped, not stored


def test_requests_to_the_board_wait_the_boards_delay(scripted, sqlite_url):
    listed = [(key, f"ＡＣＭＥ {key}", 1) for key in ("1700000011", "1700000012")]
    url = board_site(scripted, subject(*listed))
    for key, _, _ in listed:
        line = post("名無し", "2024/05/01(水) 10:00:00.00 ID:x", "アクメ")
        scripted.script(f"/kaden/dat/{key}.dat", Reply(dat(line), "text/plain"))
    result = crawl(sqlite_url, "slow", url, spider="board", politeness=FAST, delay=0.4)
    assert result["seen"] == 2
    times = [s.at for s in scripted.seen if s.path != "/robots.txt"]
    assert len(times) == 3
    # Scrapy randomises each delay between 0.5x and 1.5x, one request at a time.
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))


def test_a_post_dated_year_9999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    thread = "1700000099"
    listed = ((thread, "【家電】ＡＣＭＥスレ", 4),)
    url = board_site(scripted, subject(*listed), subject(*listed))
    posts = (
        post(
            "名無し", "2024/05/01(水) 21:15:30.12 ID:Good0001", "ＡＣＭＥの掃除機どう？"
        ),
        post("名無し", "9999/12/31(金) 23:59:59.99 ID:Poison01", "ＡＣＭＥは未来から"),
        post("名無し", "1980/01/01(火) 00:00:00.00 ID:Poison02", "ＡＣＭＥは昔から"),
        post("名無し", "2024/05/01(水) 21:20:01.55 ID:Good0002", "ＡＣＭＥすぐ壊れた"),
    )
    scripted.script(f"/kaden/dat/{thread}.dat", Reply(dat(*posts), WRONG_CHARSET))
    args = {"spider": "board", "politeness": FAST, "delay": 0}
    first = crawl(sqlite_url, "5ch", url, **args)
    assert (first["seen"], first["new"], first["error"]) == (4, 4, None)
    dated = {m.raw["number"]: m.published_at for m in mentions(sqlite_url, "5ch")}
    assert dated[2] is None
    assert dated[3] is None
    assert dated[4] == datetime(2024, 5, 1, 12, 20, 1, 550000, tzinfo=UTC)
    assert f"kaden/{thread}/2: published_at: date 9999-12-31" in first["warning"]
    assert (
        f"kaden/{thread}/3: published_at: date 1979-12-31 is before 1990"
        in (first["warning"])
    )
    second = crawl(sqlite_url, "5ch", url, **args)  # nothing new: not fetched again
    assert (second["new"], second["error"]) == (0, None)


def test_a_thread_over_the_size_cap_is_remembered_and_skipped_until_it_changes(
    scripted, sqlite_url
):
    huge, small = "1700000077", "1700000078"
    title = "【悲報】ＡＣＭＥの炊飯器、爆発する Part999"
    listed = ((huge, title, 40), (small, "ＡＣＭＥ総合スレ", 1))
    grown = ((huge, title, 41), listed[1])
    url = board_site(
        scripted,
        subject(*listed),
        subject(*listed),
        subject(*grown),
        subject(*grown),
    )
    line = post("名無し", "2024/05/01(水) 10:00:00.00 ID:Big00001", "ＡＣＭＥ" * 30)
    huge_path = f"/kaden/dat/{huge}.dat"
    scripted.script(huge_path, Reply(dat(*[line] * 40), WRONG_CHARSET))
    fine = post("名無し", "2024/05/01(水) 11:00:00.00 ID:Small001", "ＡＣＭＥいいね")
    scripted.script(f"/kaden/dat/{small}.dat", Reply(dat(fine), WRONG_CHARSET))
    capped = {**FAST, "max_download_size": 2048}
    args = {"spider": "board", "delay": 0}

    def cursor() -> dict[str, object]:
        sessions = open_database(sqlite_url)
        with sessions() as session:
            found = get_cursor(session, "5ch")
        sessions.kw["bind"].dispose()
        return found

    def skipped(posts: int) -> str:
        return (
            f"thread {huge} 「{title}」 skipped: its dat at {posts} posts is larger "
            "than [crawler] max_download_size (2048 bytes); it is read again when "
            "subject.txt lists another post count"
        )

    first = crawl(sqlite_url, "5ch", url, politeness=capped, **args)
    assert (first["new"], first["error"], first["warning"]) == (1, None, skipped(40))
    assert [m.text for m in mentions(sqlite_url, "5ch")] == ["ＡＣＭＥいいね"]
    assert cursor() == {
        "threads": {huge: 0, small: 1},
        "oversize": {huge: {"posts": 40, "cap": 2048}},
    }

    again = crawl(sqlite_url, "5ch", url, politeness=capped, **args)
    assert (again["error"], again["warning"]) == (None, skipped(40))
    assert len(scripted.requests_for(huge_path)) == 1  # not downloaded again

    grew = crawl(sqlite_url, "5ch", url, politeness=capped, **args)
    assert (grew["error"], grew["warning"]) == (None, skipped(41))
    assert len(scripted.requests_for(huge_path)) == 2  # it changed: tried once more
    assert cursor()["oversize"] == {huge: {"posts": 41, "cap": 2048}}

    # A larger cap reads it, and it leaves the oversize list.
    raised = crawl(sqlite_url, "5ch", url, politeness=FAST, **args)
    assert (raised["new"], raised["error"], raised["warning"]) == (40, None, None)
    assert cursor() == {"threads": {huge: 40, small: 1}}


def test_earful_status_says_the_over_size_thread_is_skipped(scripted, tmp_path):
    huge = "1700000066"
    title = "【速報】アクメ巨大スレ"
    url = board_site(scripted, subject((huge, title, 50)))
    line = post("名無し", "2024/05/01(水) 10:00:00.00 ID:Big00002", "アクメ" * 50)
    scripted.script(f"/kaden/dat/{huge}.dat", Reply(dat(*[line] * 50), None))
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "earful.db"}"\n'
        "[crawler]\ndownload_delay = 0\nretries = 0\nmax_download_size = 4096\n"
        '[[brands]]\nname = "Acme"\nterms = ["acme", "アクメ"]\n'
        f'[[sources]]\nname = "5ch"\ntype = "board"\nurl = "{url}"\ndelay = 0\n',
        "utf-8",
    )
    pipeline = Pipeline(load_config(path))
    [source] = pipeline.enabled_sources()
    outcome = pipeline.collect(source)
    pipeline.close()
    assert outcome.error is None
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert (
        f"5ch: warning: thread {huge} 「{title}」 skipped: its dat at 50 posts is "
        "larger than [crawler] max_download_size (4096 bytes)"
    ) in " ".join(result.output.split())


def test_a_gzipped_dat_over_the_cap_once_unpacked_is_remembered_too(
    scripted, sqlite_url
):
    huge = "1700000055"
    url = board_site(scripted, subject((huge, "アクメ圧縮スレ", 200)))
    line = post("名無し", "2024/05/01(水) 10:00:00.00 ID:Zip00001", "アクメ" * 20)
    packed = gzip.compress(dat(*[line] * 200))
    assert len(packed) < 2048  # what is sent fits; what it unpacks to does not
    scripted.script(
        f"/kaden/dat/{huge}.dat",
        Reply(packed, "text/plain", headers={"Content-Encoding": "gzip"}),
    )
    capped = {**FAST, "max_download_size": 2048}
    result = crawl(sqlite_url, "zip", url, spider="board", politeness=capped, delay=0)
    assert result["error"] is None
    assert f"thread {huge} 「アクメ圧縮スレ」 skipped" in result["warning"]
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "zip")["oversize"] == {
            huge: {"posts": 200, "cap": 2048}
        }
    sessions.kw["bind"].dispose()
