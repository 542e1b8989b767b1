"""Aspects: what a mention is about (delivery, price, support, quality, usability…).

An aspect is matched exactly as a brand is (``crawlers.match``): NFKC and case
folding, word boundaries for Latin terms, plain substrings for Japanese, or a
query. So full-width SHIPPING finds ``shipping`` and ``配送が遅い`` finds ``配送``.
The built-in lexicons (English and Japanese) cover five aspects; a team adds its
own, or more terms for a built-in one, in ``[[aspects]]``.

Each aspect found also gets the clause that mentions it, so its polarity can be
scored on those words alone: "配送は早かったが、品質が悪い" is positive about
delivery and negative about quality. Clauses end at sentence punctuation, line
breaks and contrastive joints (``but``, ``however``, ``が、``, ``けど``, ``のに``,
``しかし``). A query aspect whose parts sit in different clauses has no clause
of its own; the mention's polarity stands for it.

Terms were chosen for precision: a bare ``高い`` ("high", also "high quality")
or ``late`` would mark too many mentions as about price or delivery. The
measured precision and recall are in docs/alerts.md ("Aspects").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawlers.match import BrandRule, Matcher

DELIVERY, PRICE, SUPPORT, QUALITY, USABILITY = (
    "delivery",
    "price",
    "support",
    "quality",
    "usability",
)
BUILTIN_TERMS: dict[str, tuple[str, ...]] = {
    DELIVERY: (
        "delivery", "deliveries", "delivered", "deliver", "shipping", "shipped",
        "shipment", "courier", "parcel", "never arrived", "arrived", "dispatch",
        "dispatched", "tracking number",
        "配送", "配達", "発送", "届かない", "届か", "届いた", "届きません", "届く",
        "遅延", "到着", "宅配", "梱包", "出荷",
    ),
    PRICE: (
        "price", "prices", "pricing", "priced", "expensive", "overpriced", "cheap",
        "cheaper", "cost", "costs", "fee", "fees", "subscription", "value for money",
        "worth the money", "rip-off", "ripoff", "rip off",
        "価格", "値段", "料金", "高すぎ", "割高", "値上げ", "安い", "安く", "送料",
        "コスパ", "課金", "月額",
    ),
    SUPPORT: (
        "support", "customer service", "customer care", "help desk", "helpdesk",
        "refund", "refunds", "call center", "hotline", "representative", "agent",
        "staff", "responded", "no response", "no reply", "never replied",
        "サポート", "対応", "問い合わせ", "問合せ", "窓口", "カスタマー", "返信",
        "返金", "店員", "スタッフ", "接客", "コールセンター",
    ),
    QUALITY: (
        "quality", "broke", "broken", "breaks", "defective", "defect", "faulty",
        "flimsy", "cheaply made", "stopped working", "durable", "sturdy",
        "well made", "well-made", "cracked", "leaks", "leaking", "fell apart",
        "品質", "壊れ", "故障", "不良", "不具合", "丈夫", "作りが", "質が", "耐久",
        "割れ", "欠陥", "すぐ壊", "ちゃち",
    ),
    USABILITY: (
        "easy to use", "hard to use", "difficult to use", "user-friendly",
        "user friendly", "intuitive", "confusing", "interface", "usability",
        "clunky", "navigation", "set up", "setup",
        "使いにくい", "使いやすい", "使い勝手", "使いづらい", "操作", "分かりにくい",
        "わかりにくい", "分かりやすい", "わかりやすい", "直感的", "設定",
    ),
}  # fmt: skip
BUILTIN = tuple(BUILTIN_TERMS)

# A clause ends after sentence punctuation or a line break, or before a contrast.
_CLAUSE_END = re.compile(
    "(?<=[\u3002\uff01\uff1f!?\n;\uff1b])"  # Japanese and ASCII sentence ends, newline, semicolons
    r"|(?<=[.])\s+"
    r"|(?<=が、)|(?<=けど)|(?<=けれど)|(?<=のに)|(?<=のに、)"
    r"|(?=しかし)|(?=でも、)"
    r"|(?<=,)\s*(?=but\b|however\b|though\b)"
    r"|\s+(?=but\b|however\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AspectRule:
    """An aspect and how to find it: terms (any of them) or a query, per languages."""

    name: str
    terms: tuple[str, ...] = ()
    query: str | None = None
    exclude: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # empty: any language

    def brand_rule(self) -> BrandRule:
        """The same rule in the brand matcher's terms: the matcher finds both."""
        return BrandRule(
            name=self.name,
            terms=self.terms,
            exclude=self.exclude,
            query=self.query,
            languages=self.languages,
        )


@dataclass(frozen=True, slots=True)
class AspectHit:
    """An aspect a text is about, its matching terms, and the clauses naming it."""

    aspect: str
    terms: tuple[str, ...]
    clause: str | None  # None: no clause of its own (a query across clauses)


def builtin_rules() -> tuple[AspectRule, ...]:
    """The five built-in aspects with their English and Japanese lexicons."""
    return tuple(AspectRule(name, terms) for name, terms in BUILTIN_TERMS.items())


def split_clauses(text: str) -> list[str]:
    """``text`` cut into clauses (see the module docstring), blanks dropped."""
    return [c.strip() for c in _CLAUSE_END.split(text) if c and c.strip()]


class AspectDetector:
    """Find aspects in texts; rules with one name (one per language) act as one."""

    def __init__(self, rules: Iterable[AspectRule]) -> None:
        rules = tuple(rules)
        self._matcher = Matcher(r.brand_rule() for r in rules)
        self.aspects = tuple(dict.fromkeys(r.name for r in rules))
        # One matcher per aspect: a clause is checked only for the aspects found.
        self._by_aspect = {
            name: Matcher(r.brand_rule() for r in rules if r.name == name)
            for name in self.aspects
        }

    def detect(self, text: str, language: str | None = None) -> list[AspectHit]:
        """The aspects ``text`` is about, in rule order, each with its clauses."""
        found: dict[str, dict[str, None]] = {}
        for match in self._matcher.match(text, language):
            found.setdefault(match.brand, {}).update(dict.fromkeys(match.terms))
        if not found:
            return []
        clauses = split_clauses(text)
        hits = []
        for aspect, terms in found.items():
            matcher = self._by_aspect[aspect]
            own = [c for c in clauses if matcher.match(c, language)]
            hits.append(AspectHit(aspect, tuple(terms), " ".join(own) or None))
        return hits

    def detect_many(
        self, texts: Sequence[tuple[str, str | None]]
    ) -> list[list[AspectHit]]:
        """``detect`` for each (text, language)."""
        return [self.detect(text, language) for text, language in texts]
