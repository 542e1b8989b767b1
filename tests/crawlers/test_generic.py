"""The generic extractor prefers nothing to junk: posts only where blocks carry them."""

from __future__ import annotations

from lxml import html

from crawlers.generic import guess_posts


def _guess(body: str):
    return guess_posts(html.fromstring(f"<html><body>{body}</body></html>"))


# A WordPress comment list: li classes alternate (even/odd, depth-N), replies
# nest in ul.children, and the author line reads "X says:".
COMMENTS = """
<ol class="commentlist">
 <li class="comment even thread-even depth-1" id="comment-11">
  <div class="comment-author vcard"><cite class="fn">花子</cite> <span class="says">says:</span></div>
  <div class="comment-meta commentmetadata"><a href="#comment-11">2026年10月1日 10:00</a></div>
  <p>アクメのケトルを買いました。お湯がすぐに沸きます。</p>
  <div class="reply"><a class="comment-reply-link" href="#">返信</a></div>
  <ul class="children">
   <li class="comment odd alt depth-2" id="comment-12">
    <div class="comment-author vcard"><cite class="fn">店長</cite> <span class="says">says:</span></div>
    <div class="comment-meta commentmetadata"><a href="#comment-12">2026年10月2日 9:00</a></div>
    <p>ご購入ありがとうございます。ＡＣＭＥをよろしく。</p>
    <div class="reply"><a class="comment-reply-link" href="#">返信</a></div>
   </li>
  </ul>
 </li>
 <li class="comment odd alt thread-odd depth-1" id="comment-13">
  <div class="comment-author vcard"><cite class="fn">Ken</cite> <span class="says">says:</span></div>
  <div class="comment-meta commentmetadata"><a href="#comment-13">2026年10月3日 8:30</a></div>
  <p>The ACME kettle broke after a week. Not buying again.</p>
  <div class="reply"><a class="comment-reply-link" href="#">返信</a></div>
 </li>
</ol>
"""

# A shop page's side boxes: a rating summary and an offer box, each with a
# rating or a date, none with anything someone wrote.
SUMMARY_AND_OFFERS = """
<div class="box"><span class="rating">4.5 out of 5</span>
 <span class="date">2026-10-01</span><span class="user-count">1,234 global ratings</span></div>
<div class="box"><span class="rating">5つ星のうち4.0</span>
 <span class="date">2026-10-02</span><span class="price">¥3,980</span></div>
<div class="box"><span class="rating">★★★★☆</span>
 <span class="date">2026-10-03</span><span class="price">$29.99</span></div>
"""

# Concert listings: an artist, a date and a venue link each, no prose.
LISTINGS = """
<ul>
 <li class="event"><span class="artist author">Acme Band</span>
  <time datetime="2026-03-27">Fri 27 Mar</time><a href="/v/1">O2 Forum Kentish Town</a></li>
 <li class="event"><span class="artist author">Acme Band</span>
  <time datetime="2026-04-02">Thu 2 Apr</time><a href="/v/2">Madison Square Garden</a></li>
 <li class="event"><span class="artist author">Acme Band</span>
  <time datetime="2026-04-09">Thu 9 Apr</time><a href="/v/3">Zepp Tokyo Odaiba</a></li>
</ul>
"""

# Photo widgets: a user and a date each, and the same buttons.
WIDGETS = """
<div class="pics">
 <div class="pic"><a class="user" href="/u/1">mika</a><span class="date">2026-10-01</span>
  <span>Perfekt Sehr gut Ganz gut Ausbaufähig Mangelhaft</span><span>Bild bewerten</span></div>
 <div class="pic"><a class="user" href="/u/2">taro</a><span class="date">2026-10-02</span>
  <span>Perfekt Sehr gut Ganz gut Ausbaufähig Mangelhaft</span><span>Bild bewerten</span></div>
 <div class="pic"><a class="user" href="/u/3">ken</a><span class="date">2026-10-03</span>
  <span>Perfekt Sehr gut Ganz gut Ausbaufähig Mangelhaft</span><span>Bild bewerten</span></div>
</div>
"""


def test_every_comment_nested_or_not_once_without_its_author_line():
    guess = _guess(COMMENTS)
    assert [(b.author, b.ident) for b in guess.blocks] == [
        ("花子", "comment-11"),
        ("店長", "comment-12"),
        ("Ken", "comment-13"),
    ]
    first = guess.blocks[0]
    assert first.text == "アクメのケトルを買いました。お湯がすぐに沸きます。"
    assert "店長" not in first.text  # the reply is its own post
    assert guess.doubt is None


def test_a_rating_summary_and_offer_boxes_are_not_reviews():
    guess = _guess(SUMMARY_AND_OFFERS)
    assert guess.blocks == []


def test_listings_without_prose_are_not_posts():
    guess = _guess(LISTINGS)
    assert guess.blocks == []
    assert "no text of their own" in guess.doubt


def test_blocks_that_share_all_their_text_are_a_doubt_not_posts():
    guess = _guess(WIDGETS)
    assert guess.blocks == []
    assert guess.doubt == (
        "3 repeated <div class='pic'> blocks carry an author or a date but no "
        "text of their own (labels, links or lines they all share): not taken "
        "for posts"
    )


def test_a_block_links_to_itself_where_a_link_ends_in_its_number():
    body = COMMENTS.replace("comment-11", "comment-4711").replace(
        "comment-13", "comment-4713"
    )
    blocks = _guess(body).blocks
    assert [b.link for b in blocks] == ["#comment-4711", None, "#comment-4713"]
