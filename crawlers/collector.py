"""What every source kind offers: its settings base, its run context, its collector.

A kind (``feed``, ``reddit``, ``bluesky``…) is a settings model, subclass of
``SourceSettings``, named in ``crawlers.registry``. Its ``collector`` names,
as ``"module:attr"``, the class that collects it, imported on first use so
that reading a config imports no network client. The class is built with
the settings and a ``Context`` and has two methods: ``collect`` (one run,
stored, failures in the outcome) and ``sample`` (``earful source check``:
the newest items, reported, nothing stored).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from crawlers.match import BrandRule
from crawlers.politeness import Politeness

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawlers.outcome import Outcome

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
# The longest duration any key takes: a year and a day. APScheduler's interval
# trigger overflows datetime past ~9,999 years, and a source polled less than
# yearly is off, not slow; every other number has its own bound.
MAX_DURATION_S = 366 * 86400.0
# Source keys that tell the scheduler when and how long to run, not the collector.
SCHEDULE_KEYS = frozenset({"interval", "cron", "jitter", "timeout"})
BASE_KEYS = frozenset({"name", "type", "enabled", *SCHEDULE_KEYS})


def parse_duration(value: Any) -> Any:
    """``90``, ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` → seconds as a float.

    At most ``MAX_DURATION_S`` and finite, with an error that says so.
    """
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            msg = (
                f"{value!r} is not a duration (use seconds or e.g. '30s', '15m', '1h')"
            )
            raise ValueError(msg)
        value = float(match[1]) * _UNITS[match[2]]
    elif isinstance(value, float) and not math.isfinite(value):
        msg = f"must be a finite number of seconds, at most {MAX_DURATION_S:.0f}"
        raise ValueError(msg)
    if isinstance(value, int | float) and value > MAX_DURATION_S:
        msg = f"at most {MAX_DURATION_S:.0f} seconds (366d)"
        raise ValueError(msg)
    return value


Seconds = Annotated[
    float, BeforeValidator(parse_duration), Field(gt=0, le=MAX_DURATION_S)
]
MaybeZeroSeconds = Annotated[
    float, BeforeValidator(parse_duration), Field(ge=0, le=MAX_DURATION_S)
]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")]


def env_secret(name: str) -> str | None:
    """The value of environment variable ``name``, stripped, or None when unset."""
    return os.environ.get(name, "").strip() or None


class SourceSettings(BaseModel):
    """What every source has: a unique name and how often it runs.

    Unknown keys are errors, so a typo is caught.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,  # "inf" and "nan" parse as TOML floats
    )

    collector: ClassVar[str]  # "module:attr" of the kind's Collector class
    reads_saved_pages: ClassVar[bool] = False  # `source check` takes a saved page
    if TYPE_CHECKING:
        type: str  # each kind's Literal: the discriminator

    name: Name
    """Unique source name (letters, digits, `_`, `.`, `-`); shown in alerts and status."""
    interval: Seconds = 900.0
    """How often the source is collected: seconds, or `"30s"`, `"15m"`, `"1h"`, `"1d"`."""
    enabled: bool = True
    """Set to false to keep a source in the file without collecting it."""
    cron: str | None = None
    """A crontab expression (`"*/15 * * * *"`, in `[daemon] timezone`) used instead of
    `interval`."""
    jitter: MaybeZeroSeconds | None = None
    """Random delay added to each run so sources do not fire together (default: a
    tenth of the interval, at most 60 s)."""
    timeout: Seconds | None = None
    """Stop this source's crawl after this long (default: `[crawler] timeout`)."""

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str | None) -> str | None:
        if value is not None:
            CronTrigger.from_crontab(value)  # raises ValueError naming the field
        return value

    def secret_envs(self) -> list[tuple[str, str]]:
        """``(key, variable)`` for each secret variable this source needs set.

        Only those the file names explicitly (or the kind cannot run without):
        a default left unset may mean "not used".
        """
        return []

    def secret_values(self) -> list[str]:
        """The secrets this source reads from the environment, for logs to mask."""
        return []

    @classmethod
    def check_fields(cls, target: str) -> dict[str, Any]:
        """The fields ``earful source check --type KIND TARGET`` gives this kind."""
        return {}

    @classmethod
    def check_brands(cls, target: str) -> tuple[BrandRule, ...]:
        """Brands to match when no config names any (the kind may search TARGET)."""
        return ()


@dataclass(frozen=True)
class Context:
    """What a collector gets from the application besides its settings.

    ``sessions`` is None for a sample, which stores nothing.
    """

    brands: tuple[BrandRule, ...]
    sessions: sessionmaker[Session] | None
    database_url: str = "sqlite://"
    politeness: Politeness = field(default_factory=Politeness)
    timeout_s: float = 600.0  # a crawl's limit (the source's, else [crawler])
    own_accounts: tuple[str, ...] = ()  # the brand's accounts on this source
    stopping: threading.Event = field(default_factory=threading.Event)  # SIGTERM

    def stored(self) -> sessionmaker[Session]:
        """The database a run stores in (a sample has none)."""
        if self.sessions is None:
            msg = "a sample stores nothing: no database in its context"
            raise RuntimeError(msg)
        return self.sessions


@dataclass(frozen=True)
class Check:
    """How ``earful source check`` samples: how many items, and a saved page."""

    limit: int = 10
    saved: Path | None = None


class Collector(Protocol):
    """One source's collector, built with its settings and a ``Context``."""

    def collect(
        self, *, once: bool = False, wake: Callable[[], object] | None = None
    ) -> Outcome:
        """One run that stores what it finds; failures come back in the outcome.

        ``once``: a single run from the command line, not the daemon's;
        ``wake``: called whenever a long run stored something new.
        """
        ...

    def sample(self, check: Check) -> dict[str, Any]:
        """The newest items as ``crawlers.check.item_report`` reports, not stored.

        ``{"error", "warning", "extracted", "items"}`` (and ``pages`` for pages).
        """
        ...
