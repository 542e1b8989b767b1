"""Politeness: the operator's crawl etiquette as typed values, and the Scrapy settings it sets.

The defaults are those of ``crawlers.settings``; the crawl launcher sends a
``Politeness`` with each job and the child lays ``scrapy_settings()`` over the
project's settings. robots.txt is always obeyed and is not an option here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crawlers import settings

MAX_CONTACT = 200
MAX_DOWNLOAD_SIZE = 1024**3  # 1 GiB: a body larger than this is never wanted


def check_contact(value: str | None) -> str | None:
    """A contact fit for an HTTP header: printable, one line, at most 200 characters."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_CONTACT:
        msg = f"must be at most {MAX_CONTACT} characters"
        raise ValueError(msg)
    if not value.isprintable() or not value.isascii():
        msg = "must be printable ASCII on one line (a URL or an e-mail address)"
        raise ValueError(msg)
    return value


Contact = Annotated[str | None, AfterValidator(check_contact)]


def user_agent(contact: str | None) -> str:
    """``Earful/0.1 (+https://github.com/earful/earful; <contact>)``."""
    if not contact:
        return settings.USER_AGENT
    return f"{settings.EARFUL_AGENT} (+{settings.EARFUL_HOME}; {contact})"


class Politeness(BaseModel):
    """How a crawl treats the sites it visits (the ``[crawler]`` table, typed)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    contact: Contact = None
    """Operator contact (URL or e-mail) added to the User-Agent, as polite crawlers do:
    `Earful/0.1 (+https://github.com/earful/earful; <contact>)`."""
    request_timeout: Annotated[float, Field(gt=0, le=3600)] = settings.DOWNLOAD_TIMEOUT
    """A single request that takes longer than this fails (and may be retried)."""
    concurrency_per_domain: Annotated[int, Field(gt=0, le=64)] = (
        settings.CONCURRENT_REQUESTS_PER_DOMAIN
    )
    """Most requests in flight to one site at a time."""
    download_delay: Annotated[float, Field(ge=0, le=3600)] = settings.DOWNLOAD_DELAY
    """Wait between requests to one site (each randomised 0.5x to 1.5x); AutoThrottle
    lengthens it while a site is slow, never below this."""
    autothrottle_target: Annotated[float, Field(gt=0, le=64)] = (
        settings.AUTOTHROTTLE_TARGET_CONCURRENCY
    )
    """AutoThrottle's target: requests it aims to have in flight to one site on average."""
    retries: Annotated[int, Field(ge=0, le=10)] = settings.RETRY_TIMES
    """Retries of a request that timed out, lost its connection or got a 408, 429 or
    5xx."""
    max_download_size: Annotated[int, Field(ge=1024, le=MAX_DOWNLOAD_SIZE)] = (
        settings.DOWNLOAD_MAXSIZE
    )
    """Largest response body in bytes; a larger one is not downloaded (a 5ch thread
    over it is remembered and skipped until its post count changes)."""
    retry_backoff: Annotated[float, Field(ge=0, le=3600)] = (
        settings.EARFUL_RETRY_BACKOFF
    )
    """Wait before the first retry; doubles each retry (at most 60 s). A 429 or 503
    with `Retry-After` waits that long instead, or is not retried past 60 s."""

    def scrapy_settings(self) -> dict[str, Any]:
        """The Scrapy settings these values stand for."""
        return {
            "USER_AGENT": user_agent(self.contact),
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrency_per_domain,
            "DOWNLOAD_DELAY": self.download_delay,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": self.autothrottle_target,
            "DOWNLOAD_TIMEOUT": self.request_timeout,
            "RETRY_TIMES": self.retries,
            "EARFUL_RETRY_BACKOFF": self.retry_backoff,
            "DOWNLOAD_MAXSIZE": self.max_download_size,
        }
