"""The comments source: reader comments under a post, one mention each, replies nested."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from crawlers.check import check_page
from crawlers.match import BrandRule
from earful.cli import main
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

POST = "https://blog.example/2026/11/acme-kettle/"


def _page(comments: str, title: str = "アクメのケトルを一か月使ってみた") -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><article><p>本文</p></article>"
        f"{comments}</body></html>"
    )


# A classic WordPress theme: div.comment-body, cite.fn + "says:", the date as
# the comment's own link in .commentmetadata, replies in ul.children.
CLASSIC = _page(
    f"""
<ol class="commentlist">
 <li class="comment even thread-even depth-1" id="comment-11">
  <div id="div-comment-11" class="comment-body">
   <div class="comment-author vcard"><cite class="fn">花子</cite> <span class="says">says:</span></div>
   <div class="comment-meta commentmetadata"><a href="{POST}#comment-11">2026年11月3日 10:15</a></div>
   <p>アクメのケトル、お湯が早く沸きます。</p>
   <div class="reply"><a class="comment-reply-link" href="?replytocom=11#respond">返信</a></div>
  </div>
  <ul class="children">
   <li class="comment byuser bypostauthor odd alt depth-2" id="comment-12">
    <div id="div-comment-12" class="comment-body">
     <div class="comment-author vcard"><cite class="fn">管理人</cite> <span class="says">says:</span></div>
     <div class="comment-meta commentmetadata"><a href="{POST}#comment-12">2026年11月3日 12:00</a></div>
     <p>ありがとうございます！</p>
    </div>
   </li>
  </ul>
 </li>
 <li class="pingback even thread-odd depth-1" id="comment-13">
  <div class="comment-body">Pingback: <a href="https://other.example/">別のブログ</a></div>
 </li>
</ol>
"""
)

# A block theme: article.comment-body, time[datetime], div.comment-content.
BLOCK = _page(
    f"""
<ol class="wp-block-comment-template">
 <li id="comment-21" class="comment even thread-even depth-1">
  <article id="div-comment-21" class="comment-body">
   <footer class="comment-meta">
    <div class="comment-author vcard"><b class="fn">Ken</b> <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="{POST}#comment-21">
     <time datetime="2026-11-04T09:30:00+09:00">2026年11月4日 9:30</time></a></div>
   </footer>
   <div class="comment-content"><p>The ACME kettle leaks at the lid.</p></div>
  </article>
 </li>
</ol>
"""
)


def _check(tmp_path: Path, html: str) -> dict:
    path = tmp_path / "post.html"
    path.write_text(html, encoding="utf-8")
    return check_page("comments", {"url": POST}, path, [])


def test_classic_theme_comments_and_replies(tmp_path):
    result = _check(tmp_path, CLASSIC)
    assert result["extracted"] == 2  # the pingback is not a comment
    first, reply = result["items"]
    assert (first["author"], first["url"], first["parent"]) == (
        "花子",
        f"{POST}#comment-11",
        POST,  # a comment on the post answers the post
    )
    assert (
        first["text"] == "アクメのケトル、お湯が早く沸きます。"
    )  # no "says:", no 返信
    assert first["title"] == "アクメのケトルを一か月使ってみた"
    assert datetime.fromisoformat(first["published_at"]) == datetime(
        2026, 11, 3, 10, 15, tzinfo=UTC
    )
    assert (reply["author"], reply["parent"]) == ("管理人", f"{POST}#comment-11")
    assert reply["text"] == "ありがとうございます！"


def test_block_theme_comments(tmp_path):
    (comment,) = _check(tmp_path, BLOCK)["items"]
    assert comment["author"] == "Ken"
    assert comment["text"] == "The ACME kettle leaks at the lid."
    assert datetime.fromisoformat(comment["published_at"]) == datetime(
        2026, 11, 4, 0, 30, tzinfo=UTC
    )


def test_a_post_without_comments_says_why(tmp_path):
    result = _check(tmp_path, _page('<div id="comments"></div>'))
    assert result["extracted"] == 0
    assert result["warning"] == (
        f"no comment (li.comment with a comment-N id and a text) on {POST}; "
        "comments loaded by script are not in the page"
    )


def test_source_check_prints_the_count(tmp_path):
    path = tmp_path / "post.html"
    path.write_text(CLASSIC, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["source", "check", "--type", "comments", str(path), "--url", POST],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "1 page read, 2 items extracted" in result.output


def test_a_crawl_stores_each_comment_with_its_parent(scripted, sqlite_url):
    url = scripted.script(
        "/2026/11/acme-kettle/", Reply(CLASSIC.encode(), "text/html; charset=utf-8")
    )
    anything = BrandRule("Any", query="NOT zzzzqqq")
    result = crawl(sqlite_url, "blog", url, [anything], spider="comments")
    assert (result["new"], result["error"]) == (2, None)
    stored = {m.author: m for m in mentions(sqlite_url, "blog")}
    assert stored["管理人"].parent_id == stored["花子"].external_id
    assert stored["花子"].source_type == "comments"
    assert stored["花子"].thread_id == url


def _block_comment(number: int, author: str, when: str, text: str) -> str:
    return f"""
 <li id="comment-{number}" class="comment even thread-even depth-1">
  <article id="div-comment-{number}" class="comment-body">
   <footer class="comment-meta">
    <div class="comment-author vcard"><b class="fn">{author}</b> <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="{POST}#comment-{number}">
     <time datetime="{when}">{when}</time></a></div>
   </footer>
   <div class="comment-content"><p>{text}</p></div>
  </article>
 </li>"""


def test_a_comment_dated_year_9999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    good = _block_comment(31, "花子", "2026-11-04T09:30:00+09:00", "アクメのケトル最高")
    poison = _block_comment(32, "未来人", "9999-12-31T23:59:59-14:00", "一万年使えた")
    old = _block_comment(33, "昭和", "1980-01-01T00:00:00+09:00", "昔から使ってる")
    later = _block_comment(34, "次郎", "2026-11-05T08:00:00+09:00", "蓋から水漏れ")
    listing = '<ol class="wp-block-comment-template">{}</ol>'
    url = scripted.script(
        "/2026/11/acme-kettle/",
        Reply(_page(listing.format(good + poison + old)).encode(), "text/html"),
        Reply(_page(listing.format(good + poison + old + later)).encode(), "text/html"),
    )
    anything = BrandRule("Any", query="NOT zzzzqqq")
    first = crawl(sqlite_url, "blog", url, [anything], spider="comments")
    assert (first["new"], first["error"]) == (3, None)
    stored = {m.author: m for m in mentions(sqlite_url, "blog")}
    assert (stored["未来人"].text, stored["未来人"].published_at) == (
        "一万年使えた",
        None,
    )
    assert stored["昭和"].published_at is None
    assert stored["花子"].published_at == datetime(2026, 11, 4, 0, 30, tzinfo=UTC)
    assert "#comment-32: published_at: date 9999-12-31" in first["warning"]
    assert (
        "#comment-33: published_at: date 1979-12-31 is before 1990"
        in (first["warning"])
    )
    again = crawl(sqlite_url, "blog", url, [anything], spider="comments")
    assert (again["new"], again["error"]) == (1, None)
    assert "次郎" in {m.author for m in mentions(sqlite_url, "blog")}
