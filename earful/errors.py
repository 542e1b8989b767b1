"""Errors of the application layer.

Hierarchy::

    EarfulError
     ├── ConfigError   the config file is unreadable or invalid; one line per problem
     └── DaemonDiedError  a thread ``earful run`` needs died or its database stayed
                          unusable: the process exits 1 to be restarted
"""

from __future__ import annotations

from collections.abc import Sequence


class EarfulError(Exception):
    """Base class for application-level failures the CLI reports as ``Error: …``."""


class ConfigError(EarfulError):
    """Every problem found in a config file, each on its own line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DaemonDiedError(EarfulError):
    """``earful run`` cannot go on (its scheduler died, its database is gone)."""
