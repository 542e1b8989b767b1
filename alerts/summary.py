"""Render spike and digest alerts (Block Kit), and dispatch any alert to its renderer.

Their payloads hold text copied from mentions (titles, sources), so everything
from a payload is escaped and cut to Slack's limits like a mention's text.
"""

from __future__ import annotations

from typing import Any

from alerts.explain import describe
from alerts.render import (
    MAX_BLOCKS,
    MAX_FALLBACK,
    MAX_PLAIN_TEXT,
    MAX_SECTION_TEXT,
    SlackMessage,
    clean_text,
    escape_mrkdwn,
    fit,
    render,
    safe_url,
)
from storage.models import Alert, AlertKind
from storage.response import duration

MAX_EXAMPLES = 5


def _text(value: Any) -> str:
    return clean_text(str(value or "")).replace("\n", " ")


def _item_line(item: dict[str, Any]) -> str:
    """``• <url|title> (source, 92% negative)``, escaped; a bad URL shows no link."""
    title = fit(_text(item.get("title") or item.get("text")) or "(no text)", 200)
    source = fit(_text(item.get("source")), 100)
    details = [source] if source else []
    if item.get("negative") is not None:
        details.append(f"{float(item['negative']):.0%} negative")
    if item.get("reach"):
        details.append(fit(_text(item["reach"]), 100))
    url = safe_url(item.get("url"))
    shown = f"<{url}|{title.replace('|', '¦')}>" if url else title
    suffix = f" ({', '.join(details)})" if details else ""
    return f"• {shown}{suffix}"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _items(items: list[dict[str, Any]]) -> str:
    lines = [_item_line(i) for i in items[:MAX_EXAMPLES]]
    text = "\n".join(lines)
    while len(text) > MAX_SECTION_TEXT and lines:  # drop whole lines, never cut one
        lines.pop()
        text = "\n".join(lines)
    return text or "(none)"


def _context(alert: Alert) -> dict[str, Any]:
    text = fit(f"rule {alert.rule} · alert {alert.id} · Earful", 300)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _updated(p: dict[str, Any]) -> str:
    """A line saying when the count last grew (``alerts.recount``), or nothing."""
    if not p.get("updated"):
        return ""
    when = escape_mrkdwn(_text(p.get("updated")))
    return f"\nCount updated {when} as more of this flood folded in."


def render_incident(alert: Alert) -> SlackMessage:
    """A flood: how many, the top examples, and the command that lists them all."""
    p = alert.payload or {}
    brand = _text(p.get("brand"))
    count = int(p.get("count", 0))
    header = fit(f"Flood of negative mentions of {brand}", MAX_PLAIN_TEXT, str)
    command = fit(
        f"earful mentions --brand '{_text(p.get('brand'))}' --sentiment negative "
        f"--since {_text(p.get('since'))}",
        500,
    )
    summary = (
        f"*{count}* negative mentions at once (more than "
        f"{int(p.get('threshold', 0))} in {int(p.get('window_min', 0))} min), to "
        f"{escape_mrkdwn(_text(p.get('end')))}. They are not posted one by one; "
        f"more of this flood in the next minutes fold in here too. All of them: "
        f"`{escape_mrkdwn(command.replace('`', ''))}`{_updated(p)}"
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        _section(summary),
        _section("*Top examples*\n" + _items(list(p.get("examples") or []))),
        _context(alert),
    ]
    text = fit(f"Flood: {count} negative mentions of {brand} at once", MAX_FALLBACK)
    return SlackMessage(alert.channel, text, tuple(blocks[:MAX_BLOCKS]))


def render_spike(alert: Alert) -> SlackMessage:
    """A spike: the count against the baseline, what changed, and examples."""
    p = alert.payload or {}
    if p.get("incident"):
        return render_incident(alert)
    brand = _text(p.get("brand"))
    count, baseline = int(p.get("count", 0)), float(p.get("baseline", 0.0))
    header = fit(f"Spike in negative mentions of {brand}", MAX_PLAIN_TEXT, str)
    summary = (
        f"*{count}* negative mentions in the hour to {escape_mrkdwn(_text(p.get('end')))}"
        f" — baseline {baseline:.1f} an hour, alert threshold {float(p.get('threshold', 0)):.1f}"
        f"{_updated(p)}"
    )
    why = describe(dict(p.get("why") or {}), _text)
    if why and p.get("updated"):  # the why was read from the spike's first mentions
        why = f"of the first {int(p.get('first_count', 0))}: {why}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        _section(summary),
        *([_section("*What changed:* " + fit(why, 2000))] if why else []),
        _section("*Examples*\n" + _items(list(p.get("examples") or []))),
        _context(alert),
    ]
    gist = f"; {why}" if why else ""
    span = "so far" if p.get("updated") else "in 1 h"
    text = fit(
        f"Negative spike: {count} mentions of {brand} {span} "
        f"(baseline {baseline:.1f}){gist}",
        MAX_FALLBACK,
    )
    return SlackMessage(alert.channel, text, tuple(blocks[:MAX_BLOCKS]))


def _counts(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{fit(_text(k), 80)}: {v}" for k, v in ordered) or "none"


def _share(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{fit(_text(r.get('brand')), 80)}: {int(r.get('mentions', 0))} "
        f"({float(r.get('share', 0.0)):.0%})"
        for r in rows
    ]
    return "\n".join(lines) or "no mentions"


def render_digest(alert: Alert) -> SlackMessage:
    """A digest: counts by sentiment and source, top negative items, share of voice."""
    p = alert.payload or {}
    brand = _text(p.get("brand"))
    period = f"{_text(p.get('start'))} to {_text(p.get('end'))}"
    total = int(p.get("total", 0))
    header = fit(f"Digest for {brand}", MAX_PLAIN_TEXT, str)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        _section(f"*{total}* mentions, {escape_mrkdwn(period)}"),
        _section("*By sentiment*\n" + _counts(dict(p.get("by_sentiment") or {}))),
        _section("*By source*\n" + _counts(dict(p.get("by_source") or {}))),
        _section(
            "*Most-reached negative*\n" + _items(list(p.get("top_negative") or []))
        ),
        _section("*Share of voice*\n" + _share(list(p.get("share_of_voice") or []))),
        *_response_section(p.get("response")),
        _context(alert),
    ]
    text = fit(f"Digest for {brand}: {total} mentions, {period}", MAX_FALLBACK)
    return SlackMessage(alert.channel, text, tuple(blocks[:MAX_BLOCKS]))


def _response_section(response: Any) -> list[dict[str, Any]]:
    """The digest's "Response" section: replied in time, mean wait, oldest open."""
    if not isinstance(response, dict):
        return []
    alerted = int(response.get("alerted", 0))
    in_time = int(response.get("within_target", 0))
    target = duration(float(response.get("target_s") or 0))
    lines = [
        f"*Response* (target {target})",
        f"{in_time} of {alerted} alerted mentions replied within {target}"
        + (f" ({in_time / alerted:.0%})" if alerted else "")
        + f"; mean alert → reply {duration(response.get('alert_to_reply_s'))}",
    ]
    oldest = response.get("oldest_unanswered")
    if isinstance(oldest, dict):
        lines.append(
            f"Oldest unanswered: {fit(_text(oldest.get('title')), 200)} "
            f"({fit(_text(oldest.get('source')), 80)}, "
            f"{escape_mrkdwn(_text(oldest.get('published') or 'date unknown'))})"
        )
    return [_section("\n".join(lines))]


def render_alert(alert: Alert, *, handle_button: bool = False) -> SlackMessage:
    """The Slack message for any alert: a mention, a spike or a digest.

    ``handle_button`` gives a mention alert its "Mark handled" button.
    """
    if alert.kind == AlertKind.SPIKE:
        return render_spike(alert)
    if alert.kind == AlertKind.DIGEST:
        return render_digest(alert)
    return render(alert, handle_button=handle_button)
