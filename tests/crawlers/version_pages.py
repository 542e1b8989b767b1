"""Pages written for the tests in the markup of each version a shipped recipe reads.

Nothing is copied from a site. The tags, classes and attributes follow markup
studied in public repositories (XenForo 1's ``datePermalink`` template and
2.2's ``message-attribution-opposite`` list, vBulletin 3's ``postcount`` link,
4's ``postdate``/``date`` spans and 5's ``b-post__timestamp``, Amazon's
camelCase ``reviewContainer``/``reviewText`` hooks, Trustpilot's older
``review-card`` with its dates in a JSON script); the words are our own.
"""

from __future__ import annotations


def _page(body: str, title: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body>{body}</body></html>"
    )


# XenForo 1.x: li.message in ol.messageList, the date in a.datePermalink.
XENFORO_1 = _page(
    """
<ol class="messageList" id="messageList">
 <li id="post-1001" class="message" data-author="たろう">
  <div class="messageInfo primaryContent"><div class="messageContent"><article>
   <blockquote class="messageText SelectQuoteContainer ugc baseHtml">
    ＡＣＭＥのルーターは三日で落ちるようになった。
    <div class="messageTextEndMarker">&nbsp;</div></blockquote>
  </article></div>
  <div class="messageMeta ToggleTriggerAnchor"><div class="privateControls">
   <span class="item muted"><span class="authorEnd">
    <a href="members/7/" class="username author">たろう</a>,</span>
    <a href="threads/acme.55/#post-1001" title="Permalink" class="datePermalink">
     <span class="DateTime" title="Oct 3, 2026 at 9:15 PM">Oct 3, 2026</span></a>
   </span></div></div></div>
 </li>
 <li id="post-1002" class="message" data-author="Hanako">
  <div class="messageInfo primaryContent"><div class="messageContent"><article>
   <blockquote class="messageText SelectQuoteContainer ugc baseHtml">
    <div class="bbCodeBlock bbCodeQuote" data-author="たろう"><aside>
     <div class="attribution type">たろう said:</div>
     <blockquote class="quoteContainer">ＡＣＭＥのルーターは</blockquote>
    </aside></div>
    うちのアクメは問題なし。
   </blockquote>
  </article></div>
  <div class="messageMeta ToggleTriggerAnchor"><div class="privateControls">
   <span class="item muted">
    <a href="threads/acme.55/#post-1002" title="Permalink" class="datePermalink">
     <span class="DateTime" title="Oct 4, 2026 at 7:02 AM">Oct 4, 2026</span></a>
   </span></div></div></div>
 </li>
</ol>
""",
    "ACME ルーター | XenForo 1",
    head='<base href="https://forum.example/">',  # XenForo 1's links are relative
)

# XenForo 2.2+: the permalink sits in the opposite attribution list only.
XENFORO_2_OPPOSITE = _page(
    """
<div class="block-body js-replyNewMessageContainer">
 <article class="message message--post js-post" data-author="さくら"
   data-content="post-2001" id="js-post-2001">
  <header class="message-attribution message-attribution--split">
   <ul class="message-attribution-main listInline">
    <li class="u-concealed"><time class="u-dt" dir="auto"
      datetime="2026-10-05T10:00:00+0900">2026年10月5日</time></li>
   </ul>
   <ul class="message-attribution-opposite message-attribution-opposite--list">
    <li><a href="/posts/2001/share" class="message-attribution-gadget">共有</a></li>
    <li><a href="/threads/acme.77/post-2001" rel="nofollow">#1</a></li>
   </ul>
  </header>
  <div class="message-body js-selectToQuote"><div class="bbWrapper">
   アクメの新型スピーカー、音が割れる。</div></div>
 </article>
</div>
""",
    "ACME スピーカー | XenForo 2",
)

# vBulletin 3: one table per post; the date is the thead's text, the link a postcount.
VBULLETIN_3 = _page(
    """
<div id="posts">
 <div id="edit501"><table id="post501" class="tborder">
  <tr><td class="thead"><a name="post501"></a>13-10-2026, 08:45 PM</td>
   <td class="thead" align="right">
    <a href="showthread.php?p=501#post501" id="postcount501" name="1">#1</a></td></tr>
  <tr><td class="alt2"><a class="bigusername" href="member.php?u=3">じろう</a></td>
   <td class="alt1"><div id="post_message_501">ＡＣＭＥの掃除機は吸わない。</div></td>
  </tr></table></div>
</div>
""",
    "ACME 掃除機 - vBulletin 3",
)

# vBulletin 4: li.postcontainer; the date in span.postdate > span.date.
VBULLETIN_4 = _page(
    """
<ol id="posts" class="posts">
 <li class="postbitlegacy postbitim postcontainer old" id="post_601">
  <div class="posthead"><span class="postdate old">
   <span class="date">11-10-2026,&nbsp;<span class="time">09:30 AM</span></span>
  </span><span class="nodecontrols">
   <a name="post601" href="showthread.php?t=9&amp;p=601#post601"
      class="postcounter">#1</a></span></div>
  <div class="postdetails"><div class="userinfo">
   <a class="username offline popupctrl" href="member.php?u=4">さぶろう</a></div>
   <div class="postbody"><div class="postrow"><div class="content">
    <blockquote class="postcontent restore">アクメの炊飯器、ご飯が固い。</blockquote>
   </div></div></div></div>
 </li>
</ol>
""",
    "ACME 炊飯器 - vBulletin 4",
)

# vBulletin 5: li.b-post; the date in div.b-post__timestamp's time element.
VBULLETIN_5 = _page(
    """
<ul class="conversation-list">
 <li class="b-post js-post" data-node-id="701">
  <div class="b-userinfo__details">
   <div class="author h-text-size--14"><strong>
    <a href="https://forum.example/member/5-shiro">しろう</a></strong></div></div>
  <div class="b-post__content js-post__content">
   <div class="b-media__body">
    <div class="b-post__timestamp"><time itemprop="dateCreated"
      datetime="2026-10-12T14:20:00">10-12-2026, 02:20 PM</time></div></div>
   <a class="b-post__count" href="https://forum.example/node/700#post701">#1</a>
   <div class="js-post__content-text restore h-wordwrap" itemprop="text">
    ＡＣＭＥの冷蔵庫がうるさい。</div>
  </div>
 </li>
</ul>
""",
    "ACME 冷蔵庫 - vBulletin 5",
)

# Amazon's renamed hooks: reviewContainer / reviewTitle / reviewText / reviewDate.
AMAZON_CAMELCASE = _page(
    """
<div id="cm-cr-dp-aw-review-list">
 <div data-hook="reviewContainer" id="R1QWERTY12345">
  <div class="a-profile-content"><span class="a-profile-name">みき</span></div>
  <i data-hook="cmps-review-star-rating" class="a-icon a-icon-star-mini">
   <span class="a-icon-alt">5つ星のうち1.0</span></i>
  <a data-hook="reviewTitle" href="/gp/customer-reviews/R1QWERTY12345/">
   <span>届いて一日で故障</span></a>
  <span data-hook="reviewDate">2026年10月20日に日本でレビュー済み</span>
  <div data-hook="reviewText"><span>ＡＣＭＥのイヤホン、右が鳴らない。</span></div>
 </div>
</div>
""",
    "Amazon.co.jp: ACME イヤホン",
)

# Trustpilot's older layout: div.review-card > article.review, dates in JSON.
TRUSTPILOT_OLD = _page(
    """
<div class="review-list">
 <div class="review-card"><article class="review" id="5f00aa">
  <aside class="review__consumer-information"><div class="consumer-information">
   <div class="consumer-information__name">Keiko</div></div></aside>
  <section class="review__content"><div class="review-content">
   <div class="review-content__header"><div class="review-content-header">
    <div class="star-rating star-rating--medium">
     <img src="stars-2.svg" alt="2 stars: Poor"></div>
    <div class="review-content-header__dates">
     <script type="application/json" data-initial-state="review-dates">
      {"publishedDate":"2026-09-28T08:00:00Z","updatedDate":null}
     </script></div></div></div>
   <div class="review-content__body">
    <h2 class="review-content__title">
     <a href="/reviews/5f00aa" class="link link--large link--dark">配送が遅い</a></h2>
    <p class="review-content__text">アクメの通販、届くまで三週間かかった。</p>
   </div></div></section>
 </article></div>
</div>
""",
    "ACME Reviews | Trustpilot",
)
