"""``earful stats --aspects`` and ``--compare``: aspects by polarity, brands side by side."""

from __future__ import annotations

import unicodedata

from sqlalchemy.orm import Session

from earful.cli.tables import pad, terminal_safe
from storage.aspects import aspect_counts
from storage.compare import (
    BrandSide,
    compare_brands,
    compare_over_time,
    few,
    few_mentions_note,
)
from storage.stats import Period, Window


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes: wide CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns."""
    return " " * max(width - _columns(text), 1) + text


def aspect_lines(session: Session, w: Window) -> list[str]:
    """Per brand and aspect: mentions about it by polarity, and the negative share."""
    rows = aspect_counts(
        session, w.model_id, (w.brand,) if w.brand else (), w.since, w.until
    )
    head = f"{pad('brand', 16)} {pad('aspect', 14)} {'mentions':>8} {'neg':>6}"
    lines = [head + f" {'neu':>6} {'pos':>6} {'neg %':>6}"]
    lines += [
        f"{pad(terminal_safe(r.brand), 16)} {pad(terminal_safe(r.aspect), 14)} "
        f"{r.total:>8} {r.negative:>6} {r.neutral:>6} {r.positive:>6} "
        f"{r.negative_share:>6.0%}"
        for r in rows
    ]
    if not rows:
        lines.append(
            "no aspects in this period (aspects are found when mentions are scored)"
        )
    return lines


def compare_lines(session: Session, w: Window, period: Period) -> list[str]:
    """Each brand against the others: volume, net, share, negative share per aspect."""
    sides = compare_brands(session, w.model_id, w.since, w.until)
    if not sides:
        return ["no mentions in this period"]
    names = [terminal_safe(s.brand) + (" *" if s.competitor else "") for s in sides]
    width = max(12, *(_columns(n) + 2 for n in names))

    def row(label: str, cells: list[str]) -> str:
        return pad(label, 22) + "".join(_right(c, width) for c in cells)

    lines = [row("", names)]
    lines.append(row("mentions", [str(s.mentions) for s in sides]))
    lines.append(row("net sentiment", [f"{s.net:+.2f}" for s in sides]))
    lines.append(row("share of voice", [f"{s.share:.1%}" for s in sides]))
    aspects = dict.fromkeys(a for s in sides for a in s.aspects)
    for aspect in aspects:
        cells = []
        for s in sides:
            count = s.aspects.get(aspect)
            cells.append(
                f"{count.negative_share:.0%} of {count.total}{_mark(count.total)}"
                if count
                else "-"
            )
        lines.append(row(f"negative: {terminal_safe(aspect)}", cells))
    lines.append(row("answered in public", [_answered(s) for s in sides]))
    lines.append(row("median reply time", [_reply_time(s) for s in sides]))
    lines += [
        "",
        "* competitor; answers in public as the sites show them (e.g. developer replies)",
    ]
    note = few_mentions_note(sides)
    if note is not None:
        lines.append(f"! {terminal_safe(note)}")
    lines.append("")
    by_period: dict[str, dict[str, str]] = {}
    for p in compare_over_time(
        session, w.model_id, period, since=w.since, until=w.until, zone=w.zone
    ):
        by_period.setdefault(p.period, {})[p.brand] = f"{p.mentions} ({p.net:+.2f})"
    lines.append(row(f"{period} ({w.zone})", names))
    lines += [
        row(key, [cells.get(s.brand, "-") for s in sides])
        for key, cells in by_period.items()
    ]
    return lines


def _mark(mentions: int) -> str:
    """``!`` after a share of too few mentions to compare."""
    return "!" if few(mentions) else ""


def _answered(side: BrandSide) -> str:
    if side.replies is None:
        return "-"
    share = side.replies.share(side.mentions)
    return f"{share:.0%} of {side.mentions}{_mark(side.mentions)}"


def _reply_time(side: BrandSide) -> str:
    if side.replies is None:
        return "-"
    hours = side.replies.median_hours
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h"


def breakdown_lines(
    session: Session, window: Window, period: Period, *, aspects: bool, compare: bool
) -> list[str]:
    """The aspect table, the comparison, or both (aspects first)."""
    lines = aspect_lines(session, window) if aspects else []
    if aspects and compare:
        lines.append("")
    if compare:
        lines += compare_lines(session, window, period)
    return lines
