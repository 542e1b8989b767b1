"""SVG charts of aspects: by sentiment for one brand, and brands side by side."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from earful.web.charts import COLOURS, WIDTH, _empty, _svg
from storage.aspects import AspectCount
from storage.compare import BrandSide

ROW, LABEL_X, BAR_X = 26, 4, 160
PALETTE = ("#1f5fa8", "#b26a00", "#6b4fa0", "#2a8a8a", "#9a3b5a", "#5a6b2a")


def aspect_chart(brand: str, counts: Sequence[AspectCount]) -> Markup:
    """One bar per aspect, split into negative, neutral and positive mentions."""
    name = f"aspects-{brand}"
    label = f"What mentions of {brand} are about, by sentiment"
    if not counts:
        return _empty(name, label)
    top = max(c.total for c in counts) or 1
    scale = (WIDTH - BAR_X - 170) / top  # room for the caption
    body = []
    for i, c in enumerate(counts):
        y = 12 + i * ROW
        body.append(
            f'<text x="{LABEL_X}" y="{y + 14}" class="label">{escape(c.aspect[:22])}</text>'
        )
        x = float(BAR_X)
        for part, n in (("negative", c.negative), ("neutral", c.neutral),
                        ("positive", c.positive)):  # fmt: skip
            if not n:
                continue
            w = n * scale
            body.append(
                f'<rect class="{part}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="18"'
                f' fill="{COLOURS[part]}"><title>{escape(c.aspect)}: {n} {part}'
                "</title></rect>"
            )
            x += w
        caption = f"{c.total} · {c.negative_share:.0%} negative"
        body.append(f'<text x="{x + 6:.1f}" y="{y + 14}" class="axis">{caption}</text>')
    return _svg(name, label, body, 24 + ROW * len(counts))


def compare_chart(sides: Sequence[BrandSide]) -> Markup:
    """Per aspect, each brand's negative share: one bar per brand, grouped."""
    label = "Negative share per aspect, brand beside competitors"
    aspects = list(dict.fromkeys(a for s in sides for a in s.aspects))
    if not aspects:
        return _empty("compare-aspects", label)
    bar = 14
    group = bar * len(sides) + 12
    body = []
    for i, side in enumerate(sides):  # legend
        colour = PALETTE[i % len(PALETTE)]
        x = BAR_X + i * 140
        body += [
            f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>',
            f'<text x="{x + 16}" y="14" class="label">{escape(side.brand[:16])}</text>',
        ]
    span = WIDTH - BAR_X - 120
    for g, aspect in enumerate(aspects):
        top = 26 + g * group
        body.append(
            f'<text x="{LABEL_X}" y="{top + bar}" class="label">{escape(aspect[:22])}</text>'
        )
        for i, side in enumerate(sides):
            count = side.aspects.get(aspect)
            y = top + i * bar
            if count is None:
                continue
            w = max(count.negative_share * span, 1)
            caption = f"{count.negative_share:.0%} of {count.total}"
            body += [
                (
                    f'<rect class="brand-{i}" x="{BAR_X}" y="{y}" width="{w:.1f}" '
                    f'height="{bar - 2}" fill="{PALETTE[i % len(PALETTE)]}"><title>'
                    f"{escape(side.brand)}, {escape(aspect)}: {caption} negative"
                    "</title></rect>"
                ),
                (
                    f'<text x="{BAR_X + w + 6:.1f}" y="{y + bar - 3}" class="axis">'
                    f"{caption}</text>"
                ),
            ]
    return _svg("compare-aspects", label, body, 30 + group * len(aspects))
