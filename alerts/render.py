"""Render an alert as a Slack Block Kit message, with untrusted text made inert."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from alerts.errors import AlertError
from alerts.why import because, headline
from storage.models import Alert, Mention, SentimentResult
from storage.precision import shown_date
from storage.ratings import stars_text

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_PLAIN_TEXT = 150
MAX_URL = 3000
MAX_FALLBACK = 300
ELLIPSIS = "…"
# Button action ids; the Socket Mode listener (alerts.listen) answers both.
OPEN_ACTION = "open_mention"
HANDLE_ACTION = "earful_handle"  # resolves the case ("Mark handled" before 0010)
TAKE_ACTION = "earful_take"
ASSIGN_ACTION = "earful_assign"  # a users_select; the alert id is in its block_id
REPLIED_ACTION = "earful_replied"
REOPEN_ACTION = "earful_reopen"
DRAFT_ACTION = "earful_draft"
CASE_BLOCK = "earful_case_"  # + alert id: the actions block of the workflow

# C0/C1 control characters except tab and newline, DEL, and bidi overrides.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# ANSI/VT escape sequences (CSI, OSC, two-character); a stranger's text may carry them.
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_BLANK_RUN = re.compile(r"\n{3,}")
# Characters that never appear in a well-formed URL and could break out of markup.
_URL_BAD = re.compile('[\x00-\x20\x7f<>|"]')
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,30}")
STATE_ICONS = {
    "new": ":new:",
    "in_progress": ":hourglass_flowing_sand:",
    "replied": ":speech_balloon:",
    "resolved": ":white_check_mark:",
}


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """What goes to Slack: the channel, the fallback ``text`` and the Block Kit blocks."""

    channel: str
    text: str
    blocks: tuple[dict[str, Any], ...]


def escape_mrkdwn(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Slack shows them instead of parsing them.

    This makes ``<!channel>``, ``<@U123>`` and ``<https://evil|trusted>`` in a
    stranger's text render as plain characters instead of pinging or linking.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_controls(text: str) -> str:
    """``text`` without ANSI escapes, control characters (but tab, newline) or bidi overrides."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def clean_text(text: str) -> str:
    """Drop escapes, control and bidi-override characters; keep tabs and newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BLANK_RUN.sub("\n\n", strip_controls(text)).strip()


def fit(raw: str, limit: int, transform: Callable[[str], str] = escape_mrkdwn) -> str:
    """``transform(raw)`` cut to at most ``limit`` characters, ending in "…" if cut.

    The raw text is truncated first and transformed after, so an escape such as
    ``&amp;`` is never split; the longest prefix that fits is found by bisection.
    """
    whole = transform(raw)
    if len(whole) <= limit:
        return whole
    low, high = 0, len(raw)
    while low < high:
        mid = (low + high + 1) // 2
        if len(transform(raw[:mid].rstrip()) + ELLIPSIS) <= limit:
            low = mid
        else:
            high = mid - 1
    return transform(raw[:low].rstrip()) + ELLIPSIS


def quote(text: str) -> str:
    """Escaped mrkdwn block quote: every line prefixed with ``>``."""
    return "\n".join(">" + line for line in escape_mrkdwn(text).split("\n"))


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL Slack accepts in a button, else None."""
    if not url or len(url) > MAX_URL or _URL_BAD.search(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def latest_sentiment(mention: Mention) -> SentimentResult | None:
    """The most recently scored sentiment result of ``mention``, if any."""
    return max(mention.sentiments, key=lambda s: s.scored_at, default=None)


def reach(mention: Mention) -> str | None:
    """Score, comments and followers when known: ``12 points · 4 comments``."""
    parts = [
        f"{n:,} {label}"
        for n, label in (
            (mention.score, "points"),
            (mention.comments, "comments"),
            (mention.followers, "followers"),
        )
        if n is not None
    ]
    return " · ".join(parts) or None


def published(mention: Mention) -> tuple[str, int | None] | None:
    """Publication as UTC text and epoch seconds, when known.

    A date the source gave only to the day, month or year is shown as that
    ("2026-10") and has no epoch: Slack would show the reader a time it lacks.
    """
    if mention.published_at is None:
        return None
    when = mention.published_at
    if mention.published_precision:
        return shown_date(when, mention.published_precision), None
    return when.strftime("%Y-%m-%d %H:%M UTC"), int(when.timestamp())


def brands_of(mention: Mention) -> str:
    """The brands a mention names, non-competitors first."""
    ordered = sorted(mention.matches, key=lambda m: (m.competitor, m.brand))
    return ", ".join(m.brand for m in ordered) or "watched brand"


def source_line(mention: Mention) -> str:
    """Raw ``source · site`` text (untrusted: escape before use)."""
    site = clean_text(mention.site_name or "")
    return f"{mention.source} · {site}" if site else mention.source


def mention_of(alert: Alert) -> Mention:
    """The mention a mention alert is about (spike and digest alerts have none)."""
    if alert.mention is None:
        msg = f"alert {alert.id} ({alert.kind}) is not about a single mention"
        raise AlertError(msg)
    return alert.mention


def sentiment_line(alert: Alert, negative: float | None) -> str:
    """``negative (92%)``, from ``negative`` or the mention's latest score.

    A rated review's verdict says where it came from (``storage.ratings``): its
    stars, ``negative (from the stars; text 12% negative)``, or its text,
    ``negative (92%, from the text)``.
    """
    if negative is not None:
        return f"negative ({negative:.0%})"
    mention = mention_of(alert)
    result = latest_sentiment(mention)
    if result is None:
        return "not scored"
    if result.label_source == "stars":
        return f"{result.label} (from the stars; text {result.negative:.0%} negative)"
    origin = "" if mention.rating is None else ", from the text"
    if result.label == "negative":
        return f"negative ({result.negative:.0%}{origin})"
    return f"{result.label} ({result.negative:.0%} negative{origin})"


def about_line(mention: Mention) -> str | None:
    """What the mention is about, complaints first: ``delivery, price (positive)``.

    The aspects its latest sentiment model found (``mention_aspects``); an
    aspect the clause scored other than negative says so. None without any.
    """
    result = latest_sentiment(mention)
    if result is None:
        return None
    found = [a for a in mention.aspects if a.model_id == result.model_id]
    found.sort(key=lambda a: a.label != "negative")  # stable: detection order
    # one row per brand the mention names: each aspect once
    parts = dict.fromkeys(
        a.aspect if a.label == "negative" else f"{a.aspect} ({a.label})" for a in found
    )
    return fit(clean_text(", ".join(parts)), 300) if parts else None


def why_of(alert: Alert) -> dict[str, Any] | None:
    """What fired the alert, as queued (``alerts.why``); None for older alerts."""
    why = (alert.payload or {}).get("why")
    return why if isinstance(why, dict) else None


def _field(title: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{title}*\n{value}"}


def _fields(alert: Alert, negative: float | None) -> list[dict[str, str]]:
    mention = mention_of(alert)
    fields = [
        _field("Source", fit(source_line(mention), 300)),
        _field("Sentiment", sentiment_line(alert, negative)),
    ]
    if (why := because(why_of(alert))) is not None:
        fields.append(_field("Why", fit(why, 300)))
    if (about := about_line(mention)) is not None:
        fields.append(_field("About", about))
    if mention.rating is not None:
        fields.append(_field("Rating", stars_text(mention.rating, mention.rating_best)))
    if mention.author:
        fields.append(_field("Author", fit(clean_text(mention.author), 200)))
    if (people := reach(mention)) is not None:
        fields.append(_field("Reach", people))
    if (when := published(mention)) is not None:
        utc, epoch = when
        if epoch is None:
            fields.append(_field("Published", utc))
        else:
            token = f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{utc}>"
            fields.append(_field("Published", f"{utc} ({token})"))
    return fields


def _section_text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _body(mention: Mention) -> str:
    title = clean_text(mention.title or "")
    head = f"*{fit(title, 300)}*\n" if title else ""
    excerpt = clean_text(mention.text) or "(no text)"
    return head + fit(excerpt, MAX_SECTION_TEXT - len(head), quote)


def _reply(mention: Mention) -> str:
    """The public answer under the post (a developer reply): it was answered."""
    when = (
        f" at {mention.replied_at.strftime('%Y-%m-%d %H:%M UTC')}"
        if mention.replied_at
        else ""
    )
    head = f":speech_balloon: *Answered by the developer{when}*\n"
    reply = clean_text(mention.reply_text or "")
    return head + fit(reply, MAX_SECTION_TEXT - len(head), quote)


def _answered_by_brand(mention: Mention) -> str | None:
    """The line for a case the brand answered in its thread before the alert went out."""
    case = mention.case
    if case is None or case.state.value != "replied" or case.replied_at is None:
        return None
    if case.alerted_at is not None and case.replied_at > case.alerted_at:
        return None  # answered after the alert: the case line says so
    when = case.replied_at.strftime("%Y-%m-%d %H:%M UTC")
    return f":speech_balloon: *Answered by the brand at {when}* in its thread"


def _buttons(
    alert: Alert, mention: Mention, handle_button: bool
) -> list[dict[str, Any]]:
    """The "Open mention" link (safe URLs only) and the case's controls."""
    buttons: list[dict[str, Any]] = []
    if (url := safe_url(mention.url)) is not None:
        buttons.append(
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open mention"},
                "url": url,
                "action_id": OPEN_ACTION,
            }
        )
    if handle_button:
        buttons.extend(case_buttons(alert, mention))
    return buttons


def _button(text: str, action_id: str, alert: Alert, **extra: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        **extra,
        "value": str(alert.id),
        "action_id": action_id,
    }


def case_buttons(alert: Alert, mention: Mention) -> list[dict[str, Any]]:
    """The workflow's controls for the case's state: take, assign, reply, resolve.

    "Take it" while nobody owns it; a user select to assign (showing the owner
    when Slack knows them); "Draft reply" and "Replied" until replied;
    "Resolved" until resolved, then "Reopen".
    """
    case = mention.case
    if case is not None:
        state = case.state.value
    else:  # handled before cases existed: that was resolving it
        state = "resolved" if mention.handled_at is not None else "new"
    owner_id = case.owner_slack_id if case is not None else None
    controls: list[dict[str, Any]] = []
    if state != "resolved" and (case is None or case.owner is None):
        controls.append(_button("Take it", TAKE_ACTION, alert, style="primary"))
    select: dict[str, Any] = {
        "type": "users_select",
        "placeholder": {"type": "plain_text", "text": "Assign to…"},
        "action_id": ASSIGN_ACTION,
    }
    if owner_id and SLACK_USER.fullmatch(owner_id):
        select["initial_user"] = owner_id
    controls.append(select)
    if state in {"new", "in_progress"}:
        controls.append(_button("Draft reply", DRAFT_ACTION, alert))
        controls.append(_button("Replied", REPLIED_ACTION, alert))
    if state == "resolved":
        controls.append(_button("Reopen", REOPEN_ACTION, alert))
    else:
        controls.append(_button("Resolved", HANDLE_ACTION, alert))
    return controls


def case_line(mention: Mention) -> str | None:
    """``:hourglass…: *in progress* · owner <@U…> · since …``, or the handled line."""
    case = mention.case
    if case is None:
        if mention.handled_at is None:
            return None
        who = fit(clean_text(mention.handled_by or "someone"), 100)
        when = mention.handled_at.strftime("%Y-%m-%d %H:%M UTC")
        return f":white_check_mark: Handled by {who} at {when}"
    if case.owner_slack_id and SLACK_USER.fullmatch(case.owner_slack_id):
        owner = f"<@{case.owner_slack_id}>"
    elif case.owner:
        owner = fit(clean_text(case.owner), 100)
    else:
        owner = "nobody yet"
    icon = STATE_ICONS[case.state.value]
    label = case.state.value.replace("_", " ")
    when = case.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{icon} *{label}* · owner {owner} · since {when}"


def render(
    alert: Alert, *, negative: float | None = None, handle_button: bool = False
) -> SlackMessage:
    """The Slack message for ``alert``; ``alert.mention`` and its matches must load.

    ``negative`` is the probability to show; when None, the mention's most
    recently scored ``SentimentResult`` is used. Every piece of mention text
    (title, body, author, site name, who handled it) is escaped and cut to
    Slack's limits; a developer's reply under the post is shown, quoted, as the
    answer it is. ``handle_button`` adds the case's controls (take,
    assign, replied, resolved; their value is the alert id) and a line shows
    its state and owner: only for a Slack app whose Socket Mode listener runs,
    or the buttons do nothing.
    """
    mention = mention_of(alert)
    brands = brands_of(mention)
    title = headline(why_of(alert), brands)
    header = fit(title, MAX_PLAIN_TEXT, str)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        {"type": "section", "fields": _fields(alert, negative)},
        {"type": "section", "text": {"type": "mrkdwn", "text": _body(mention)}},
    ]
    if mention.reply_text:
        blocks.append(_section_text(_reply(mention)))
    elif (answered := _answered_by_brand(mention)) is not None:
        blocks.append(_section_text(answered))
    if buttons := _buttons(alert, mention, handle_button):
        actions: dict[str, Any] = {"type": "actions", "elements": buttons}
        if handle_button:  # the listener finds the alert of a user select here
            actions["block_id"] = f"{CASE_BLOCK}{alert.id}"
        blocks.append(actions)
    if (line := case_line(mention)) is not None:
        blocks.append(_section_text(line))
    case = f"case {mention.id}" if mention.id is not None else None
    context = fit(" · ".join(filter(None, (case, f"rule {alert.rule}", "Earful"))), 300)
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}
    )
    gist = clean_text(mention.title or mention.text).replace("\n", " ")
    text = fit(
        f"{title} on {source_line(mention)}{f' ({case})' if case else ''}: {gist}",
        MAX_FALLBACK,
    )
    return SlackMessage(
        channel=alert.channel, text=text, blocks=tuple(blocks[:MAX_BLOCKS])
    )
