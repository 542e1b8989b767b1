"""One ``Outcome`` for every collector's run: counts, error, warnings, extraction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawlers.errors import MAX_WARNINGS
from storage.queries import Extraction


@dataclass
class Outcome:
    """What a run did: mentions seen, new and updated, and why it failed if it did.

    A collector fills it in as it goes. ``extraction`` counts pages fetched,
    items extracted and matched (None where a collector does not count them);
    a run that fetched pages but extracted nothing is ``empty``, and its first
    warning says why. ``counts`` holds what a kind tallies besides (Jetstream
    ``events``, ``deleted``, ``skipped``…; searches' ``requests``).
    """

    source: str
    seen: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    extraction: Extraction = field(default_factory=Extraction)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def warning(self) -> str | None:
        """The distinct warnings, one a line, or None."""
        return "\n".join(dict.fromkeys(self.warnings)) or None

    @property
    def empty(self) -> bool:
        """Whether pages were fetched but nothing was extracted (and no error)."""
        e = self.extraction
        return not self.error and bool(e.pages) and not e.extracted

    def warn(self, *messages: str) -> None:
        """Keep each distinct message, up to ``MAX_WARNINGS`` of them."""
        for message in messages:
            if message not in self.warnings and len(self.warnings) < MAX_WARNINGS:
                self.warnings.append(message)
