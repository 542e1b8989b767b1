"""What the analyst views hold, column by column: Datasette metadata and the docs read it.

The views themselves are SQL in the migrations (0002, 0010); this module describes
them once, so ``earful db datasette-metadata`` and docs/schema.md say the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class View:
    """A documented view: what one row is, its columns, and useful facets."""

    name: str
    description: str
    columns: dict[str, str]
    facets: tuple[str, ...] = ()
    sort_desc: str | None = None


MENTION_VIEW = View(
    "mention_view",
    "One row per mention, brand and sentiment model. Mentions not yet scored have "
    "an empty model_id; filter on one model_id to count each mention once per brand.",
    {
        "mention_id": "Earful's id for the mention (mentions.id)",
        "brand": "a brand the mention names",
        "competitor": "whether that brand is configured as a competitor",
        "source": "the config source name it came from",
        "source_type": "the kind of source: feed, reviews, forum, reddit, hackernews…",
        "language": "detected language code, where known",
        "published_at": "when it was published, per the source (UTC)",
        "collected_at": "when Earful first stored it (UTC)",
        "url": "link to the original",
        "title": "the item's title, if it has one",
        "text": "the readable text",
        "author": "the author's name as the source shows it",
        "reach": "the author's or community's followers, where known",
        "score": "upvotes or points, where the source has them",
        "comments": "number of comments, where the source has them",
        "rating": "a review's rating as the site gave it, of rating_best",
        "rating_best": "the best rating of its scale (5, 10, 100)",
        "model_id": "the sentiment model that scored it",
        "sentiment": "negative, neutral or positive",
        "sentiment_source": "stars if the review's rating decided the sentiment, "
        "else text",
        "negative": "probability of negative (0 to 1)",
        "neutral": "probability of neutral (0 to 1)",
        "positive": "probability of positive (0 to 1)",
        "alert_state": "sent if an alert for it was delivered, else pending, else "
        "failed, else empty",
        "handled": "whether the PR team marked it handled",
        "handled_at": "when it was marked handled (UTC)",
        "handled_by": "who marked it handled",
    },
    facets=("brand", "sentiment", "source", "language"),
    sort_desc="published_at",
)
SOURCE_HEALTH_VIEW = View(
    "source_health_view",
    "Each source's latest crawl run, and when one last succeeded.",
    {
        "source": "the config source name",
        "started_at": "when the latest run began (UTC)",
        "finished_at": "when it ended (UTC)",
        "status": "running, ok, empty (pages read, nothing extracted) or failed",
        "items_seen": "items that named a brand",
        "items_new": "of those, stored for the first time",
        "error": "why the run failed, if it did",
        "warning": "problems that lost nothing, or why a run extracted nothing",
        "pages_fetched": "pages (or API answers) the run read",
        "items_extracted": "posts, reviews or entries found on them",
        "items_matched": "of those, the ones that named a brand",
        "last_success_at": "when a run of this source last finished ok (UTC)",
    },
    facets=("status",),
)
ASPECT_VIEW = View(
    "aspect_view",
    "One row per mention, aspect, brand and sentiment model: what opinionated "
    "mentions are about (delivery, price, support, quality, usability, or the "
    "team's own) and their polarity there.",
    {
        "mention_id": "Earful's id for the mention (mentions.id)",
        "brand": "a brand the mention names",
        "competitor": "whether that brand is configured as a competitor",
        "source": "the config source name it came from",
        "source_type": "the kind of source: feed, reviews, forum, reddit…",
        "language": "detected language code, where known",
        "published_at": "when it was published, per the source (UTC)",
        "model_id": "the sentiment model whose verdicts these are",
        "aspect": "what the mention is about: delivery, price, support, quality, "
        "usability or an [[aspects]] name",
        "polarity": "negative, neutral or positive about that aspect",
        "negative": "probability of negative about that aspect (0 to 1)",
        "basis": "clause: the clause naming the aspect was scored alone; mention: "
        "the mention's own verdict stands",
        "url": "link to the original",
        "title": "the item's title, if it has one",
        "text": "the readable text",
    },
    facets=("brand", "aspect", "polarity", "source"),
    sort_desc="published_at",
)
RESPONSE_TIMES_VIEW = View(
    "response_times_view",
    "One row per case (an alerted or acted-on mention) with its response delays "
    "in seconds (migration 0010).",
    {
        "mention_id": "Earful's id for the mention (mentions.id)",
        "source": "the config source name it came from",
        "source_type": "the kind of source",
        "language": "detected language code, where known",
        "published_at": "when it was published (UTC)",
        "alerted_at": "when its first alert was sent (UTC)",
        "first_action_at": "the first change a person made (UTC)",
        "replied_at": "when it was answered in public (UTC)",
        "resolved_at": "when it was resolved (UTC)",
        "state": "new, in_progress, replied or resolved",
        "owner": "who owns it",
        "publication_to_alert_s": "seconds from publication to the first alert",
        "alert_to_first_action_s": "seconds from the alert to the first action",
        "alert_to_reply_s": "seconds from the alert to the public reply",
    },
    facets=("state", "source_type", "source"),
    sort_desc="alerted_at",
)
VIEWS = (MENTION_VIEW, SOURCE_HEALTH_VIEW, ASPECT_VIEW, RESPONSE_TIMES_VIEW)
