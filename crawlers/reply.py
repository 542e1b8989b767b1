"""Post an approved reply on the mention's network, as the brand, exactly once.

Each network's poster (``crawlers.<network>.reply``) does two things: ``post``
a reply to one post, and ``find_posted``, which looks at the brand account's
own recent replies for one to that post carrying the same text. ``send``
always looks first, so a retry after a timeout (the network may have taken
the post and lost the answer) finds the reply instead of posting it twice,
as the Slack outbox does with ``conversations.history``.

``ReplyError`` says whether to try again later (``retry``: a timeout, a rate
limit, the network down) or not (a refused token, a text over the network's
length limit: the approver must shorten it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any, Protocol, cast

from crawlers.errors import CollectorError


class ReplyError(CollectorError):
    """A reply was not posted; ``retry`` when trying again later may work."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class Reply:
    """An approved reply: to which post (its id on the network as stored), what text."""

    network: str
    target: str  # the mention's external id: a status URI, a fullname, an at:// URI
    text: str
    key: str  # stable across retries of one approved reply: an idempotency key
    raw: Mapping[str, Any] = field(default_factory=dict)  # the mention's raw fields


@dataclass(frozen=True, slots=True)
class PostedReply:
    """A reply on the network: its public URL, id there and publication time."""

    url: str
    external_id: str
    at: datetime


class ReplyPoster(Protocol):
    """Posts replies as the brand's account on one network."""

    network: str

    def find_posted(self, reply: Reply) -> PostedReply | None:
        """The brand's reply to ``reply.target`` with ``reply.text``, if it is out."""
        ...

    def post(self, reply: Reply) -> PostedReply:
        """Post ``reply``; ReplyError when the network does not take it."""
        ...


def same_text(posted: str, approved: str) -> bool:
    """Whether a reply read back from a network is the approved text.

    Networks normalise what they store (line ends, surrounding space, Unicode
    composition), so both are compared in NFC with whitespace runs folded.
    """

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return norm(posted) == norm(approved)


def send(poster: ReplyPoster, reply: Reply) -> PostedReply:
    """Post ``reply`` unless the network already has it; the reply either way."""
    return poster.find_posted(reply) or poster.post(reply)


REPLIERS: dict[str, str] = {
    "mastodon": "crawlers.mastodon.reply:replier",
    "bluesky": "crawlers.bluesky.reply:replier",
    "reddit": "crawlers.reddit.reply:replier",
}
"""Each network that can post a reply, and its factory (``"module:attr"``), loaded
on first use like the collectors in :mod:`crawlers.registry`."""


def open_replier(
    network: str, account: Any, secret: Callable[[str], str]
) -> ReplyPoster | None:
    """The poster for ``network``'s brand ``account`` (its settings object), or
    None while one of its secrets is unset. ``secret(name)`` reads a variable."""
    module, _, attr = REPLIERS[network].partition(":")
    factory = getattr(import_module(module), attr)
    return cast("ReplyPoster | None", factory(account, secret))
