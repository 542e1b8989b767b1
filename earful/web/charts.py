"""Server-rendered SVG charts: no JavaScript, no CDN, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from storage.stats import Share, Volume

WIDTH, HEIGHT, PAD = 720, 220, 32
COLOURS = {"negative": "#d64545", "neutral": "#9aa5b1", "positive": "#3f9142"}


def _svg(name: str, label: str, body: list[str], height: int = HEIGHT) -> Markup:
    head = (
        f'<svg class="chart" data-chart="{escape(name)}" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - parts escaped above


def _empty(name: str, label: str) -> Markup:
    text = '<text x="20" y="40" class="empty">No mentions in this period</text>'
    return _svg(name, label, [text], 60)


def volume_chart(days: Sequence[Volume]) -> Markup:
    """Stacked bars per day or week: negative, neutral, positive and unscored."""
    label = "Mentions over time by sentiment"
    if not days:
        return _empty("volume", label)
    top = max(v.total for v in days)
    step = (WIDTH - 2 * PAD) / len(days)
    scale = (HEIGHT - 2 * PAD) / top
    body = [f'<text x="4" y="{PAD - 8}" class="axis">{top}</text>']
    for i, v in enumerate(days):
        x, y = PAD + i * step, float(HEIGHT - PAD)
        parts = (
            ("negative", v.negative),
            ("neutral", v.neutral),
            ("positive", v.positive),
            ("unscored", v.total - v.negative - v.neutral - v.positive),
        )
        for name, count in parts:
            if not count:
                continue
            h = count * scale
            y -= h
            body.append(
                f'<rect class="{name}" x="{x:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}"'
                f' height="{h:.1f}" fill="{COLOURS.get(name, "#d9dde3")}">'
                f"<title>{escape(v.key)}: {count} {name}</title></rect>"
            )
    for i in sorted({0, len(days) // 2, len(days) - 1}):
        x = PAD + i * step
        body.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" class="axis">{escape(days[i].key)}</text>'
        )
    return _svg("volume", label, body)


def net_chart(days: Sequence[Volume]) -> Markup:
    """Net sentiment per day or week as a line between -1 and +1."""
    label = "Net sentiment over time"
    if not days:
        return _empty("net", label)
    step = (WIDTH - 2 * PAD) / max(len(days) - 1, 1)
    mid = HEIGHT / 2
    half = (HEIGHT - 2 * PAD) / 2
    points = " ".join(
        f"{PAD + i * step:.1f},{mid - v.net * half:.1f}" for i, v in enumerate(days)
    )
    body = [
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{mid}" y2="{mid}" stroke="#ccc"/>',
        f'<text x="4" y="{PAD}" class="axis">+1</text>',
        f'<text x="4" y="{HEIGHT - PAD}" class="axis">-1</text>',
        f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>',
    ]
    return _svg("net", label, body)


def bar_chart(name: str, label: str, rows: Sequence[tuple[str, int, str]]) -> Markup:
    """Horizontal bars: one ``(label, value, caption)`` per row, longest first."""
    if not rows:
        return _empty(name, label)
    top = max(value for _, value, _ in rows) or 1
    height = PAD + 26 * len(rows)
    body = []
    for i, (key, value, caption) in enumerate(rows):
        y = 16 + i * 26
        w = (WIDTH - 320) * value / top
        body += [
            f'<text x="4" y="{y + 14}" class="label">{escape(key[:28])}</text>',
            (
                f'<rect class="bar" x="200" y="{y}" width="{max(w, 1):.1f}" height="18"'
                f' fill="#1f5fa8"><title>{escape(key)}: {escape(caption)}</title></rect>'
            ),
            f'<text x="{206 + w:.1f}" y="{y + 14}" class="axis">{escape(caption)}</text>',
        ]
    return _svg(name, label, body, height)


def source_chart(sources: Sequence[Volume]) -> Markup:
    """Mentions per source, with each source's net sentiment."""
    rows = [(v.key, v.total, f"{v.total} · net {v.net:+.2f}") for v in sources]
    return bar_chart("sources", "Mentions by source", rows)


def share_chart(shares: Sequence[Share]) -> Markup:
    """Share of voice of each brand and its competitors."""
    rows = [
        (
            s.brand + (" (competitor)" if s.competitor else ""),
            s.mentions,
            f"{s.share:.1%}",
        )
        for s in shares
    ]
    return bar_chart("share", "Share of voice", rows)
