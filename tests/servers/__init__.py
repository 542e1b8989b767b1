"""Real local HTTP servers the tests talk to: the sample site, Slack, Reddit."""

from tests.servers.http import LocalServer

__all__ = ["LocalServer"]
