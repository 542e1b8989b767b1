"""One ``Outcome`` for every collector's run: counts, error, warning, extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from storage.queries import Extraction


@dataclass(frozen=True)
class Outcome:
    """What a run did: mentions seen, new and updated, and why it failed if it did.

    ``extraction`` counts pages fetched, items extracted and matched (None
    where a collector does not count them); a run that fetched pages but
    extracted nothing is ``empty``, and its ``warning`` (every warning, one a
    line) says why first.
    """

    source: str
    seen: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None
    warning: str | None = None
    extraction: Extraction = field(default_factory=Extraction)

    @property
    def empty(self) -> bool:
        """Whether pages were fetched but nothing was extracted (and no error)."""
        e = self.extraction
        return not self.error and bool(e.pages) and not e.extracted


class Tally(Protocol):
    """A collector's own count of one pass (Reddit's, a poller's)."""

    seen: int
    new: int
    updated: int
    error: str | None

    @property
    def warning(self) -> str | None:
        """Every warning, one a line, or None."""
        ...


def outcome_of(source: str, tally: Tally) -> Outcome:
    """``tally`` as the outcome of ``source``'s run."""
    return Outcome(
        source, tally.seen, tally.new, tally.updated, tally.error, tally.warning
    )
