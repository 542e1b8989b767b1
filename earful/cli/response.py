"""``earful stats --response``: response-time KPIs as text, for the terminal."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from alerts.deliver import terminal_safe
from crawlers.collector import parse_duration
from earful.cli.common import load
from earful.cli.tables import fit, pad
from storage import utcnow
from storage.response import duration, response_times, unanswered

DEFAULT_TARGET_S = 7200.0
DEFAULT_DAYS = 30


def response_target(
    config_path: Path, database_url: str | None, target: str | None
) -> float:
    """``--target`` in seconds, else the config's ``[response] target``, else 2 h."""
    if target is not None:
        try:
            value = float(parse_duration(target))
        except (TypeError, ValueError):
            value = 0.0
        if value <= 0:
            msg = f"--target {target!r}: give a duration such as 2h, 30m or 90s"
            raise click.BadParameter(msg)
        return value
    if not config_path.exists():
        return DEFAULT_TARGET_S
    return load(config_path, database_url).response.target


def response_lines(
    session: Session,
    *,
    brand: str | None,
    since: datetime | None,
    until: datetime | None,
    target_s: float,
    top: int,
) -> list[str]:
    """KPI tables per source and source type, then the unanswered, oldest first."""
    since = since or utcnow() - timedelta(days=DEFAULT_DAYS)
    lines = [
        f"alerted since {since:%Y-%m-%d %H:%M} UTC; target {duration(target_s)}",
        "",
    ]
    for by in ("source", "source_type"):
        rows = response_times(
            session, since=since, until=until, by=by, target_s=target_s, brand=brand
        )
        head = (
            f"{pad(by.replace('_', ' '), 20)} {'alerted':>7} {'pub→alert':>9} "
            f"{'→action':>8} {'→reply':>8} {'replied':>7} {'in time':>7}"
        )
        lines.append(head)
        lines.extend(
            f"{pad(terminal_safe(r.key), 20)} {r.alerted:>7} "
            f"{duration(r.publication_to_alert_s):>9} "
            f"{duration(r.alert_to_action_s):>8} {duration(r.alert_to_reply_s):>8} "
            f"{r.replied:>7} {r.share_within_target:>7.0%}"
            for r in rows
        )
        lines.append("" if rows else "(no alerted mentions)\n")
    if top:
        open_cases = unanswered(session, limit=top, brand=brand)
        lines.append("unanswered, oldest first:")
        now = utcnow()
        for u in open_cases:
            age = (
                duration((now - u.published_at).total_seconds())
                if u.published_at
                else "-"
            )
            who = f" ({terminal_safe(u.owner)})" if u.owner else ""
            text = fit(terminal_safe(u.title or u.text), 50)
            lines.append(
                f"  #{u.mention_id} {age} old, {u.state.replace('_', ' ')}{who} "
                f"{terminal_safe(u.source)}: {text}"
            )
        if not open_cases:
            lines.append("  none")
    return lines
