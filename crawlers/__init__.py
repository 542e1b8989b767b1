"""The collectors: a Scrapy project (spiders, items, pipelines) and brand matching."""

from crawlers.items import MentionItem
from crawlers.match import BrandRule, Matcher
from crawlers.params import FeedParams

__all__ = ["BrandRule", "FeedParams", "Matcher", "MentionItem"]
