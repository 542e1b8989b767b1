"""Per-post brand attribution: which words of an item decide the brands it names.

A reply is credited with the brands of its own words, not of its thread:

- An item whose ``title`` is its own (a feed entry, a review, an opening post,
  a story) is matched on its title, text and ``about`` together.
- A reply (an item with a ``parent_id``: a 5ch post after the first, a comment,
  an answer, a bookmark comment) is matched on its own text. Only when its own
  text names no brand *and* it answers the opening post (``top_level``, or its
  ``parent_id`` is its ``thread_id``) do the thread's title and ``about``
  count, because then the thread's subject is what it talks about.
- A post by one of the brand's own accounts (``[response] own_accounts``) is
  the brand answering, not a mention of anyone: it is kept with no brand, so
  ``earful`` can see the reply in its thread, and no comparison, share of voice
  or alert counts it.

So in a 5ch thread titled 「アクメのケトル part3」, 「ボルタのケトル買ったけど普通に
良い」 names ボルタ only, 「>>5 わかる」 names nothing and is dropped, and an
unquoted 「電話がつながらない」 answers the thread and names アクメ. Pages that
give no thread structure (forum recipes, the generic extractor) keep their page
title, as before: there is no telling an opening post from a reply there.
"""

from __future__ import annotations

from collections.abc import Iterable

from crawlers.items import MentionItem
from crawlers.match import Matcher
from storage.queries import Match


def is_reply(item: MentionItem) -> bool:
    """Whether ``item`` answers another post, so its ``title`` is the thread's."""
    return item.parent_id is not None


def answers_opening_post(item: MentionItem) -> bool:
    """Whether the reply ``item`` answers the thread's opening post itself."""
    return item.top_level is True or (
        item.parent_id is not None and item.parent_id == item.thread_id
    )


def context_text(item: MentionItem) -> str:
    """The item's title, text and what it is about, one per line."""
    about = f"\n{item.about}" if item.about else ""
    return f"{item.title or ''}\n{item.text}{about}"


class Attributor:
    """Credit items to brands by the rule above; own accounts are folded for comparison."""

    def __init__(self, matcher: Matcher, own_accounts: Iterable[str] = ()) -> None:
        self.matcher = matcher
        self.own_accounts = frozenset(a.casefold() for a in own_accounts)

    def is_own(self, item: MentionItem) -> bool:
        """Whether one of the brand's own accounts wrote ``item``."""
        return item.author is not None and item.author.casefold() in self.own_accounts

    def brands(self, item: MentionItem) -> list[Match]:
        """The brands ``item`` names by its own words (see the module docstring)."""
        if self.is_own(item):
            return []
        language = item.language
        if not is_reply(item):
            return self.matcher.match(context_text(item), language)
        own = self.matcher.match(item.text, language)
        if own or not answers_opening_post(item):
            return own
        return self.matcher.match(context_text(item), language)

    def keeps(self, item: MentionItem, matches: list[Match]) -> bool:
        """Whether ``item`` is stored: it names a brand, or the brand wrote it."""
        return bool(matches) or self.is_own(item)
