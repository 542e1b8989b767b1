"""HTML pages about the test brand Acme, served by the sample site (``/acme/...``)."""

from __future__ import annotations

import json

REVIEW = {
    "@type": "Review",
    "author": {"@type": "Person", "name": "Jane Doe"},
    "datePublished": "2026-11-02",
    "reviewRating": {"@type": "Rating", "ratingValue": 1},
    "reviewBody": "The blender leaked on day two.",
}
EDITED_BODY = "The blender leaked on day two. UPDATE: they replaced it."


def _jsonld_page(reviews: list[dict[str, object]], next_href: str | None) -> str:
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Acme Blender 3000",
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": 3,
            "bestRating": 5,
            "worstRating": 1,
            "reviewCount": 3,
        },
        "review": reviews,
    }
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    return (
        "<!doctype html><html><head><title>Acme Blender 3000 reviews</title>"
        f'{link}<script type="application/ld+json">{json.dumps(product)}</script>'
        "</head><body><nav>Home | Shop</nav><h1>Acme Blender 3000</h1></body></html>"
    )


def blender_page(page: int, *, edited: bool = False) -> str:
    """Page 1 (two reviews, rel=next to page 2) or page 2 (one review)."""
    if page == 2:
        ken = {
            "@type": "Review",
            "author": "Ken Ito",
            "datePublished": "2026-10-01",
            "reviewRating": {"@type": "Rating", "ratingValue": "5"},
            "reviewBody": "Crushes ice like nothing else.",
        }
        return _jsonld_page([ken], None)
    first = dict(REVIEW, reviewBody=EDITED_BODY) if edited else REVIEW
    second = {
        "@type": "Review",
        "author": "Mia Wong",
        "datePublished": "2026-10-20",
        "reviewRating": {"@type": "Rating", "ratingValue": "3"},
        "reviewBody": "Loud, but it works.",
    }
    return _jsonld_page([first, second], "?page=2")


JAPANESE_FORUM = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>キッチン家電掲示板</title></head>
<body>
<nav>ホーム</nav>
<div class="message" id="post-1">
  <span class="name">山田</span><span class="when">3日前</span>
  <div class="body">ＡＣＭＥのミキサーが二日で壊れました。サポートも最悪です。</div>
</div>
<div class="message" id="post-2">
  <span class="name">佐藤</span><span class="when">2024年5月1日</span>
  <div class="body"><blockquote>ＡＣＭＥのミキサーが二日で壊れました。</blockquote>うちのは
  まだ動いています。</div>
</div>
<div class="message" id="post-3">
  <span class="name">鈴木</span><span class="when">昨日</span>
  <div class="body">ｱｸﾒの新しいトースターはいいですね。</div>
</div>
</body></html>
"""
