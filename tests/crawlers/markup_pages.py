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

# Amazon's mobile product page: review cards are data-hook=mobley-review-content.
AMAZON_MOBILE = _page(
    """
<div id="cm-cr-dp-aw-review-list" data-hook="top-customer-reviews-widget">
 <div id="R1A2B3C4D5E6F7" data-hook="mobley-review-content" class="a-section">
  <div class="a-profile-content"><span class="a-profile-name">ゆき</span></div>
  <i data-hook="cmps-review-star-rating" class="a-icon a-icon-star-mini a-star-mini-2">
   <span class="a-icon-alt">5つ星のうち2.0</span></i>
  <span data-hook="review-title" class="a-size-base a-text-bold">すぐに壊れた</span>
  <span data-hook="review-date" class="a-size-mini a-color-secondary">
   2026年10月12日に日本でレビュー済み</span>
  <div data-hook="review-collapsed" class="a-expander-content">
   <span>ＡＣＭＥのミキサー、三週間でモーターが止まりました。</span></div>
  <div class="a-expander-header"><a>続きを読む</a></div>
 </div>
 <div id="R9Z8Y7X6W5V4U3" data-hook="mobley-review-content" class="a-section">
  <div class="a-profile-content"><span class="a-profile-name">Taro</span></div>
  <i data-hook="cmps-review-star-rating" class="a-icon a-icon-star-mini a-star-mini-5">
   <span class="a-icon-alt">5つ星のうち5.0</span></i>
  <span data-hook="review-title" class="a-size-base a-text-bold">最高</span>
  <span data-hook="review-date" class="a-size-mini a-color-secondary">
   2026年11月1日に日本でレビュー済み</span>
  <div data-hook="review-collapsed" class="a-expander-content">
   <span>アクメのミキサーは氷も砕けて便利です。</span></div>
 </div>
</div>
""",
    title="Amazon.co.jp: ACME ミキサー",
)

# 価格.com (review.kakaku.com): one div.revMainClmWrap per review.
KAKAKU = _page(
    """
<div class="revMainClmWrap" id="rev-R0001234">
 <div class="reviewTitle"><a href="/review/K0000000001/ReviewCD=1234/#tab">音が静か</a></div>
 <p class="userName"><a href="/user/abc/">かかくたろう</a></p>
 <p class="entryDate">2026年9月30日 21:15</p>
 <div class="revRateBox"><span class="revRate">満足度<span>4</span></span></div>
 <p class="revEntryCont">ＡＣＭＥ製品は初めてですが、<br>音が静かで満足しています。</p>
</div>
<div class="revMainClmWrap" id="rev-R0001235">
 <div class="reviewTitle"><a href="/review/K0000000001/ReviewCD=1235/#tab">期待外れ</a></div>
 <p class="userName"><a href="/user/def/">はなこ</a></p>
 <p class="entryDate">2026年10月2日 08:01</p>
 <div class="revRateBox"><span class="revRate">満足度<span>1</span></span></div>
 <p class="revEntryCont">アクメのサポートが遅すぎます。</p>
</div>
""",
    title="ACME ブレンダー X1 のクチコミ・評価レビュー - 価格.com",
)

# 食べログ (tabelog.com .../dtlrvwlst/): div.rvw-item with data-detail-url.
TABELOG = _page(
    """
<div class="rvw-item js-rvw-item-clickable-area"
     data-detail-url="/tokyo/A1301/A130101/13000001/dtlrvwlst/B400001/">
 <div class="rvw-item__rvwr-data"><p class="rvw-item__rvwr-name">
  <a href="/rvwr/gourmet/"><span>グルメ太郎</span></a></p></div>
 <div class="rvw-item__visit-contents">
  <p class="rvw-item__date">2026/10訪問</p>
  <ul class="rvw-item__ratings"><li class="rvw-item__ratings-item">
   <b class="c-rating-v3__val">3.5</b></li></ul>
 </div>
 <div class="rvw-item__rvw-title"><p class="rvw-item__title">ＡＣＭＥカフェの朝食</p></div>
 <div class="rvw-item__rvw-comment"><p>アクメのトースターで焼いたパンが美味しい。</p>
  <span class="rvw-item__showall-trigger">もっと見る</span></div>
</div>
<div class="rvw-item js-rvw-item-clickable-area"
     data-detail-url="/tokyo/A1301/A130101/13000001/dtlrvwlst/B400002/">
 <div class="rvw-item__rvwr-data"><p class="rvw-item__rvwr-name">
  <a href="/rvwr/hana/"><span>はな</span></a></p></div>
 <div class="rvw-item__visit-contents">
  <p class="rvw-item__date">2026/11/03訪問</p>
  <ul class="rvw-item__ratings"><li class="rvw-item__ratings-item">
   <b class="c-rating-v3__val">2.0</b></li></ul>
 </div>
 <div class="rvw-item__rvw-title"><p class="rvw-item__title">残念</p></div>
 <div class="rvw-item__rvw-comment"><p>ｱｸﾒのコーヒーが冷めていました。</p></div>
</div>
""",
    title="ＡＣＭＥカフェ - 口コミ一覧 [食べログ]",
)

# @cosme (cosme.net .../review/): div.review-sec, ratings out of 7.
COSME = _page(
    """
<div class="review-sec">
 <div class="reviewer-info"><span class="reviewer-name"><a href="/user/1/">みさき</a></span>
  <span class="reviewer-age">30代前半</span></div>
 <div class="review-content">
  <div class="rating clearfix"><p class="reviewer-rating">6</p></div>
  <p class="read">ＡＣＭＥの化粧水は、肌がしっとりします。</p>
  <p class="mobile-date">2026/11/10 22:01:09</p>
  <a class="cmn-viewmore" href="/products/100/review/700001/">続きを読む</a>
 </div>
</div>
<div class="review-sec">
 <div class="reviewer-info"><span class="reviewer-name"><a href="/user/2/">ゆう</a></span></div>
 <div class="review-content">
  <div class="rating clearfix"><p class="reviewer-rating">1</p></div>
  <p class="read">アクメの乳液で肌が荒れました。</p>
  <p class="mobile-date">2026/11/12 07:45:00</p>
  <a class="cmn-viewmore" href="/products/100/review/700002/">続きを読む</a>
 </div>
</div>
""",
    title="ACME 化粧水の口コミ - @cosme",
)

# Trustpilot: article cards marked with data-* attributes.
TRUSTPILOT = _page(
    """
<article data-service-review-card-paper="true" class="paper_paper__1PY90">
 <span data-consumer-name-typography="true">Aiko S.</span>
 <time datetime="2026-11-04T10:11:12.000Z" data-service-review-date-time-ago="true">
  Nov 4, 2026</time>
 <div data-service-review-rating="1"><img alt="Rated 1 out of 5 stars"></div>
 <a href="/reviews/6543210fedcba" data-review-title-typography="true">
  <h2 data-service-review-title-typography="true">配送が遅い</h2></a>
 <p data-service-review-text-typography="true">ＡＣＭＥの注文が二週間届きません。</p>
</article>
<article data-service-review-card-paper="true" class="paper_paper__1PY90">
 <span data-consumer-name-typography="true">Ken</span>
 <time datetime="2026-11-05T00:00:00.000Z">Nov 5, 2026</time>
 <div data-service-review-rating="5"><img alt="Rated 5 out of 5 stars"></div>
 <a href="/reviews/6543210fedcbb" data-review-title-typography="true">
  <h2 data-service-review-title-typography="true">Great</h2></a>
 <p data-service-review-text-typography="true">Acme support answered within an hour.</p>
</article>
""",
    title="ACME Reviews | Read Customer Service Reviews",
)

# The App Store's web page (apps.apple.com): div.we-customer-review.
APP_STORE = _page(
    """
<div class="we-customer-review lockup">
 <figure class="we-star-rating we-customer-review__rating"
         aria-label="5つ星のうち2"></figure>
 <div class="we-customer-review__header">
  <span class="we-customer-review__user">appfan</span>
  <time datetime="2026-10-20T00:00:00.000Z" class="we-customer-review__date">
   2026/10/20</time></div>
 <h3 class="we-customer-review__title">落ちる</h3>
 <blockquote class="we-customer-review__body"><p>ＡＣＭＥアプリが起動直後に落ちます。</p>
 </blockquote>
</div>
<div class="we-customer-review lockup">
 <figure class="we-star-rating we-customer-review__rating"
         aria-label="5 out of 5"></figure>
 <div class="we-customer-review__header">
  <span class="we-customer-review__user">jo</span>
  <time datetime="2026-10-21T00:00:00.000Z">Oct 21, 2026</time></div>
 <h3 class="we-customer-review__title">Love it</h3>
 <blockquote class="we-customer-review__body"><p>The Acme app is fast.</p></blockquote>
</div>
""",
    title="ACME on the App Store",
)

# Google Play's web page (play.google.com/store/apps/details): div.RHo1pe cards.
GOOGLE_PLAY = _page(
    """
<div class="RHo1pe">
 <header class="c1bOId" data-review-id="gp-0001">
  <div class="YNR7H"><div class="gSGphe"><div class="X5PpBb">佐々木</div></div></div>
  <div class="Jx4nYe">
   <div class="iXRFPc" aria-label="5 つ星中 1 つ星の評価を付けました" role="img"></div>
   <span class="bp9Aid">2026年11月8日</span></div>
 </header>
 <div class="h3YV2d">ＡＣＭＥアプリ、ログインできません。</div>
</div>
<div class="RHo1pe">
 <header class="c1bOId" data-review-id="gp-0002">
  <div class="YNR7H"><div class="gSGphe"><div class="X5PpBb">Mia</div></div></div>
  <div class="Jx4nYe">
   <div class="iXRFPc" aria-label="Rated 4 stars out of five stars" role="img"></div>
   <span class="bp9Aid">November 9, 2026</span></div>
 </header>
 <div class="h3YV2d">Acme app works well.</div>
</div>
""",
    title="ACME - Apps on Google Play",
)

# Yelp: generated class names; cards found by their star-rating label and user link.
YELP = _page(
    """
<ul class=" list__09f24__ynIEd">
 <li class=" css-1q2nwpv">
  <div class=" user-passport-info css-1qn0b6x">
   <a href="/user_details?userid=u1" class="css-19v1rkv">Yuki T.</a></div>
  <div class=" five-stars__09f24__mBKym" aria-label="2 star rating" role="img"></div>
  <span class=" css-chan6m">Nov 3, 2026</span>
  <p class="comment__09f24__D0cxf css-qgunke">
   <span class=" raw__09f24__T4Ezm" lang="ja">ＡＣＭＥラーメンは麺がのびていました。</span></p>
 </li>
 <li class=" css-1q2nwpv">
  <div class=" user-passport-info css-1qn0b6x">
   <a href="/user_details?userid=u2" class="css-19v1rkv">Sam K.</a></div>
  <div class=" five-stars__09f24__mBKym" aria-label="5 star rating" role="img"></div>
  <span class=" css-chan6m">Nov 4, 2026</span>
  <p class="comment__09f24__D0cxf css-qgunke">
   <span class=" raw__09f24__T4Ezm" lang="en">Best ramen near Acme Tower.</span></p>
 </li>
</ul>
""",
    title="ACME Ramen - Yelp",
)

# Tripadvisor: div[data-automation=reviewCard] cards, bubbles as an SVG title.
TRIPADVISOR = _page(
    """
<div data-automation="reviewCard" class="_c">
 <a href="/Profile/tabibito" class="BMQDV">旅人</a>
 <svg class="UctUV" viewBox="0 0 128 24"><title>2.0 of 5 bubbles</title></svg>
 <div data-test-target="review-title"><a href="/ShowUserReviews-g1-d2-r900001-Acme_Hotel.html">
  <span>残念な滞在</span></a></div>
 <div data-automation="reviewText_1"><span>ＡＣＭＥホテルの部屋が寒かったです。</span></div>
 <div class="TreSq"><div>Written November 6, 2026</div></div>
</div>
<div data-automation="reviewCard" class="_c">
 <a href="/Profile/kyoto_fan" class="BMQDV">kyoto_fan</a>
 <svg class="UctUV" viewBox="0 0 128 24"><title>5.0 of 5 bubbles</title></svg>
 <div data-test-target="review-title"><a href="/ShowUserReviews-g1-d2-r900002-Acme_Hotel.html">
  <span>最高</span></a></div>
 <div data-automation="reviewText_2"><span>アクメホテルの朝食は最高。</span></div>
 <div class="TreSq"><div>Written November 7, 2026</div></div>
</div>
""",
    title="ACME HOTEL - Tripadvisor",
)
