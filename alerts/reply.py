"""Reply drafts: per brand and language templates, filled for one mention.

Earful never posts a reply to the outside site. A draft is shown in a Slack
modal for a person to edit, then posted into the alert's thread for a
colleague to approve; answering the customer stays a human's job on the site.

A template's text may use ``{author}``, ``{product}`` and ``{channel}``: the
mention's author (``お客`` in Japanese, ``there`` in English when unknown, so
that ``{author}様`` and ``Hi {author},`` read well), the brand it names, and
where it was posted (the site or source name). Any other placeholder is a
config error (``placeholders_in`` finds them).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alerts.render import clean_text
from storage.models import Mention

PLACEHOLDERS = ("author", "product", "channel")
MAX_DRAFT = 3000  # Slack's plain_text_input holds at most 3000 characters
UNKNOWN_AUTHOR = {"ja": "お客", "en": "there"}


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """A reply template for ``brand`` in ``language`` (empty: any language)."""

    brand: str
    text: str
    language: str = ""


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses; ValueError if its braces are broken."""
    names = [
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    ]
    return list(dict.fromkeys(names))


def pick(
    templates: Sequence[ReplyTemplate], brand: str, language: str | None
) -> ReplyTemplate | None:
    """The best template: the brand's in the mention's language, else its any-language one.

    Language codes compare by their first part (``ja-JP`` is ``ja``); when the
    brand has neither, the first template in that language for any brand.
    """
    lang = (language or "").split("-")[0].lower()
    ranked: list[Callable[[ReplyTemplate], bool]] = [
        lambda t: t.brand == brand and t.language.lower() == lang,
        lambda t: t.brand == brand and not t.language,
        lambda t: t.language.lower() == lang and bool(lang),
    ]
    for fits in ranked:
        for template in templates:
            if fits(template):
                return template
    return None


def draft_for(templates: Sequence[ReplyTemplate], mention: Mention, brand: str) -> str:
    """The mention's draft from the best template, or "" when none fits."""
    template = pick(templates, brand, mention.language)
    if template is None:
        return ""
    lang = (mention.language or "en").split("-")[0].lower()
    author = " ".join(clean_text(mention.author or "").split())[:100]
    values = {
        "author": author or UNKNOWN_AUTHOR.get(lang, UNKNOWN_AUTHOR["en"]),
        "product": brand,
        "channel": " ".join(clean_text(mention.site_name or mention.source).split()),
    }
    return template.text.format_map(values)[:MAX_DRAFT]
