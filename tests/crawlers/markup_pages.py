"""Pages written for the tests, each reproducing one kind of site's markup (Japanese text).

Nothing here is copied from a site: the structure (tags, classes, attributes)
follows what the named software or site emits, the words are our own.
"""

from __future__ import annotations

import json


def _page(body: str, head: str = "", title: str = "ＡＣＭＥ ブレンダー") -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def fragment_id_reviews(base: str) -> str:
    """A shop's JSON-LD: three reviews whose @ids differ only after '#'."""
    reviews = [
        ("101", "山田太郎", 5, "ＡＣＭＥのブレンダーは静かで最高です。"),
        ("102", "佐藤花子", 4, "アクメの製品にしては少し重いが満足。"),
        ("103", "鈴木一郎", 1, "ｱｸﾒのブレンダーが二日で壊れた。返品します。"),
    ]
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": f"{base}/p/x1",
        "name": "ACME ブレンダー X1",
        "review": [
            {
                "@type": "Review",
                "@id": f"{base}/p/x1#review-{ident}",
                "author": {"@type": "Person", "name": author},
                "datePublished": f"2026-11-0{ident[-1]}",
                "reviewRating": {"@type": "Rating", "ratingValue": stars},
                "reviewBody": text,
            }
            for ident, author, stars, text in reviews
        ],
    }
    script = f'<script type="application/ld+json">{json.dumps(product)}</script>'
    return _page("<h1>ACME ブレンダー X1</h1>", head=script)


PLACEHOLDER_BODY = _page(
    """
<div itemscope itemtype="https://schema.org/Product">
  <h1 itemprop="name">ブレンダー X1</h1>
  <div class="review-list">
    <div class="review" itemprop="review" itemscope itemtype="https://schema.org/Review">
      <span class="review-author" itemprop="author">田中</span>
      <meta itemprop="datePublished" content="2026-10-30">
      <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
        <meta itemprop="ratingValue" content="2"><span class="stars">★★☆☆☆</span>
      </div>
      <meta itemprop="reviewBody" content="comment">
      <p class="review-text">ＡＣＭＥのブレンダーは音がうるさすぎます。</p>
    </div>
  </div>
</div>
"""
)

# vBulletin 4 (postbit_legacy): the post's date only in the user's stats box.
VBULLETIN4_THREAD = _page(
    """
<ol id="posts" class="posts">
 <li class="postbitlegacy postbitim postcontainer old" id="post_2001">
  <div class="posthead"><span class="nodecontrols">
   <a name="post2001" href="showthread.php?t=77&amp;p=2001#post2001"
      class="postcounter">#1</a></span></div>
  <div class="postdetails">
   <div class="userinfo">
    <div class="username_container">
     <a class="username offline popupctrl" href="member.php?u=5"><strong>山本</strong></a>
    </div>
    <dl class="userstats">
     <dt>登録日</dt> <dd>2019年4月</dd>
     <dt>投稿日</dt> <dd>15-03-2026, 10:22</dd>
     <dt>投稿</dt> <dd>1,234</dd>
    </dl>
   </div>
   <div class="postbody"><div class="postrow"><div class="content">
    <div id="post_message_2001"><blockquote class="postcontent restore">
     ＡＣＭＥの新型はどうですか？
    </blockquote></div></div></div></div>
  </div>
 </li>
 <li class="postbitlegacy postbitim postcontainer old" id="post_2002">
  <div class="posthead"><span class="nodecontrols">
   <a name="post2002" href="showthread.php?t=77&amp;p=2002#post2002"
      class="postcounter">#2</a></span></div>
  <div class="postdetails">
   <div class="userinfo">
    <div class="username_container">
     <a class="username online popupctrl" href="member.php?u=9"><strong>Ken</strong></a>
    </div>
    <dl class="userstats">
     <dt>Join Date</dt> <dd>Mar 2010</dd>
     <dt>Date</dt> <dd>16-03-2026, 08:05</dd>
    </dl>
   </div>
   <div class="postbody"><div class="postrow"><div class="content">
    <div id="post_message_2002"><blockquote class="postcontent restore">
     アクメは買って正解でした。
    </blockquote></div></div></div></div>
  </div>
 </li>
</ol>
""",
    title="ACME 新型 - 家電フォーラム",
)

# XenForo 2.1+: the permalink is the a.message-attribution-main itself.
XENFORO2_THREAD = _page(
    """
<div class="block-body js-replyNewMessageContainer">
 <article class="message message--post js-post js-inlineModContainer"
   data-author="中村" data-content="post-301" id="js-post-301">
  <div class="message-inner"><div class="message-cell message-cell--main">
   <header class="message-attribution message-attribution--split">
    <a href="/threads/acme.12/post-301" class="message-attribution-main u-concealed"
       rel="nofollow"><time class="u-dt" datetime="2026-11-20T09:00:00+0900"
       data-time="1795132800">11月 20, 2026</time></a>
    <ul class="message-attribution-opposite listInline">
     <li><a href="/threads/acme.12/post-301" data-xf-init="share-tooltip">#1</a></li>
    </ul>
   </header>
   <div class="message-content js-messageContent"><div class="message-userContent">
    <article class="message-body js-selectToQuote"><div class="bbWrapper">
     ＡＣＭＥの保証は何年ですか？</div></article></div></div>
  </div></div>
 </article>
 <article class="message message--post js-post js-inlineModContainer"
   data-author="小林" data-content="post-302" id="js-post-302">
  <div class="message-inner"><div class="message-cell message-cell--main">
   <header class="message-attribution message-attribution--split">
    <a href="/threads/acme.12/post-302" class="message-attribution-main u-concealed"
       rel="nofollow"><time class="u-dt" datetime="2026-11-20T10:30:00+0900"
       data-time="1795138200">11月 20, 2026</time></a>
   </header>
   <div class="message-content js-messageContent"><div class="message-userContent">
    <article class="message-body js-selectToQuote"><div class="bbWrapper">
     アクメは二年保証です。</div></article></div></div>
  </div></div>
 </article>
</div>
""",
    title="ACME の保証 | 家電フォーラム",
)

# A review site with neither schema.org nor a recipe: repeated review blocks.
PLAIN_REVIEW_LIST = _page(
    """
<nav><a href="/">トップ</a></nav>
<section class="reviews">
 <div class="review-card">
  <div class="reviewer-name">高橋</div><span class="post-date">2026年11月3日</span>
  <div class="rating-stars">★★★★☆</div>
  <p class="review-body">ＡＣＭＥのトースターは焼きむらがなくて気に入っています。</p>
 </div>
 <div class="review-card">
  <div class="reviewer-name">伊藤</div><span class="post-date">2026年11月5日</span>
  <div class="rating-stars">★☆☆☆☆</div>
  <p class="review-body">アクメのトースター、一週間でタイマーが壊れました。</p>
 </div>
 <div class="review-card">
  <div class="reviewer-name">渡辺</div><span class="post-date">3日前</span>
  <div class="rating-stars">★★★☆☆</div>
  <p class="review-body">ｱｸﾒにしては普通。値段相応だと思います。</p>
 </div>
</section>
<footer>© 2026</footer>
""",
    title="トースターの口コミ",
)
