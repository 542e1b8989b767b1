"""Errors raised while turning stored mentions into Slack alerts.

Hierarchy::

    AlertError                      base class for everything in ``alerts``
    ├── RuleError                   an alert rule is malformed (bad channel, threshold)
    ├── SocketModeError             the "Mark handled" listener cannot start: a token
    │                               was rejected or is not an app-level token
    └── DeliveryError               one send failed; ``code`` is Slack's error code
        ├── TransientDeliveryError  network, 5xx, rate limited: retry on a later run
        ├── PermanentDeliveryError  Slack refused this alert for good: mark it failed
        │   └── SlackChannelError   channel_not_found, not_in_channel, is_archived
        └── SlackConfigError        an operator problem (credentials, scopes, webhook);
            │                       stop the run and keep every alert pending
            └── SlackAuthError      invalid_auth, not_authed, token_revoked, ...

Messages say what failed and how to fix it, and never contain a secret: not the
bot token, not the app-level token, not the webhook URL. ``code`` is safe to
store in ``alerts.last_error``.
"""

from __future__ import annotations


class AlertError(Exception):
    """Base class of every error the ``alerts`` package raises."""


class RuleError(AlertError, ValueError):
    """An alert rule is malformed; the message names the rule and the field."""


class SocketModeError(AlertError):
    """The Socket Mode listener cannot run until the operator fixes a token."""


class DeliveryError(AlertError):
    """Sending one alert failed.

    ``code`` is Slack's machine-readable error (``invalid_auth``, ``ratelimited``)
    or one of ours (``network_error``, ``http_503``); it never holds a secret.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Slack or the network failed for now; the alert stays pending and is retried."""


class PermanentDeliveryError(DeliveryError):
    """Slack refused this alert and will refuse it again; the alert is marked failed."""


class SlackChannelError(PermanentDeliveryError):
    """The rule's channel does not exist, is archived, or the bot is not in it."""

    def __init__(self, message: str, *, code: str, channel: str) -> None:
        super().__init__(message, code=code)
        self.channel = channel


class SlackConfigError(DeliveryError):
    """Earful's Slack setup is wrong; no alert can go out until the operator fixes it.

    The alerts themselves are fine: they stay pending and go out on the first run
    after the fix, so a delivery loop stops at the first of these.
    """


class SlackAuthError(SlackConfigError):
    """Slack rejected the bot token (or the webhook URL was revoked)."""
