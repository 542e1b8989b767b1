"""Errors raised by the storage layer.

Hierarchy::

    StorageError
     └── DatabaseUnavailableError   the database URL cannot be reached or opened
"""


class StorageError(Exception):
    """Base class for every storage failure."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached; the message names the (redacted) URL."""
