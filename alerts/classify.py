"""Turn Slack's answers and network failures into the right ``DeliveryError``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.client import HTTPException
from typing import Any

from slack_sdk.web import SlackResponse

from alerts.errors import (
    DeliveryError,
    PermanentDeliveryError,
    SlackAuthError,
    SlackChannelError,
    SlackConfigError,
    TransientDeliveryError,
)

TOKEN_HINT = "set SLACK_BOT_TOKEN to a valid xoxb- token"  # noqa: S105 - a hint, no secret
INVITE_HINT = "invite the bot with /invite @earful"

# The token is wrong, revoked or belongs to a deactivated user/workspace.
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# The token is fine but the app is not allowed to post: fix the app's setup.
CONFIG_ERRORS = frozenset({"missing_scope", "no_permission", "restricted_action"})
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# Slack's own trouble or rate limiting: worth another try later.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# Incoming-webhook answers (plain-text bodies) that mean the hook itself is broken.
WEBHOOK_CONFIG_ERRORS = frozenset(
    {
        "no_service",
        "no_team",
        "team_disabled",
        "invalid_token",
        "action_prohibited",
        "channel_not_found",
        "channel_is_archived",
        "user_not_found",
    }
)


def error_code(body: Mapping[str, Any] | Any, status: int) -> str:
    """Slack's error code from a response body, or ``http_<status>`` when it has none."""
    code = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(code, str) and _CODE.match(code):
        return code
    return f"http_{status}"


def api_error(
    response: SlackResponse | Mapping[str, Any], channel: str
) -> DeliveryError:
    """The error for a failed Web API call to post in ``channel``."""
    body: Any
    if isinstance(response, SlackResponse):
        status, body = response.status_code, response.data
    else:  # slack-sdk passes a plain dict for an unparseable body
        status, body = int(response.get("status", 0)), response.get("body")
    code = error_code(body, status)
    if code in AUTH_ERRORS:
        return SlackAuthError(
            f"Slack rejected the bot token ({code}): {TOKEN_HINT}", code=code
        )
    if code in CONFIG_ERRORS:
        needed = body.get("needed") if isinstance(body, Mapping) else None
        scope = (
            f" (needs {needed})"
            if isinstance(needed, str) and _CODE.match(needed.replace(":", "_"))
            else ""
        )
        msg = (
            f"Slack refused to let the bot post ({code}){scope}: give the Slack app "
            "the chat:write scope and reinstall it to the workspace"
        )
        return SlackConfigError(msg, code=code)
    if code in CHANNEL_ERRORS:
        return SlackChannelError(
            _channel_message(code, channel), code=code, channel=channel
        )
    if code in TRANSIENT_ERRORS or status == 429 or status >= 500:  # noqa: PLR2004
        return TransientDeliveryError(
            f"Slack is unavailable for now ({code}); will retry", code=code
        )
    return PermanentDeliveryError(
        f"Slack refused the alert for {channel} ({code})", code=code
    )


def _channel_message(code: str, channel: str) -> str:
    if code == "channel_not_found":
        return (
            f"Slack channel {channel} was not found (channel_not_found): check the "
            f"rule's channel name; for a private channel, {INVITE_HINT}"
        )
    if code == "not_in_channel":
        return f"the bot is not a member of Slack channel {channel} (not_in_channel): {INVITE_HINT}"
    return (
        f"Slack channel {channel} is archived (is_archived): unarchive it or "
        "point the alert rule at another channel"
    )


def webhook_error(status: int, body: str) -> DeliveryError:
    """The error for an incoming webhook that did not answer ``200 ok``."""
    text = body.strip()
    code = text if _CODE.match(text) else f"http_{status}"
    if status == 429 or status >= 500:  # noqa: PLR2004
        return TransientDeliveryError(
            f"Slack webhook is unavailable for now ({code}); will retry", code=code
        )
    if code in WEBHOOK_CONFIG_ERRORS or status in {401, 403, 404, 410}:
        msg = (
            f"Slack rejected the incoming webhook ({code}): set SLACK_WEBHOOK_URL to an "
            "active webhook URL, or use a bot token instead"
        )
        return SlackAuthError(msg, code=code)
    return PermanentDeliveryError(
        f"Slack webhook refused the alert ({code})", code=code
    )


def network_error(exc: OSError | HTTPException) -> TransientDeliveryError:
    """A connection failure; the message names the failure, never the URL."""
    reason = getattr(exc, "reason", None) or exc.__class__.__name__
    if not isinstance(reason, str):
        reason = (
            reason.__class__.__name__
            if isinstance(reason, BaseException)
            else str(reason)
        )
    msg = f"could not reach Slack ({reason}); will retry"
    return TransientDeliveryError(msg, code="network_error")
