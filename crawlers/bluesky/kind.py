"""The ``bluesky`` kind's collector: brand searches when due, then a firehose listen.

A listen lasts until ``LISTEN_GAP_S`` before the source's next run is due
(``once``: ``ONCE_LISTEN_S``), so the scheduler never finds it still running.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from crawlers.bluesky.jetstream import JetstreamCollector, JetstreamParams, newest_posts
from crawlers.bluesky.search import BlueskyCredentials, BlueskySearcher, SearchParams
from crawlers.bluesky.settings import BlueskySource
from crawlers.check import sampled
from crawlers.collector import Check, Context, env_secret
from crawlers.match import Matcher
from crawlers.outcome import Outcome

ONCE_LISTEN_S = 20.0  # how long `earful run --once` listens to a firehose
LISTEN_GAP_S = 2.0
CHECK_LISTEN_S = 15.0  # a check listens this long at most for --limit posts


def params(source: BlueskySource) -> JetstreamParams:
    """What the firehose collector listens to."""
    return JetstreamParams(
        source=source.name,
        url=source.jetstream_url,
        replay_margin_s=source.replay_margin,
        max_backoff_s=source.max_backoff,
    )


def credentials(source: BlueskySource) -> BlueskyCredentials:
    """The search account from the environment variables ``source`` names."""
    return BlueskyCredentials(
        handle=env_secret(source.handle_env),
        app_password=env_secret(source.app_password_env),
        handle_env=source.handle_env,
        app_password_env=source.app_password_env,
        api_url=source.api_url,
    )


class BlueskyKind:
    """Listens to one source's firehose; searches its brands every ``search_interval``."""

    def __init__(self, source: BlueskySource, context: Context) -> None:
        self.source = source
        self.context = context
        self._firehose: JetstreamCollector | None = None
        self._searcher: BlueskySearcher | None = None
        self._searched_at: float | None = None

    def collect(
        self, *, once: bool = False, wake: Callable[[], object] | None = None
    ) -> Outcome:
        """Search the brands when due, then listen until the next run is near.

        The listen stops early at ``stopping``; a failed search fails the run
        (in ``earful status``) but the firehose still listens. Events skipped
        as unreadable and posts with impossible dates are the run's warning.
        """
        if self._firehose is None:
            matcher = Matcher(self.context.brands)
            self._firehose = JetstreamCollector(
                params(self.source), matcher, self.context.stored()
            )
        seconds = ONCE_LISTEN_S if once else self.source.interval - LISTEN_GAP_S
        searched = self._search(self._firehose.matcher)
        heard = self._firehose.listen(seconds, self.context.stopping, wake)
        heard.seen += searched.seen
        heard.new += searched.new
        heard.updated += searched.updated
        heard.error = "; ".join(e for e in (searched.error, heard.error) if e) or None
        heard.counts.update(searched.counts)
        return heard

    def _search(self, matcher: Matcher) -> Outcome:
        """Run the brand searches when ``search_interval`` has passed."""
        if not self.source.search:
            return Outcome(self.source.name)
        if self._searcher is None:
            wanted = SearchParams(
                self.source.name, self.source.search_limit, self.source.search_pages
            )
            self._searcher = BlueskySearcher(
                credentials(self.source), wanted, matcher, self.context.stored()
            )
        now = monotonic()
        last = self._searched_at
        if last is not None and now - last < self.source.search_interval:
            return Outcome(self.source.name)
        self._searched_at = now
        return self._searcher.search()

    def sample(self, check: Check) -> dict[str, Any]:
        """The next posts on the firehose (whatever they name), matched, not stored."""
        items = newest_posts(params(self.source), check.limit, CHECK_LISTEN_S)
        warning = None if items else f"no post arrived within {CHECK_LISTEN_S:g} s"
        return sampled(items, self.context.brands, warning)
