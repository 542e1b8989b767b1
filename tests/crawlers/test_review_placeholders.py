"""schema.org reviews: visible text over a template's placeholder, and no articles."""

from __future__ import annotations

from pathlib import Path

from crawlers.check import check_page


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>ACME ショップ</title></head><body>{body}</body></html>"
    )


def _review(ident: int, author: str, stars: int, shown: str) -> str:
    """A shop theme's microdata review: reviewBody is the word "comment"."""
    return f"""
<div itemprop="review" itemscope itemtype="https://schema.org/Review" id="r{ident}">
 <span itemprop="author">{author}</span>
 <meta itemprop="datePublished" content="2026-10-0{ident}">
 <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
  <meta itemprop="ratingValue" content="{stars}"></div>
 <meta itemprop="reviewBody" content="comment">
 {shown}
</div>"""


# Four reviews, as a real shop page has them: the text a reader sees sits in a
# description property (which visible text used to drop with the other props),
# and the last shows nothing but its stars.
SHOP = _page(
    '<div itemscope itemtype="https://schema.org/Product">'
    '<h1 itemprop="name">ACME ケトル</h1>'
    + _review(1, "山田", 5, '<p itemprop="description">ＡＣＭＥのケトルは速い。</p>')
    + _review(2, "佐藤", 2, '<div itemprop="description">取っ手が熱くなる。</div>')
    + _review(3, "Kim", 4, '<p class="text">アクメにしては静か。</p>')
    + _review(4, "鈴木", 1, "")
    + "</div>"
)

# A news theme marks every article up as a Review: no rating, no author.
NEWS = _page(
    '<div class="post type-post hentry" itemscope itemtype="http://schema.org/Review">'
    '<h2 itemprop="name">ACME 工場で火災</h2>'
    "<p>昨夜、アクメの工場で火災があった。けが人はいない。</p></div>"
)


def _check(tmp_path: Path, html: str) -> dict:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return check_page("reviews", {"url": "https://shop.example/p/1"}, path, [])


def test_visible_text_wins_over_the_placeholder(tmp_path):
    result = _check(tmp_path, SHOP)
    assert [(r["author"], r["text"]) for r in result["items"]] == [
        ("山田", "ＡＣＭＥのケトルは速い。"),
        ("佐藤", "取っ手が熱くなる。"),
        ("Kim", "アクメにしては静か。"),
        ("鈴木", ""),  # stars only: never the template's "comment"
    ]


def test_an_article_marked_up_as_a_review_is_not_stored(tmp_path):
    result = _check(tmp_path, NEWS)
    assert result["extracted"] == 0
    assert result["warning"].splitlines()[1] == (
        "1 schema.org Review on https://shop.example/p/1 skipped: "
        "no rating and no author (an article marked up as a review)"
    )
