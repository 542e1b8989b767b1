"""ForumSpider: posts and reviews from pages without markup, read by a recipe (or guessed)."""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from crawlers.dates import parse_dated
from crawlers.errors import record_warning
from crawlers.guessed import generic_items
from crawlers.items import MentionItem
from crawlers.page import PageSpider, page_title, rating, site_name
from crawlers.params import ForumParams
from crawlers.recipes import (
    Recipe,
    Selectors,
    alternatives,
    select,
    select_first,
    shown,
)
from crawlers.text import canonical_url, html_to_text


def matched_text(
    container: Selector, query: Selectors | None
) -> tuple[str | None, int | None]:
    """The text of the first match, and which of ``query``'s alternatives found it."""
    found, index = select_first(container, query)
    value = found[0].get() if found else None
    return (html_to_text(value) or None if value else None), index


def body_text(container: Selector, recipe: Recipe) -> tuple[str, int | None]:
    """The item's body as text, without what ``recipe.remove`` marks, and which
    of the ``text`` alternatives found it."""
    found, index = select_first(container, recipe.text)
    if not found:
        return "", None
    if not recipe.remove:
        return html_to_text(found[0].get()), index
    body = Selector(root=copy.deepcopy(found[0].root), type="html")  # not re-parsed
    for query in recipe.remove:
        select(body, query).drop()
    return html_to_text(body.get()), index


def alternative_used(recipe: Recipe, name: str, index: int | None) -> str | None:
    """``"alternative 2 of 3: 'a.x'"`` where field ``name`` lists alternatives."""
    queries = alternatives(getattr(recipe, name))
    if index is None or len(queries) < 2:  # noqa: PLR2004 - one is no choice
        return None
    return f"alternative {index + 1} of {len(queries)}: {queries[index]!r}"


def missing_fields(
    recipe: Recipe, values: dict[str, str | None], parsed_date: object
) -> dict[str, str]:
    """Each empty field with the selector that found nothing (for `source check`)."""
    missing = {}
    for name, value in values.items():
        query = getattr(recipe, name)
        if value:
            continue
        missing[name] = f"{shown(query)} matched nothing" if query else "no selector"
    if values.get("date") and parsed_date is None:
        missing["date"] = f"{values['date']!r} is not a date dateparser reads"
    return missing


class ForumSpider(PageSpider):
    """Yield one ``MentionItem`` per post or review the recipe finds, following pages.

    Arguments (see ``ForumParams``): ``url``, ``recipe`` or ``selectors``,
    ``max_pages``, ``next_page`` (default: the recipe's, else ``rel=next``).
    A page where the recipe finds nothing is read by the generic extractor
    (``crawlers.generic``) instead, with a warning that names the recipe.
    """

    name = "forum"
    source_type = "forum"
    params_model = ForumParams

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.params, ForumParams)  # noqa: S101 - params_model
        self.recipe = self.params.chosen()
        self.recipe_name = self.params.recipe or "custom"
        self.empty_reasons: dict[str, str] = {}

    def next_page(self, response: TextResponse) -> str | None:
        """The recipe's next-page link when no selector is configured."""
        if not self.params.next_page and self.recipe.next_page:
            found, _ = select_first(response.selector, self.recipe.next_page)
            href = found.attrib.get("href") if found else None
            if href:
                return canonical_url(response.urljoin(href.strip()))
        return super().next_page(response)

    def empty_reason(self, response: TextResponse) -> str:
        """Why the recipe (and the generic extractor) found nothing on ``response``."""
        return self.empty_reasons.get(
            response.url,
            f"the {self.recipe_name} recipe matched nothing on {response.url}",
        )

    def items(self, response: TextResponse) -> Iterator[MentionItem]:
        """The page's posts or reviews as the recipe finds them, else as guessed."""
        items = self.recipe_items(response)
        if items:
            yield from items
            return
        reason = self._recipe_problem(response)
        guessed, doubt = generic_items(
            response, self.source, self.recipe.kind, self.crawl_time
        )
        if guessed:
            record_warning(
                self.crawler,
                f"{reason}; the generic extractor read {len(guessed)} instead",
            )
        else:
            self.empty_reasons[response.url] = f"{reason}; {doubt}" if doubt else reason
        yield from guessed

    def _recipe_problem(self, response: TextResponse) -> str:
        found = len(select_first(response.selector, self.recipe.item)[0])
        what = "review" if self.recipe.kind == "reviews" else "post"
        if not found:
            return (
                f"the {self.recipe_name} recipe matched no {what} on {response.url} "
                f"(item selector {shown(self.recipe.item)})"
            )
        return (
            f"the {self.recipe_name} recipe found {found} {what}s on {response.url} "
            f"but no text in them (text selector {shown(self.recipe.text)})"
        )

    def recipe_items(self, response: TextResponse) -> list[MentionItem]:
        """The page's posts or reviews, as the recipe finds them."""
        page_url = canonical_url(response.url)
        thread_title = page_title(response)
        site = site_name(response)
        items = []
        containers, index = select_first(response.selector, self.recipe.item)
        item_alternative = alternative_used(self.recipe, "item", index)
        base = get_base_url(response)  # XenForo 1 links are relative to <base href>
        for container in containers:
            item = self._item(container, (page_url, base), thread_title)
            if item is not None:
                item.site_name = site
                if item_alternative and item.raw:
                    item.raw["alternatives"]["item"] = item_alternative
                items.append(item)
        return items

    def _date_text(self, text: str | None) -> str | None:
        """``text`` cut by the recipe's ``date_pattern``, where it has one."""
        if text and self.recipe.date_pattern:
            found = re.search(self.recipe.date_pattern, text)
            text = found[1] if found else None
        return text

    def _item(
        self, container: Selector, urls: tuple[str, str], thread_title: str | None
    ) -> MentionItem | None:
        """One post or review; ``urls`` are the page's and the one links resolve on."""
        recipe = self.recipe
        page_url, base = urls
        text, text_index = body_text(container, recipe)
        if not text:
            return None
        values: dict[str, str | None] = {}
        used = {"text": alternative_used(recipe, "text", text_index) or ""}
        for name in ("author", "date", "title", "id", "permalink", "rating"):
            values[name], index = matched_text(container, getattr(recipe, name))
            if alternative := alternative_used(recipe, name, index):
                used[name] = alternative
        values["date"] = self._date_text(values["date"])
        author, date_text, title = values["author"], values["date"], values["title"]
        ident, link, rating_text = values["id"], values["permalink"], values["rating"]
        dated = parse_dated(date_text, self.crawl_time, date_order=recipe.date_order)
        if not ident:
            parts = (
                f"{author}\x00{date_text}\x00{title}\x00{text if not author else ''}"
            )
            ident = hashlib.sha256(parts.encode()).hexdigest()[:16]
        value, best = rating(rating_text, recipe.rating_best)
        return MentionItem(
            source=self.source,
            source_type=recipe.kind,
            external_id=f"{page_url}#{ident.lstrip('#')}",
            url=canonical_url(urljoin(base, link)) if link else page_url,
            title=title or thread_title,
            text=text,
            author=author,
            thread_id=page_url,
            rating=value,
            rating_best=best,
            published_at=dated.at if dated else None,
            published_precision=dated.precision if dated else None,
            raw={
                "recipe": self.recipe_name,
                "alternatives": {name: how for name, how in used.items() if how},
            },
            missing=missing_fields(recipe, values, dated),
        )
