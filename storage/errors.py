"""Errors raised by the storage layer.

Hierarchy::

    StorageError
     ├── DatabaseUnavailableError   the database URL cannot be reached or opened
     ├── DatabaseMissingError       a read-only command's SQLite file is not there
     ├── SearchError                a text search too long or malformed (storage.search)
     └── QuerySyntaxError           a query in the brand query language does not parse
                                    (storage.query_language)
"""


class StorageError(Exception):
    """Base class for every storage failure."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached; the message names the (redacted) URL."""


class DatabaseMissingError(StorageError):
    """A command that only reads found no database file; the message names the path."""


class SearchError(StorageError, ValueError):
    """A text search has too many terms or characters; the message says the limit."""


class QuerySyntaxError(StorageError, ValueError):
    """A query does not parse; the message says where and why.

    ``crawlers.query`` raises it again as ``QueryError`` for brand queries and
    ``storage.search`` as ``SearchError`` for searches.
    """
