"""Alert rules, the alert outbox, Slack rendering (Block Kit) and delivery."""

from alerts.deliver import (
    ConsoleDeliverer,
    Deliverer,
    Delivery,
    SlackDeliverer,
    WebhookDeliverer,
    make_deliverer,
    terminal_safe,
)
from alerts.errors import (
    AlertError,
    DeliveryError,
    PermanentDeliveryError,
    RuleError,
    SlackAuthError,
    SlackChannelError,
    SlackConfigError,
    TransientDeliveryError,
)
from alerts.outbox import DeliveryReport, deliver_pending, enqueue, retry_failed
from alerts.render import SlackMessage, escape_mrkdwn, render
from alerts.rules import AlertRule

__all__ = [
    "AlertError",
    "AlertRule",
    "ConsoleDeliverer",
    "Deliverer",
    "Delivery",
    "DeliveryError",
    "DeliveryReport",
    "PermanentDeliveryError",
    "RuleError",
    "SlackAuthError",
    "SlackChannelError",
    "SlackConfigError",
    "SlackDeliverer",
    "SlackMessage",
    "TransientDeliveryError",
    "WebhookDeliverer",
    "deliver_pending",
    "enqueue",
    "escape_mrkdwn",
    "make_deliverer",
    "render",
    "retry_failed",
    "terminal_safe",
]
