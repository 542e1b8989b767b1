"""The mention database: models, engine/session factory, and the queries others use."""

from storage.db import (
    make_engine,
    make_sessionmaker,
    normalize_url,
    open_database,
    open_existing_database,
    redact_url,
    upgrade,
)
from storage.errors import (
    DatabaseMissingError,
    DatabaseUnavailableError,
    StorageError,
)
from storage.models import (
    Alert,
    AlertKind,
    AlertState,
    Base,
    BrandMatch,
    CrawlRun,
    Mention,
    ScheduledJob,
    SentimentResult,
    SourceCursor,
    utcnow,
)

__all__ = [
    "Alert",
    "AlertKind",
    "AlertState",
    "Base",
    "BrandMatch",
    "CrawlRun",
    "DatabaseMissingError",
    "DatabaseUnavailableError",
    "Mention",
    "ScheduledJob",
    "SentimentResult",
    "SourceCursor",
    "StorageError",
    "make_engine",
    "make_sessionmaker",
    "normalize_url",
    "open_database",
    "open_existing_database",
    "redact_url",
    "upgrade",
    "utcnow",
]
