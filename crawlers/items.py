"""MentionItem: the one item type every spider yields, shaped like a stored mention."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.queries import Match

# Item fields that are not mention columns: the pipeline's bookkeeping.
NOT_STORED = frozenset({"matches", "about", "garbled", "missing", "warnings"})


@dataclass
class MentionItem:
    """One post, comment, review or feed entry, before it is matched and stored.

    Every field but ``matches``, ``about``, ``garbled`` and ``missing`` is a column of ``storage.models.Mention`` with the
    same name; ``matches`` is filled by ``MatchPipeline`` and stored as brand
    matches next to the mention.
    """

    source: str
    source_type: str
    external_id: str
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    top_level: bool | None = None
    score: int | None = None
    comments: int | None = None
    followers: int | None = None
    rating: float | None = None  # as the site gives it: 1 of 5, 7 of 10
    rating_best: float | None = None  # the top of its scale (storage.ratings)
    language: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC
    # "day", "month", "year": the source gave no finer date (see crawlers.dates)
    published_precision: str | None = None
    raw: dict[str, Any] | None = None
    reply_text: str | None = None  # the public answer under the post (developer reply)
    replied_at: datetime | None = None
    matches: list[Match] = field(default_factory=list)
    about: str | None = None  # what a review is of: matched with the text, not stored
    garbled: bool = False  # bytes were lost decoding it: no language is guessed
    # Fields that came out empty, with why ("'.date' matched nothing"): for
    # `earful source check`, not stored.
    missing: dict[str, str] = field(default_factory=dict)
    # What was wrong with the item and dropped from it (a date in year 9999):
    # the collector reports it as its run's warning; not stored.
    warnings: list[str] = field(default_factory=list)

    def mention_fields(self) -> dict[str, Any]:
        """The fields ``storage.queries.upsert_mention`` stores, by column name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in NOT_STORED
        }
