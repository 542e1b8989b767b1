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
from alerts.digest import build_digest, enqueue_digests
from alerts.errors import (
    AlertError,
    DeliveryError,
    PermanentDeliveryError,
    RuleError,
    SlackAuthError,
    SlackChannelError,
    SlackConfigError,
    SocketModeError,
    TransientDeliveryError,
)
from alerts.handle import CaseChange, HandleReport, case_number, handle
from alerts.handle import apply as apply_change
from alerts.listen import HandleListener
from alerts.outbox import (
    case_alerts,
    enqueue,
    outbox_rows,
    release_held,
    requeue_failed,
    retime_held,
    retry_failed,
)
from alerts.render import SlackMessage, escape_mrkdwn, render
from alerts.reply import ReplyTemplate
from alerts.rules import AlertRule
from alerts.send import DeliveryReport, SendPolicy, deliver_pending
from alerts.spike import Spike, detect_spike, enqueue_spikes
from alerts.summary import render_alert
from alerts.window import DeliveryWindow

__all__ = [
    "AlertError",
    "AlertRule",
    "CaseChange",
    "ConsoleDeliverer",
    "Deliverer",
    "Delivery",
    "DeliveryError",
    "DeliveryReport",
    "DeliveryWindow",
    "HandleListener",
    "HandleReport",
    "PermanentDeliveryError",
    "ReplyTemplate",
    "RuleError",
    "SendPolicy",
    "SlackAuthError",
    "SlackChannelError",
    "SlackConfigError",
    "SlackDeliverer",
    "SlackMessage",
    "SocketModeError",
    "Spike",
    "TransientDeliveryError",
    "WebhookDeliverer",
    "apply_change",
    "build_digest",
    "case_alerts",
    "case_number",
    "deliver_pending",
    "detect_spike",
    "enqueue",
    "enqueue_digests",
    "enqueue_spikes",
    "escape_mrkdwn",
    "handle",
    "make_deliverer",
    "outbox_rows",
    "release_held",
    "render",
    "render_alert",
    "requeue_failed",
    "retime_held",
    "retry_failed",
    "terminal_safe",
]
