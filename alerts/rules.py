"""Alert rules: which mentions go to which Slack channel, now or in the digest."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from alerts.errors import RuleError
from storage.models import Mention, SentimentResult
from storage.ratings import stars_of_five

# A channel name as typed in Slack ("#brand-alerts") or a conversation ID ("C0123ABCD").
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$")
# Scripts written without spaces: a keyword there matches as a substring.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
LABELS = frozenset({"negative", "neutral", "positive"})
Mode = Literal["immediate", "digest"]


def normalise(text: str) -> str:
    """NFKC-normalised, case-folded text: full-width and ligatures compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole words in spaced scripts, substrings in Japanese and Chinese."""
    word = re.escape(normalise(keyword).strip())
    if _UNSPACED.search(keyword):
        return re.compile(word)
    return re.compile(rf"(?<!\w){word}(?!\w)")


@dataclass(frozen=True)
class AlertRule:
    """Which mentions alert, where, and how soon.

    A mention matches when it names one of ``brands``, comes from one of
    ``sources`` and is in one of ``languages`` (empty = any), reaches far enough
    (any one of ``min_score``, ``min_comments``, ``min_followers``, or a review
    rating at most ``max_rating`` stars of 5; none set = any reach), and either
    was scored ``label`` with at least ``min_probability``, or got ``label`` from
    its own stars (``storage.ratings``: the reviewer's verdict needs no
    probability), or contains one of ``keywords``, or is a review rated at most
    ``max_rating`` (then its text does not matter). ``mode="digest"`` holds
    its alerts for the next digest; ``urgent`` ignores quiet hours. More than
    ``flood_threshold`` alerts for one brand within ``flood_window`` seconds
    become one incident (``alerts.flood``).
    """

    name: str
    brands: tuple[str, ...]
    channel: str
    label: str = "negative"
    min_probability: float = 0.7
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_score: int | None = None
    min_comments: int | None = None
    min_followers: int | None = None
    max_rating: float | None = None
    keywords: tuple[str, ...] = ()
    mode: Mode = "immediate"
    urgent: bool = False
    flood_threshold: int = 10
    flood_window: float = 600.0

    def __post_init__(self) -> None:
        if not self.name.strip():
            msg = "alert rule has an empty name: give every rule a name"
            raise RuleError(msg)
        for field in ("brands", "sources", "languages", "keywords"):
            if isinstance(getattr(self, field), str):
                msg = f"alert rule {self.name!r}: {field} must be a list of strings"
                raise RuleError(msg)
        if not self.brands:
            msg = f"alert rule {self.name!r}: brands must be a non-empty list of names"
            raise RuleError(msg)
        if not _CHANNEL.match(self.channel):
            msg = (
                f"alert rule {self.name!r}: channel {self.channel!r} is not a Slack "
                "channel: use '#name' (lowercase) or a conversation ID like 'C0123ABCD'"
            )
            raise RuleError(msg)
        self._check_ranges()

    def _check_ranges(self) -> None:
        if self.label not in LABELS:
            msg = f"alert rule {self.name!r}: label {self.label!r} is not one of {sorted(LABELS)}"
            raise RuleError(msg)
        if not 0.0 <= self.min_probability <= 1.0:
            msg = (
                f"alert rule {self.name!r}: min_probability {self.min_probability} "
                "must be between 0 and 1"
            )
            raise RuleError(msg)
        if self.max_rating is not None and not 0.0 <= self.max_rating <= 5.0:  # noqa: PLR2004
            msg = f"alert rule {self.name!r}: max_rating must be between 0 and 5 stars"
            raise RuleError(msg)
        if self.mode not in {"immediate", "digest"}:
            msg = f"alert rule {self.name!r}: mode must be 'immediate' or 'digest'"
            raise RuleError(msg)

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """The compiled keyword triggers."""
        return tuple(keyword_pattern(k) for k in self.keywords if k.strip())

    def reaches(self, mention: Mention) -> bool:
        """True when no reach threshold is set or the mention meets any one of them."""
        checks = [
            (self.min_score, mention.score),
            (self.min_comments, mention.comments),
            (self.min_followers, mention.followers),
        ]
        wanted = [(floor, n) for floor, n in checks if floor is not None]
        if self.max_rating is None and not wanted:
            return True
        if any(n is not None and n >= floor for floor, n in wanted):
            return True
        return self.rated_low(mention)

    def rated_low(self, mention: Mention) -> bool:
        """Whether the mention is a review rated at most ``max_rating`` stars of 5."""
        stars = stars_of_five(mention.rating, mention.rating_best)
        return (
            self.max_rating is not None
            and stars is not None
            and stars <= self.max_rating + 1e-9
        )

    def triggered(self, mention: Mention) -> bool:
        """True when the mention's title or text contains one of the keywords."""
        return self.matched_term(mention) is not None

    def matched_term(self, mention: Mention) -> str | None:
        """The first keyword (as configured) the mention's title or text contains."""
        text = normalise(f"{mention.title or ''}\n{mention.text}")
        keywords = [k for k in self.keywords if k.strip()]
        return next(
            (k for k, p in zip(keywords, self.patterns, strict=True) if p.search(text)),
            None,
        )

    def matches(
        self, mention: Mention, brands: Iterable[str], score: SentimentResult | None
    ) -> bool:
        """Whether ``mention`` (naming ``brands``, scored ``score``) should alert."""
        if not set(self.brands) & set(brands):
            return False
        if self.sources and mention.source not in self.sources:
            return False
        if self.languages and (mention.language or "") not in self.languages:
            return False
        if not self.reaches(mention):
            return False
        return self.triggered(mention) or self.rated_low(mention) or self.scored(score)

    def scored(self, score: SentimentResult | None) -> bool:
        """Whether ``score`` is ``label``: by the stars, or sure enough by the text."""
        if score is None or score.label != self.label:
            return False
        return (
            score.label_source == "stars"
            or getattr(score, self.label) >= self.min_probability
        )


def route(rules: Sequence[AlertRule], matching: Iterable[AlertRule]) -> list[AlertRule]:
    """One rule per channel among ``matching``: urgent first, then immediate, then order."""
    order = {rule.name: i for i, rule in enumerate(rules)}
    chosen: dict[str, AlertRule] = {}
    for rule in sorted(
        matching,
        key=lambda r: (not r.urgent, r.mode != "immediate", order.get(r.name, 0)),
    ):
        chosen.setdefault(rule.channel, rule)
    return list(chosen.values())


def channels(rules: Iterable[AlertRule]) -> list[str]:
    """The distinct channels ``rules`` send to, in first-seen order."""
    return list(dict.fromkeys(rule.channel for rule in rules))


def check_unique_names(rules: Sequence[AlertRule]) -> None:
    """Refuse two rules with the same name, since alerts record the rule's name."""
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            msg = f"alert rule {rule.name!r} is defined twice: rule names must differ"
            raise RuleError(msg)
        seen.add(rule.name)
