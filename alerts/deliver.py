"""Deliver rendered alerts: Slack Web API (slack-sdk), incoming webhook, or console."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Protocol, TextIO, runtime_checkable

from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, RetryIntervalCalculator
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)

from alerts.classify import api_error, network_error, webhook_error
from alerts.errors import SlackChannelError, TransientDeliveryError
from alerts.pace import PACER, ChannelPacer
from alerts.render import (
    SlackMessage,
    brands_of,
    clean_text,
    mention_of,
    published,
    reach,
    safe_url,
    sentiment_line,
    source_line,
    strip_controls,
)
from storage.models import Alert
from storage.ratings import stars_text

log = logging.getLogger(__name__)

METADATA_EVENT = "earful_alert"
HISTORY_PAGES = 5
LIST_PAGE = 1000  # conversations.list's largest page
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")

# slack-sdk's webhook client logs its URL (a secret) at DEBUG and on retries at
# INFO; give it a logger of its own that only passes warnings and above.
_webhook_sdk_log = logging.getLogger("alerts.deliver.webhook_sdk")
_webhook_sdk_log.setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message landed: Slack's channel ID and ``ts``, or None when unknown."""

    channel: str | None = None
    ts: str | None = None


class Deliverer(Protocol):
    """Sends one rendered alert; raises a ``DeliveryError`` subclass when it cannot."""

    def deliver(self, alert: Alert, message: SlackMessage) -> Delivery:
        """Send ``message`` (rendered from ``alert``) and say where it landed."""
        ...


def _retry_handlers(
    rate_limit_retries: int,
    server_error_retries: int,
    interval: RetryIntervalCalculator | None,
) -> list[Any]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ServerErrorRetryHandler(
            max_retry_count=server_error_retries,
            interval_calculator=interval or BackoffRetryIntervalCalculator(),
        ),
    ]


@runtime_checkable
class Recoverer(Protocol):
    """A deliverer that can find a message an earlier, interrupted attempt posted."""

    def find(self, alert: Alert, channel: str) -> Delivery | None:
        """The message carrying ``alert.key`` in ``channel``, if Slack has one."""
        ...


def metadata_key(message: dict[str, Any]) -> str | None:
    """The alert key in a Slack message's Earful metadata, if it has any."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return key if isinstance(key, str) else None


class SlackDeliverer:
    """Post with ``chat.postMessage`` as the bot; retries 429 (Retry-After) and 5xx.

    Each message carries the alert's key in its metadata, so ``find`` can tell
    after a crash whether Slack already has it. A post is never resent blindly:
    slack-sdk retries it only on 429 (Slack stores nothing then); after a 5xx
    or a dropped connection, which Slack may answer after storing the message,
    the channel's history is searched for the key before each new try. Channel
    names resolve to IDs once through ``conversations.list`` (the history API
    takes IDs only) and stay cached. Posts to one channel are paced by
    ``pacer`` (one per second by default, shared by the whole process).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        timeout: int = 30,
        rate_limit_retries: int = 2,
        server_error_retries: int = 2,
        retry_interval: RetryIntervalCalculator | None = None,
        pacer: ChannelPacer = PACER,
    ) -> None:
        self.pacer = pacer
        self.base_url = base_url or WebClient.BASE_URL
        self.channel_ids: dict[str, str] = {}
        self._server_error_retries = server_error_retries
        self._interval = retry_interval or BackoffRetryIntervalCalculator()
        # Reads and chat.update are safe to repeat: the SDK retries them itself.
        self._client = WebClient(token=token, base_url=self.base_url, timeout=timeout)
        self._client.retry_handlers.extend(
            _retry_handlers(rate_limit_retries, server_error_retries, retry_interval)
        )
        # Posts are not: only 429 (nothing stored) is retried inside the SDK.
        self._poster = WebClient(
            token=token,
            base_url=self.base_url,
            timeout=timeout,
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)
            ],
        )

    def __repr__(self) -> str:
        return f"SlackDeliverer(base_url={self.base_url!r})"

    def deliver(self, alert: Alert, message: SlackMessage) -> Delivery:
        """Post ``message`` to its channel (in ``alert.thread_ts``'s thread if set).

        After a 5xx or a dropped connection it looks for the message by its key
        before posting again, up to ``server_error_retries`` more times.
        """
        last = self._server_error_retries
        for attempt in range(last + 1):
            try:
                return self._post(alert, message)
            except TransientDeliveryError as exc:
                stored_maybe = exc.code not in {"ratelimited", "rate_limited"}
                if not (stored_maybe and alert.key) or attempt == last:
                    raise
            time.sleep(self._interval.calculate_sleep_duration(attempt))
            # If this check fails too, its error ends the call: the outbox runs
            # the check again before its next attempt, never a blind post.
            found = self.find(alert, message.channel)
            if found is not None:
                log.info("alert %s was stored despite the error: adopted", alert.id)
                return found
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def resolve(self, channel: str) -> str:
        """The conversation ID of ``channel`` (``#name``, ``name`` or an ID), cached.

        Reads ``conversations.list`` (public and private channels the bot can
        see; public only without the ``groups:read`` scope), page by page.
        """
        if CHANNEL_ID.match(channel):
            return channel
        name = channel.removeprefix("#")
        if name not in self.channel_ids:
            try:
                self._list_channels("public_channel,private_channel", name)
            except SlackApiError as exc:
                if exc.response.get("error") != "missing_scope":
                    raise api_error(exc.response, channel) from None
                self._list_channels("public_channel", name)
        if name not in self.channel_ids:
            msg = (
                f"Slack channel {channel} not found: check [[alerts]] channel, or "
                "use the channel's ID"
            )
            raise SlackChannelError(msg, code="channel_not_found", channel=channel)
        return self.channel_ids[name]

    def _list_channels(self, types: str, wanted: str) -> None:
        cursor: str | None = None
        try:
            while True:
                response = self._client.conversations_list(
                    types=types, limit=LIST_PAGE, cursor=cursor
                )
                for found in response.get("channels") or []:
                    self.channel_ids[str(found["name"])] = str(found["id"])
                meta = response.get("response_metadata") or {}
                cursor = meta.get("next_cursor") or None
                if wanted in self.channel_ids or not cursor:
                    return
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None

    def _post(self, alert: Alert, message: SlackMessage) -> Delivery:
        extra: dict[str, Any] = {}
        if alert.thread_ts:
            extra["thread_ts"] = alert.thread_ts
        if alert.key:
            extra["metadata"] = {
                "event_type": METADATA_EVENT,
                "event_payload": {"key": alert.key},
            }
        self.pacer.wait(message.channel)
        try:
            response = self._poster.chat_postMessage(
                channel=message.channel,
                text=message.text,
                blocks=list(message.blocks),
                unfurl_links=False,
                unfurl_media=False,
                **extra,
            )
        except SlackApiError as exc:
            raise api_error(exc.response, message.channel) from None
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None
        return Delivery(channel=str(response["channel"]), ts=str(response["ts"]))

    def find(self, alert: Alert, channel: str) -> Delivery | None:
        """Look through ``channel``'s recent messages (or the alert's thread) for its key.

        A ``#name`` is resolved to its ID first (Slack's history API wants one);
        only messages since the alert was created are read, a few pages at most.
        """
        oldest = f"{alert.created_at.timestamp() - 60:.6f}"
        cursor: str | None = None
        try:
            channel = self.resolve(channel)
            for _page in range(HISTORY_PAGES):
                if alert.thread_ts:
                    response = self._client.conversations_replies(
                        channel=channel, ts=alert.thread_ts, oldest=oldest,
                        include_all_metadata=True, limit=200, cursor=cursor,
                    )  # fmt: skip
                else:
                    response = self._client.conversations_history(
                        channel=channel, oldest=oldest, include_all_metadata=True,
                        limit=200, cursor=cursor,
                    )  # fmt: skip
                for message in response.get("messages") or []:
                    if alert.key and metadata_key(message) == alert.key:
                        return Delivery(channel=channel, ts=str(message["ts"]))
                meta = response.get("response_metadata") or {}
                cursor = meta.get("next_cursor") or None
                if not response.get("has_more") or not cursor:
                    return None
        except SlackApiError as exc:
            raise api_error(exc.response, channel) from None
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None
        return None

    def update(self, channel: str, ts: str, message: SlackMessage) -> None:
        """Replace the message at ``ts`` in ``channel`` with ``message``."""
        try:
            self._client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=list(message.blocks)
            )
        except SlackApiError as exc:
            raise api_error(exc.response, channel) from None
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None


class WebhookDeliverer:
    """Post to an incoming webhook; the URL is a secret and is never shown."""

    def __init__(
        self,
        url: str,
        *,
        timeout: int = 30,
        rate_limit_retries: int = 2,
        server_error_retries: int = 2,
        retry_interval: RetryIntervalCalculator | None = None,
        pacer: ChannelPacer = PACER,
    ) -> None:
        self.pacer = pacer
        self._client = WebhookClient(url, timeout=timeout, logger=_webhook_sdk_log)
        self._client.retry_handlers.extend(
            _retry_handlers(rate_limit_retries, server_error_retries, retry_interval)
        )

    def __repr__(self) -> str:
        return "WebhookDeliverer(url='***')"

    def deliver(self, alert: Alert, message: SlackMessage) -> Delivery:
        """Send ``message`` to the webhook's own channel; it answers ``200 ok``.

        A webhook cannot post in threads or be searched: replies become separate
        messages, and a crash right after Slack accepted one may repeat it.
        """
        self.pacer.wait("webhook")
        try:
            response = self._client.send(
                text=message.text,
                blocks=list(message.blocks),
                unfurl_links=False,
                unfurl_media=False,
            )
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None
        if response.status_code != 200:  # noqa: PLR2004 - HTTP OK
            raise webhook_error(response.status_code, response.body)
        return Delivery()


def terminal_safe(text: str) -> str:
    """``text`` without ANSI escape sequences, control or bidi-override characters."""
    return strip_controls(text)


class ConsoleDeliverer:
    """Write a plain-text alert to ``stream``: the fallback when Slack is not set up."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def deliver(self, alert: Alert, message: SlackMessage) -> Delivery:
        """Write a readable, terminal-safe rendering of ``alert``."""
        if alert.mention is None:  # a spike or digest: its message's own text
            self._write([f"=== {message.text} → {alert.channel}", *_texts(message)])
            return Delivery()
        mention = mention_of(alert)
        lines = [
            f"=== Negative mention of {brands_of(mention)} → {alert.channel}",
            f"source:    {source_line(mention)}",
            f"sentiment: {sentiment_line(alert, None)}",
        ]
        if mention.rating is not None:
            lines.append(
                f"rating:    {stars_text(mention.rating, mention.rating_best)}"
            )
        if mention.author:
            lines.append(f"author:    {mention.author}")
        if (people := reach(mention)) is not None:
            lines.append(f"reach:     {people}")
        if (when := published(mention)) is not None:
            lines.append(f"published: {when[0]}")
        if mention.title:
            lines.append(f"title:     {mention.title}")
        lines.extend("  | " + line for line in clean_text(mention.text).split("\n"))
        if (url := safe_url(mention.url)) is not None:
            lines.append(f"link:      {url}")
        self._write(lines)
        return Delivery()

    def _write(self, lines: list[str]) -> None:
        safe = [terminal_safe(line.replace("\n", " ")) for line in lines]
        self.stream.write("\n".join(safe) + "\n\n")
        self.stream.flush()


def _texts(message: SlackMessage) -> list[str]:
    """Every section's text of ``message``, line by line."""
    texts = [
        str(block["text"]["text"])
        for block in message.blocks
        if block.get("type") == "section" and "text" in block
    ]
    return [line for text in texts for line in text.split("\n")]


def make_deliverer(
    *,
    token: str | None,
    webhook_url: str | None,
    base_url: str | None = None,
    stream: TextIO,
) -> Deliverer:
    """Slack Web API with a bot token, else the webhook, else the console."""
    if token:
        return SlackDeliverer(token, base_url=base_url)
    if webhook_url:
        return WebhookDeliverer(webhook_url)
    log.info("no Slack token or webhook configured: alerts go to the console")
    return ConsoleDeliverer(stream)
