"""A small, hand-written mention database the analyst tests query."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import Alert, AlertState, BrandMatch, CrawlRun, Mention, SentimentResult
from storage.queries import content_hash

MODEL = "earful-default"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_TEXT = (
    '<img src=x onerror="alert(2)"> \x1b[31mAcme\x1b[0m is a scam\x07 '
    '=HYPERLINK("http://evil.example")'
)


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


# name: (source, type, language, day, hour, reach, title, text, brands, scores)
MENTIONS = {
    "skates": (
        "news", "feed", "en", 2, 9, 5000, "Acme rocket skates broke",
        "My Acme rocket skates broke on day one.", ("Acme",),
        ("negative", 0.92, 0.05, 0.03),
    ),
    "anvil": (
        "reviews", "review", "en", 2, 15, 100, None,
        "The Acme anvil is sturdy and great.", ("Acme",),
        ("positive", 0.02, 0.10, 0.88),
    ),
    "delivery_ja": (
        "forum", "forum", "ja", 9, 10, 20000, None,
        "アクメの配送が遅すぎる。品質も悪い。", ("Acme",),
        ("negative", 0.81, 0.15, 0.04),
    ),
    "globex": (
        "news", "feed", "en", 10, 8, None, "Globex launches a widget",
        "Globex launches a new widget today.", ("Globex",),
        ("neutral", 0.10, 0.70, 0.20),
    ),
    "hostile": (
        "forum", "forum", "en", 11, 12, 300, HOSTILE_TITLE, HOSTILE_TEXT, ("Acme",),
        ("negative", 0.95, 0.04, 0.01),
    ),
    "compare": (
        "reviews", "review", "en", 16, 18, 50, None,
        "Acme and Globex compared: 50% off_sale", ("Acme", "Globex"), None,
    ),
}  # fmt: skip


def seed(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Store :data:`MENTIONS` with scores, one sent alert and one handled mention."""
    ids: dict[str, int] = {}
    with sessions() as s, s.begin():
        for name, row in MENTIONS.items():
            source, kind, lang, day, hour, reach, title, text, brands, scores = row
            m = Mention(
                source=source,
                source_type=kind,
                external_id=name,
                url=f"https://example.com/{name}",
                title=title,
                text=text,
                author=f"author-{name}",
                language=lang,
                followers=reach,
                published_at=_at(day, hour),
                content_hash=content_hash(title, text),
            )
            m.matches = [
                BrandMatch(brand=b, competitor=b == "Globex", terms=[b]) for b in brands
            ]
            if scores:
                label, neg, neu, pos = scores
                m.sentiments = [
                    SentimentResult(
                        model_id=MODEL,
                        model_revision="r1",
                        content_hash=m.content_hash,
                        label=label,
                        negative=neg,
                        neutral=neu,
                        positive=pos,
                    )
                ]
            s.add(m)
            s.flush()
            ids[name] = m.id
        s.add(
            Alert(
                mention_id=ids["skates"],
                rule="acme-negative",
                channel="#alerts",
                state=AlertState.SENT,
            )
        )
        handled = s.get(Mention, ids["delivery_ja"])
        assert handled is not None
        handled.handled_at = _at(9, 11)
        handled.handled_by = "kei"
        # Each source's first crawl, before its mentions (which are then no
        # backfill: they count in the response KPIs), and its latest.
        for source in ("news", "reviews", "forum"):
            s.add(CrawlRun(source=source, started_at=_at(1, 0), finished_at=_at(1, 1),
                           status="ok", items_seen=0, items_new=0))  # fmt: skip
        s.add(CrawlRun(source="news", started_at=_at(16), finished_at=_at(16, 10),
                       status="ok", items_seen=3, items_new=1))  # fmt: skip
        s.add(CrawlRun(source="forum", started_at=_at(16), finished_at=_at(16, 10),
                       status="failed", error="https://forum.example/: HTTP 503"))  # fmt: skip
    return ids
