"""When alerts may go out: quiet hours and digest times in the team's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts.rules import AlertRule


@dataclass(frozen=True)
class DeliveryWindow:
    """Quiet hours ``quiet_start`` to ``quiet_end`` and ``digest_times``, local to ``timezone``.

    Quiet hours may wrap midnight (22:00 to 07:00). Outside them an immediate rule's
    alert goes out at once; inside, it is held until the next digest time (or the
    end of the quiet hours when there are no digest times) unless the rule is
    urgent. A digest rule's alerts are always held for the next digest.
    """

    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_times: tuple[time, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        """The team's time zone."""
        return ZoneInfo(self.timezone)

    def is_quiet(self, now: datetime) -> bool:
        """True when ``now`` falls inside the quiet hours."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        local = now.astimezone(self.zone).time().replace(tzinfo=None)
        start, end = self.quiet_start, self.quiet_end
        if start <= end:
            return start <= local < end
        return local >= start or local < end

    def next_at(self, times: Sequence[time], now: datetime) -> datetime | None:
        """The first of the local wall-clock ``times`` after ``now``, in UTC."""
        if not times:
            return None
        local_now = now.astimezone(self.zone)
        candidates = []
        for days in range(3):
            day = local_now.date() + timedelta(days=days)
            for at in times:
                local = datetime.combine(day, at, tzinfo=self.zone)
                if local > local_now:
                    candidates.append(local)
        return min(candidates).astimezone(UTC)

    def digest_period(self, now: datetime) -> tuple[datetime, datetime]:
        """The period a digest sent at ``now`` covers: since the previous digest time."""
        local_now = now.astimezone(self.zone)
        earlier = [
            datetime.combine(
                local_now.date() - timedelta(days=days), at, tzinfo=self.zone
            )
            for days in range(2)
            for at in self.digest_times
        ]
        before = [t for t in earlier if t < local_now - timedelta(minutes=1)]
        start = max(before).astimezone(UTC) if before else now - timedelta(days=1)
        return start, now

    def next_digest(self, now: datetime) -> datetime | None:
        """When the next digest goes out, or None when no digest times are set."""
        return self.next_at(self.digest_times, now)

    def hold_until(self, rule: AlertRule, now: datetime) -> datetime | None:
        """When an alert of ``rule`` queued at ``now`` may go out (None: at once)."""
        if rule.urgent:
            return None
        if rule.mode == "digest":
            return self.next_digest(now) or now
        if not self.is_quiet(now):
            return None
        quiet_end = self.quiet_end
        fallback = self.next_at([quiet_end] if quiet_end else [], now)
        return self.next_digest(now) or fallback
