"""Errors raised by the storage layer.

Hierarchy::

    StorageError
     ├── DatabaseUnavailableError   the database URL cannot be reached or opened
     ├── DatabaseMissingError       a read-only command's SQLite file is not there
     └── SearchError                a text search too long to run (storage.search)
"""


class StorageError(Exception):
    """Base class for every storage failure."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached; the message names the (redacted) URL."""


class DatabaseMissingError(StorageError):
    """A command that only reads found no database file; the message names the path."""


class SearchError(StorageError, ValueError):
    """A text search has too many terms or characters; the message says the limit."""
