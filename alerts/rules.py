"""Alert rules: which brands' negative mentions go to which Slack channel."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from alerts.errors import RuleError

# A channel name as typed in Slack ("#brand-alerts") or a conversation ID ("C0123ABCD").
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$")


@dataclass(frozen=True)
class AlertRule:
    """Send ``brands``' mentions scored at least ``min_negative`` negative to ``channel``.

    ``channel`` is a Slack channel name with its ``#`` (``"#brand-alerts"``) or a
    conversation ID (``"C0123ABCD"``). ``min_negative`` is the model's probability
    of the *negative* label, between 0 and 1.
    """

    name: str
    brands: tuple[str, ...]
    channel: str
    min_negative: float = 0.7

    def __post_init__(self) -> None:
        if not self.name.strip():
            msg = "alert rule has an empty name: give every rule a name"
            raise RuleError(msg)
        if isinstance(self.brands, str) or not self.brands:
            msg = f"alert rule {self.name!r}: brands must be a non-empty list of names"
            raise RuleError(msg)
        if not _CHANNEL.match(self.channel):
            msg = (
                f"alert rule {self.name!r}: channel {self.channel!r} is not a Slack "
                "channel: use '#name' (lowercase) or a conversation ID like 'C0123ABCD'"
            )
            raise RuleError(msg)
        if not 0.0 <= self.min_negative <= 1.0:
            msg = (
                f"alert rule {self.name!r}: min_negative {self.min_negative} "
                "must be between 0 and 1"
            )
            raise RuleError(msg)


def channels(rules: Iterable[AlertRule]) -> list[str]:
    """The distinct channels ``rules`` send to, in first-seen order."""
    return list(dict.fromkeys(rule.channel for rule in rules))


def check_unique_names(rules: Sequence[AlertRule]) -> None:
    """Refuse two rules with the same name, since alerts record the rule's name."""
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            msg = f"alert rule {rule.name!r} is defined twice: rule names must differ"
            raise RuleError(msg)
        seen.add(rule.name)
