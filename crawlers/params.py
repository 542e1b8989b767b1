"""Spider-argument models: what each spider accepts, validated before it runs."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from crawlers.recipes import Recipe, shipped

HTTP_SCHEMES = frozenset({"http", "https"})
RecipeName = Literal[
    "amazon",
    "appstore",
    "cosme",
    "discourse",
    "forumotion",
    "googleplay",
    "kakaku",
    "phpbb",
    "tabelog",
    "trustpilot",
    "tripadvisor",
    "vbulletin",
    "xenforo",
    "yelp",
]


def http_url(value: str) -> str:
    """``value`` stripped; a ``ValueError`` unless it is an http(s) URL with a host."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in HTTP_SCHEMES or not parts.netloc:
        msg = f"must be an http:// or https:// URL with a host, got {value!r}"
        raise ValueError(msg)
    return value


class UrlParam(BaseModel):
    """Mixin for spiders that start from one http(s) URL."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    url: str
    """Where to start: an http:// or https:// URL."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url(value)


class FeedParams(UrlParam):
    """Arguments of the ``feed`` spider: the feed's URL and how many entries to take."""

    max_items: Annotated[int, Field(gt=0, le=100_000)] = 200
    """Most entries taken from one fetch of the feed."""


class PageParams(UrlParam):
    """Arguments shared by HTML spiders: where to start and how far to page."""

    max_pages: Annotated[int, Field(gt=0, le=1000)] = 20
    """Most pages followed from the first one in one crawl."""
    next_page: str | None = None
    """CSS or XPath selector of the next-page link (default: `rel=next`)."""


class ReviewsParams(PageParams):
    """Arguments of the ``reviews`` spider (schema.org Review markup)."""


class CommentsParams(PageParams):
    """Arguments of the ``comments`` spider (reader comments under a post)."""


class ForumParams(PageParams):
    """Arguments of the ``forum`` spider: a page and the recipe that reads it."""

    recipe: RecipeName | None = None
    """A shipped recipe by name. Review sites: `amazon` (desktop and mobile),
    `appstore` (App Store web pages), `cosme` (@cosme), `googleplay` (Google Play
    web pages), `kakaku` (価格.com),
    `tabelog` (食べログ), `tripadvisor`, `trustpilot`, `yelp`. Forums: `discourse`, `forumotion`, `phpbb`,
    `vbulletin`, `xenforo`."""
    selectors: Recipe | None = None
    """Your own recipe (`[sources.selectors]`), for sites no shipped recipe fits."""

    @model_validator(mode="after")
    def _one_recipe(self) -> ForumParams:
        if self.recipe is None and self.selectors is None:
            msg = (
                "set recipe (a shipped one's name) or selectors (your own); "
                "`earful source check` shows what each extracts"
            )
            raise ValueError(msg)
        if self.recipe is not None and self.selectors is not None:
            msg = "set recipe or selectors, not both"
            raise ValueError(msg)
        return self

    def chosen(self) -> Recipe:
        """The recipe this source uses."""
        return self.selectors or shipped()[str(self.recipe)]


class HackerNewsParams(BaseModel):
    """Arguments of the ``hackernews`` spider (the Algolia HN Search API)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    query: Annotated[str, Field(min_length=1)]
    """Words to search for (Algolia's full-text search); brands are matched after."""
    tags: Annotated[list[Literal["story", "comment", "poll"]], Field(min_length=1)] = [
        "story",
        "comment",
    ]
    """Which kinds of items to collect, one search each."""
    api_url: str = "https://hn.algolia.com/api/v1"
    """The API's base URL (for proxies and tests)."""
    hits_per_page: Annotated[int, Field(gt=0, le=1000)] = 100
    """Items asked for per request."""
    max_pages: Annotated[int, Field(gt=0, le=50)] = 5
    """Most result pages read per kind in one crawl."""


BOARD_PATH = re.compile(r"^/([A-Za-z0-9_]+)/?$")
THREAD_URL = re.compile(r"/test/read\.cgi/[A-Za-z0-9_]+/(\d{9,10})(?:/|$)")
THREAD_KEY = re.compile(r"^\d{9,10}$")


def thread_key(value: str) -> str:
    """A thread's key (``1700000000``) from itself or from its ``read.cgi`` URL."""
    value = value.strip()
    if THREAD_KEY.match(value):
        return value
    if found := THREAD_URL.search(value):
        return found[1]
    msg = (
        f"{value!r} is not a thread key (10 digits) or a "
        "https://HOST/test/read.cgi/BOARD/KEY/ URL"
    )
    raise ValueError(msg)


class BoardParams(UrlParam):
    """Arguments of the ``board`` spider: a 5ch (2ch-style) board and its threads."""

    threads: list[Annotated[str, AfterValidator(thread_key)]] = []
    """Threads followed whatever their title: keys (`1700000000`) or `read.cgi` URLs."""
    encoding: Literal["cp932", "euc-jp", "utf-8"] = "cp932"
    """The board's encoding: `cp932` (Shift_JIS, 5ch and bbspink), `euc-jp` or
    `utf-8` for other 2ch-style boards; never guessed from the bytes or headers."""
    delay: Annotated[float, Field(ge=0, le=3600)] = 5.0
    """Least seconds between two requests to the board: 5ch turns away clients that
    ask faster. `[crawler] download_delay` applies when it is longer."""
    max_threads: Annotated[int, Field(gt=0, le=200)] = 20
    """Most threads read per crawl, the most recently active first."""

    @field_validator("url")
    @classmethod
    def _board_url(cls, value: str) -> str:
        if not BOARD_PATH.match(urlsplit(value).path):
            msg = f"must be a board's URL like https://egg.5ch.net/software/, got {value!r}"
            raise ValueError(msg)
        return value if value.endswith("/") else f"{value}/"

    @property
    def board(self) -> str:
        """The board's name: ``software`` in https://egg.5ch.net/software/."""
        return urlsplit(self.url).path.strip("/")


class AppStoreParams(BaseModel):
    """Arguments of the ``appstore`` spider: one app's reviews in one country's store."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    app_id: Annotated[int, Field(gt=0, le=2**53)]
    """The app's numeric id: `123456789` in https://apps.apple.com/jp/app/id123456789."""
    country: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "jp"
    """The store's two-letter country code (`jp`, `us`): each has its own reviews."""
    about: Annotated[str, Field(min_length=1, max_length=200)]
    """What the app is, matched with each review's text so that reviews of the
    brand's app count as its mentions: usually the brand's name (`"アクメ"`)."""
    max_pages: Annotated[int, Field(gt=0, le=10)] = 10
    """Most pages of 50 reviews read per crawl (Apple serves at most 10)."""
    api_url: str = "https://itunes.apple.com"
    """The feed's base URL (for proxies and tests)."""


class HatenaParams(BaseModel):
    """Arguments of the ``hatena`` spider: Hatena Bookmark comments on articles."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    urls: list[Annotated[str, AfterValidator(http_url)]] = []
    """Articles whose bookmark comments are collected: the brand's own pages, press
    releases; each comment counts as a mention of `about`."""
    query: Annotated[str, Field(min_length=1)] | None = None
    """Words to search Hatena Bookmark for (its search RSS); each article found is a
    mention, and its comments are collected too."""
    about: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """What the `urls` are about, matched with each of their comments: usually the
    brand's name. Comments on searched articles are matched with the article's title."""
    max_articles: Annotated[int, Field(gt=0, le=200)] = 20
    """Most searched articles whose comments are read per crawl."""
    api_url: str = "https://b.hatena.ne.jp"
    """Hatena Bookmark's base URL (for proxies and tests)."""

    @model_validator(mode="after")
    def _something_to_read(self) -> HatenaParams:
        if not self.urls and not self.query:
            msg = "set urls, query or both"
            raise ValueError(msg)
        return self


class GooglePlayParams(BaseModel):
    """Arguments of the ``googleplay`` spider: one app's reviews, newest first."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    app_id: Annotated[str, Field(pattern=r"^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$")]
    """The app's package name: `com.example.app` in
    https://play.google.com/store/apps/details?id=com.example.app."""
    lang: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "ja"
    """The language of the reviews asked for (`ja`, `en`)."""
    country: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "jp"
    """The store's two-letter country code."""
    about: Annotated[str, Field(min_length=1, max_length=200)]
    """What the app is, matched with each review's text so that reviews of the
    brand's app count as its mentions: usually the brand's name (`"アクメ"`)."""
    reply_window: Annotated[float, Field(ge=0, le=366 * 86400.0)] = 7 * 86400.0
    """Reviews up to this much older than the newest one seen are read again on each
    crawl, so a developer reply given later reaches them (default `"7d"`)."""
    per_page: Annotated[int, Field(gt=0, le=199)] = 100
    """Reviews asked for per request (Google serves at most 199)."""
    max_pages: Annotated[int, Field(gt=0, le=50)] = 5
    """Most requests per crawl."""
    api_url: str = "https://play.google.com"
    """Google Play's base URL (for proxies and tests)."""


QUESTION_ID = re.compile(r"(?:question_detail/|^)q?(\d{6,})")


def question_id(value: str) -> str:
    """A 知恵袋 question's number from itself (``q1234567890``) or its page's URL."""
    if found := QUESTION_ID.search(value.strip()):
        return found[1]
    msg = f"{value!r} is not a question number (q1234567890) or question_detail URL"
    raise ValueError(msg)


class ChiebukuroParams(BaseModel):
    """Arguments of the ``chiebukuro`` spider: Yahoo!知恵袋 questions and a search."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )

    questions: list[Annotated[str, AfterValidator(question_id)]] = []
    """Questions to follow: numbers (`q1234567890`) or their page URLs."""
    query: Annotated[str, Field(min_length=1)] | None = None
    """Words to search 知恵袋 for; the questions found are read like `questions`."""
    max_questions: Annotated[int, Field(gt=0, le=100)] = 20
    """Most questions found by the search that are read per crawl."""
    search_url: str = "https://chiebukuro.yahoo.co.jp/search"
    """The search page (for proxies and tests)."""
    question_url: str = "https://detail.chiebukuro.yahoo.co.jp/qa/question_detail/"
    """Where question pages live: a number appended with `q` makes one's URL."""

    @model_validator(mode="after")
    def _something_to_read(self) -> ChiebukuroParams:
        if not self.questions and not self.query:
            msg = "set questions, query or both"
            raise ValueError(msg)
        return self
