"""Aspects on top of the analyst seed, and a competitor with complaints of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import BrandMatch, Mention, SentimentResult
from storage.aspects import AspectScore, save_aspects
from storage.queries import content_hash
from tests.storage.analyst_seed import MODEL

# analyst seed name: aspects as (aspect, label, negative, basis)
ASPECTS = {
    "skates": [("quality", "negative", 0.92, "mention")],
    "anvil": [("quality", "positive", 0.02, "mention")],
    "delivery_ja": [
        ("delivery", "negative", 0.88, "clause"),
        ("quality", "negative", 0.79, "clause"),
    ],
}
# Globex's own mentions: (external id, day, text, label, aspects)
GLOBEX = [
    ("globex-price", 12, "Globex prices doubled, a rip-off.", "negative",
     [("price", "negative", 0.9, "mention")]),
    ("globex-ship-ja", 13, "グローベックスの配送は早い。", "positive",
     [("delivery", "positive", 0.05, "mention")]),
    ("globex-support", 14, "Globex support never replied. Shipping was fine.",
     "negative", [("support", "negative", 0.93, "clause"),
                  ("delivery", "positive", 0.1, "clause")]),
]  # fmt: skip

REPLIED = {"globex-price": datetime(2026, 11, 12, 14, tzinfo=UTC)}


def seed_aspects(sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Add :data:`ASPECTS` to the analyst seed's mentions, and :data:`GLOBEX`."""
    with sessions() as s, s.begin():
        for name, rows in ASPECTS.items():
            save_aspects(s, ids[name], MODEL, [AspectScore(*r) for r in rows])
        for external_id, day, text, label, rows in GLOBEX:
            m = Mention(
                source="reviews",
                source_type="review",
                external_id=external_id,
                url=f"https://example.com/{external_id}",
                text=text,
                author="someone",
                language="ja" if external_id.endswith("-ja") else "en",
                published_at=datetime(2026, 11, day, 9, tzinfo=UTC),
                content_hash=content_hash(None, text),
                # Globex answers its price complaint in public five hours later
                replied_at=REPLIED.get(external_id),
            )
            m.matches = [BrandMatch(brand="Globex", competitor=True, terms=["globex"])]
            neg = 0.9 if label == "negative" else 0.05
            m.sentiments = [
                SentimentResult(
                    model_id=MODEL, model_revision="r1", content_hash=m.content_hash,
                    label=label, negative=neg, neutral=0.05, positive=0.95 - neg,
                )
            ]  # fmt: skip
            s.add(m)
            s.flush()
            ids[external_id] = m.id
            save_aspects(s, m.id, MODEL, [AspectScore(*r) for r in rows])
