"""Load and validate ``earful.toml`` into typed models, collecting every error at once.

Precedence, highest first: command-line flag > environment > file > defaults.
The file never holds a secret: it names the environment variable that does
(``token_env = "SLACK_BOT_TOKEN"``), resolved to a ``SecretStr`` at load time.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from alerts.reply import PLACEHOLDERS, ReplyTemplate, placeholders_in
from crawlers.aspects import AspectRule, builtin_rules
from crawlers.bluesky import JETSTREAM_URL, BlueskyCredentials, JetstreamParams
from crawlers.mastodon import InstanceAccess, MastodonParams, default_token_env
from crawlers.match import BrandRule
from crawlers.params import (
    AppStoreParams,
    BoardParams,
    ChiebukuroParams,
    CommentsParams,
    FeedParams,
    ForumParams,
    GooglePlayParams,
    HackerNewsParams,
    HatenaParams,
    ReviewsParams,
)
from crawlers.politeness import Politeness
from crawlers.query import QueryError, evaluate, parse_query
from crawlers.reddit import RedditCredentials, RedditParams
from crawlers.x import XCredentials, XParams
from crawlers.youtube import YouTubeCredentials, YouTubeParams
from earful.errors import ConfigError
from storage import normalize_url

DEFAULT_DATABASE_URL = "sqlite:///earful.db"
DATABASE_URL_ENV = "EARFUL_DATABASE_URL"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
# The longest duration any key takes: a year and a day. APScheduler's interval
# trigger overflows datetime past ~9,999 years, and a source polled less than
# yearly is off, not slow; every other number has its own bound below.
MAX_DURATION_S = 366 * 86400.0
MAX_COUNT = 2**31 - 1  # a reach threshold compared with INTEGER columns


def database_url_problem(url: str) -> str | None:
    """Why ``url`` is not a database URL Earful can use, or None (never echoes it)."""
    hint = (
        "use sqlite:///earful.db or postgresql+psycopg://user@host/db "
        f"(from the config, --database-url or {DATABASE_URL_ENV})"
    )
    try:
        backend = make_url(normalize_url(url)).get_backend_name()
    except (ArgumentError, ValueError):
        return f"not a database URL: {hint}"
    if backend not in {"sqlite", "postgresql"}:
        return f"unsupported database {backend!r}: {hint}"
    return None


def parse_duration(value: Any) -> Any:
    """``90``, ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` → seconds as a float.

    At most ``MAX_DURATION_S`` and finite, with an error that says so.
    """
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            msg = (
                f"{value!r} is not a duration (use seconds or e.g. '30s', '15m', '1h')"
            )
            raise ValueError(msg)
        value = float(match[1]) * _UNITS[match[2]]
    elif isinstance(value, float) and not math.isfinite(value):
        msg = f"must be a finite number of seconds, at most {MAX_DURATION_S:.0f}"
        raise ValueError(msg)
    if isinstance(value, int | float) and value > MAX_DURATION_S:
        msg = f"at most {MAX_DURATION_S:.0f} seconds (366d)"
        raise ValueError(msg)
    return value


Seconds = Annotated[
    float, BeforeValidator(parse_duration), Field(gt=0, le=MAX_DURATION_S)
]
MaybeZeroSeconds = Annotated[
    float, BeforeValidator(parse_duration), Field(ge=0, le=MAX_DURATION_S)
]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")]


class Strict(BaseModel):
    """Every config model forbids unknown keys, so a typo is an error."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,  # "inf" and "nan" parse as TOML floats
    )


def _query_names_something(query: str | None, info: ValidationInfo) -> str | None:
    """A brand's or aspect's query parses and needs some term to be found."""
    if query is None:
        return None
    try:
        tree = parse_query(query)
    except QueryError as exc:
        name = info.data.get("name")
        title = (info.config or {}).get("title") or "rule"
        prefix = f"{title.removesuffix('Config').lower()} {name!r}: " if name else ""
        raise ValueError(f"{prefix}{exc}") from None
    if evaluate(tree, lambda _term: False):
        msg = (
            f"query {query!r} matches text that names none of its terms "
            "(e.g. only NOT ...): add a term it must find"
        )
        raise ValueError(msg)
    return query


_Rule = TypeVar("_Rule", "BrandConfig", "AspectConfig")


def _has_terms_or_query(rule: _Rule) -> _Rule:
    if not rule.terms and not rule.query:
        msg = "set terms or query"
        raise ValueError(msg)
    return rule


class BrandConfig(Strict):
    """A brand to watch: the terms that name it and the ones that rule a match out."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    """The brand as it appears in alerts and reports."""
    terms: list[Annotated[str, Field(min_length=1)]] = []
    """Words or phrases that name the brand: case-insensitive, NFKC-normalised, whole
    words in spaced scripts and substrings in Japanese/Chinese."""
    query: str | None = None
    """Instead of `terms`: a query with `AND`, `OR`, `NOT`, parentheses and "quoted
    phrases", e.g. `acme AND (blender OR mixer) NOT "acme corp"`. It must need some
    term to be found: a query of only `NOT ...` would match every text, so it is an
    error."""
    exclude: list[Annotated[str, Field(min_length=1)]] = []
    """Terms that rule a match out (e.g. a product line that shares the name)."""
    languages: list[Annotated[str, Field(min_length=2, max_length=16)]] = []
    """Only mentions detected in these languages, e.g. `["en", "ja"]` (empty: any)."""
    competitor: bool = False
    """A competitor: collected and reported, alerted only by rules that name it."""

    _query = field_validator("query")(_query_names_something)
    _terms_or_query = model_validator(mode="after")(_has_terms_or_query)

    def rule(self) -> BrandRule:
        """The brand as the collectors' matching rule."""
        return BrandRule(
            name=self.name,
            terms=tuple(self.terms),
            exclude=tuple(self.exclude),
            competitor=self.competitor,
            query=self.query,
            languages=tuple(self.languages),
        )


class AspectConfig(Strict):
    """An aspect the team tracks (`[[aspects]]`), or more terms for a built-in one.

    Matched as brands are. Several entries may share a name, e.g. one per
    language; a built-in name (delivery, price, support, quality, usability)
    adds to its lexicon.
    """

    name: Annotated[str, Field(min_length=1, max_length=64)]
    """The aspect as reports show it, e.g. `battery`."""
    terms: list[Annotated[str, Field(min_length=1)]] = []
    """Words or phrases that name the aspect, e.g. `["battery", "バッテリー", "電池"]`."""
    query: str | None = None
    """Instead of `terms`: a query as for brands, e.g. `battery AND (dies OR drains)`."""
    exclude: list[Annotated[str, Field(min_length=1)]] = []
    """Terms that rule the aspect out."""
    languages: list[Annotated[str, Field(min_length=2, max_length=16)]] = []
    """Only mentions detected in these languages (empty: any)."""

    _query = field_validator("query")(_query_names_something)
    _terms_or_query = model_validator(mode="after")(_has_terms_or_query)

    def rule(self) -> AspectRule:
        """The aspect as the detector's rule."""
        return AspectRule(
            name=self.name,
            terms=tuple(self.terms),
            query=self.query,
            exclude=tuple(self.exclude),
            languages=tuple(self.languages),
        )


class SourceBase(Strict):
    """What every source has: a unique name and how often it runs."""

    name: Name
    """Unique source name (letters, digits, `_`, `.`, `-`); shown in alerts and status."""
    interval: Seconds = 900.0
    """How often the source is collected: seconds, or `"30s"`, `"15m"`, `"1h"`, `"1d"`."""
    enabled: bool = True
    """Set to false to keep a source in the file without collecting it."""
    cron: str | None = None
    """A crontab expression (`"*/15 * * * *"`, in `[daemon] timezone`) used instead of
    `interval`."""
    jitter: MaybeZeroSeconds | None = None
    """Random delay added to each run so sources do not fire together (default: a
    tenth of the interval, at most 60 s)."""
    timeout: Seconds | None = None
    """Stop this source's crawl after this long (default: `[crawler] timeout`)."""

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str | None) -> str | None:
        if value is not None:
            CronTrigger.from_crontab(value)  # raises ValueError naming the field
        return value


class FeedSource(FeedParams, SourceBase):
    """An RSS, Atom or JSON Feed, fetched by the ``feed`` spider.

    Each entry is one mention, identified by its `guid` (Atom and JSON Feed:
    `id`), else its link, else a digest of its title, text, author and date: two
    reviewers' identical "Terrible support" stay two mentions, while the same
    entry fetched again is recognised. An Atom entry without an author takes its
    feed's. Entries with neither title nor text are skipped. Trailing "Continue
    reading…", "[…]", "続きを読む" and "The post … appeared first on …" are
    dropped from the text. A charset that is missing or does not fit the bytes is
    detected (a wrong one is a warning), and a feed whose XML is broken but whose
    every entry was read is a success with a warning.
    """

    type: Literal["feed"]


SubredditName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,21}$")]


class RedditSource(SourceBase):
    """Reddit through PRAW: brand searches and subreddit streams (read-only OAuth)."""

    type: Literal["reddit"]
    interval: Seconds = 20.0
    """How often the subreddit streams are polled (default `"20s"`: an alert then
    follows a new comment within about 20 s; see docs/operating.md)."""
    subreddits: list[SubredditName] = []
    """Subreddits (without `r/`) whose new submissions and comments are streamed and
    searched."""
    search: bool = True
    """Search each brand's terms, Reddit-wide and in each subreddit, newest first."""
    search_time: Literal["hour", "day", "week", "month", "year", "all"] = "day"
    """How far back a search reaches."""
    search_interval: Seconds = 300.0
    """How often the brand searches run (default `"5m"`): each costs one request per
    brand and place, and Reddit's search index lags behind its streams anyway."""
    stream_submissions: bool = True
    """Stream the subreddits' new submissions."""
    stream_comments: bool = True
    """Stream the subreddits' new comments."""
    include_all: bool = False
    """Also stream every new comment on Reddit (`r/all`); heavy, for big brands."""
    follow_threads: bool = False
    """Read the comment tree of each new submission that names a brand."""
    thread_more_limit: Annotated[int, Field(ge=0, le=10_000)] = 32
    """How many "load more comments" links are followed per thread, one request each
    (0: the first page only)."""
    praw_site: str | None = None
    """A praw.ini section to read credentials from instead of the environment."""
    client_id_env: str = "REDDIT_CLIENT_ID"
    """Environment variable holding the Reddit app's client id."""
    client_secret_env: str = "REDDIT_CLIENT_SECRET"  # noqa: S105 - a variable's name
    """Environment variable holding the Reddit app's secret."""
    user_agent_env: str = "REDDIT_USER_AGENT"
    """Environment variable holding the User-Agent Reddit asks for."""
    api_url: str | None = None
    """Reddit base URL for both OAuth and API calls, for proxies and tests."""

    def credentials(self) -> RedditCredentials:
        """The credentials from the environment variables this source names."""
        values = {}
        for key in ("client_id", "client_secret", "user_agent"):
            raw = os.environ.get(getattr(self, f"{key}_env"), "").strip()
            values[key] = SecretStr(raw).get_secret_value() if raw else None
        return RedditCredentials(
            **values,
            client_id_env=self.client_id_env,
            client_secret_env=self.client_secret_env,
            user_agent_env=self.user_agent_env,
            praw_site=self.praw_site,
            oauth_url=self.api_url,
            reddit_url=self.api_url,
        )

    def params(self) -> RedditParams:
        """What the collector watches."""
        return RedditParams(
            source=self.name,
            subreddits=tuple(self.subreddits),
            search=self.search,
            search_time=self.search_time,
            search_every=self.search_interval,
            stream_submissions=self.stream_submissions,
            stream_comments=self.stream_comments,
            include_all=self.include_all,
            follow_threads=self.follow_threads,
            thread_more_limit=self.thread_more_limit,
        )


# --- Networks polled through their APIs (issue 14: X, YouTube, Mastodon) ---


class XSource(SourceBase):
    """X (API v2) recent search for each brand, with author reach (``x``).

    Needs an app bearer token with recent-search access (Basic and up; see
    "X access levels" below)."""

    type: Literal["x"]
    interval: Seconds = 300.0
    """How often each brand's searches run (default `"5m"`); each is at least one
    request, and X's rate-limit table allows recent search 450 requests per 15 minutes
    per app (your level's limits are in X's developer console)."""
    token_env: str = "EARFUL_X_BEARER_TOKEN"  # noqa: S105 - a variable's name
    """Environment variable holding the app's bearer token."""
    max_pages: Annotated[int, Field(gt=0, le=50)] = 3
    """Pages of up to 100 posts read per query and poll; a deeper backlog is skipped
    with a warning."""
    retweets: bool = False
    """Also collect reposts (they repeat their original's text)."""
    api_url: str = "https://api.x.com"
    """X API base URL, for proxies and tests."""

    def credentials(self) -> XCredentials:
        """The bearer token from the environment variable this source names."""
        token = os.environ.get(self.token_env, "").strip()
        return XCredentials(
            bearer_token=SecretStr(token).get_secret_value() if token else None,
            token_env=self.token_env,
            api_url=self.api_url,
        )

    def params(self) -> XParams:
        """What the collector searches."""
        return XParams(
            source=self.name, max_pages=self.max_pages, retweets=self.retweets
        )


class YouTubeSource(SourceBase):
    """YouTube comments (Data API v3): the brand's channel, chosen videos, and new
    videos naming a brand with their comments (``youtube``)."""

    type: Literal["youtube"]
    interval: Seconds = 900.0
    """How often the comment threads are read (default `"15m"`; 1 unit per place)."""
    channel_id: Annotated[str, Field(pattern=r"^UC[\w-]{22}$")] | None = None
    """The brand's own channel (`UC…`): comments on all its videos."""
    videos: list[Annotated[str, Field(pattern=r"^[\w-]{11}$")]] = []
    """Video ids (the `v=` of a watch URL) whose comments are read."""
    search: bool = True
    """Search each brand for new videos (100 units each), store those that name it,
    and read their comments for `follow_days`."""
    search_interval: Seconds = 21600.0
    """How often the brand searches run (default `"6h"`: 400 units a brand a day)."""
    follow_days: Annotated[float, Field(gt=0, le=90)] = 7.0
    """Days the comments of a video found by search are read."""
    follow_every: Seconds = 3600.0
    """How often the comments of videos found by search are read (default `"1h"`;
    1 unit a video)."""
    follow_max: Annotated[int, Field(ge=0, le=500)] = 20
    """Videos found by search whose comments are followed at once (the newest found)."""
    max_pages: Annotated[int, Field(gt=0, le=20)] = 2
    """Pages of 100 comment threads read per place and poll."""
    daily_budget: Annotated[int, Field(ge=1, le=1_000_000_000)] = 10_000
    """Units a Pacific-time day this source may spend (Google's default quota is
    10,000 a project; search 100, comment threads and videos 1). Past it the source
    waits for midnight Pacific Time; `earful status` shows what was used."""
    key_env: str = "EARFUL_YOUTUBE_API_KEY"
    """Environment variable holding the API key."""
    api_url: str | None = None
    """API root URL, for proxies and tests (default: Google's)."""

    @model_validator(mode="after")
    def _something_to_watch(self) -> YouTubeSource:
        if not (self.channel_id or self.videos or self.search):
            msg = "set channel_id, videos or search = true"
            raise ValueError(msg)
        return self

    def credentials(self) -> YouTubeCredentials:
        """The API key from the environment variable this source names."""
        key = os.environ.get(self.key_env, "").strip()
        return YouTubeCredentials(
            api_key=SecretStr(key).get_secret_value() if key else None,
            key_env=self.key_env,
            api_url=self.api_url,
        )

    def params(self) -> YouTubeParams:
        """What the collector watches."""
        return YouTubeParams(
            source=self.name,
            channel_id=self.channel_id,
            videos=tuple(self.videos),
            search=self.search,
            search_every=self.search_interval,
            follow_days=self.follow_days,
            follow_every=self.follow_every,
            follow_max=self.follow_max,
            max_pages=self.max_pages,
            daily_budget=self.daily_budget,
        )


class MastodonSource(SourceBase):
    """Mastodon (Mastodon.py): hashtag and public timelines and keyword search on the
    instances named (``mastodon``)."""

    type: Literal["mastodon"]
    interval: Seconds = 120.0
    """How often each instance is read (default `"2m"`: one request per hashtag and
    instance, well inside Mastodon's 300 requests per 5 minutes)."""
    instances: Annotated[list[Annotated[str, Field(min_length=3)]], Field(min_length=1)]
    """Instances by host (`"mstdn.jp"`, `"mastodon.social"`) or URL."""
    hashtags: list[Annotated[str, Field(pattern=r"^[^\s#/?]+$")]] = []
    """Hashtags to read, without `#` (`"アクメ"`, `"acme"`)."""
    public_timeline: bool = False
    """Also read each instance's whole public timeline (busy instances: heavy)."""
    local_only: bool = False
    """Only posts made on the instance itself, not those federated to it."""
    search: bool = True
    """Search each brand's terms (needs the instance's access token; many instances
    find only hashtags, which the run's warning then says)."""
    max_pages: Annotated[int, Field(gt=0, le=20)] = 3
    """Pages of 40 statuses read per timeline and poll."""
    token_envs: dict[str, str] = {}
    """Environment variable holding each instance's access token, by instance (default
    `EARFUL_MASTODON_TOKEN_<HOST>`, e.g. `EARFUL_MASTODON_TOKEN_MSTDN_JP`)."""

    @model_validator(mode="after")
    def _something_to_read(self) -> MastodonSource:
        if not (self.hashtags or self.public_timeline or self.search):
            msg = "set hashtags, public_timeline = true or search = true"
            raise ValueError(msg)
        unknown = set(self.token_envs) - set(self.instances)
        if unknown:
            msg = f"token_envs: not in instances: {', '.join(sorted(unknown))}"
            raise ValueError(msg)
        return self

    def token_env(self, instance: str) -> str:
        """The variable holding ``instance``'s token."""
        return self.token_envs.get(instance) or default_token_env(instance)

    def params(self) -> MastodonParams:
        """What the collector reads, with each instance's token from the environment."""
        access = []
        for instance in self.instances:
            env = self.token_env(instance)
            token = os.environ.get(env, "").strip()
            secret = SecretStr(token).get_secret_value() if token else None
            access.append(InstanceAccess(instance, secret, env))
        return MastodonParams(
            source=self.name,
            instances=tuple(access),
            hashtags=tuple(self.hashtags),
            public_timeline=self.public_timeline,
            local_only=self.local_only,
            search=self.search,
            max_pages=self.max_pages,
        )


ApiSource = XSource | YouTubeSource | MastodonSource
API_SECRETS: dict[type[SourceBase], tuple[str, ...]] = {
    XSource: ("token_env",),
    YouTubeSource: ("key_env",),
}

# --- end of issue 14 networks ---


# --- Bluesky (issue 14a) ---------------------------------------------------
class BlueskySource(SourceBase):
    """Bluesky: the Jetstream firehose (public, no account) and searchPosts backfill."""

    type: Literal["bluesky"]
    interval: Annotated[
        float, BeforeValidator(parse_duration), Field(ge=3, le=MAX_DURATION_S)
    ] = 300.0
    """How long one listen lasts (default `"5m"`): it stops 2 s before the next run
    is due, records its run in `earful status`, and the next resumes from the stored
    cursor, so nothing posted in between is lost. A Bluesky source holds one of
    `[daemon] workers` all the time."""
    jitter: MaybeZeroSeconds | None = 0.0
    """No random delay: listens follow each other back to back."""
    jetstream_url: str = JETSTREAM_URL
    """Jetstream's `/subscribe` endpoint (`wss://`): a public instance or your own."""
    replay_margin: Seconds = 5.0
    """A reconnect replays from this long before the stored cursor; posts seen twice
    are stored once."""
    max_backoff: Seconds = 60.0
    """Reconnect waits double from 1 s up to this while Jetstream is unreachable."""
    search: bool = False
    """Backfill: search each brand with `app.bsky.feed.searchPosts` (needs an
    account: `handle_env` and `app_password_env`)."""
    search_interval: Seconds = 3600.0
    """How often the brand searches run (default `"1h"`); the first runs at start,
    so a newly added brand is backfilled at once."""
    search_limit: Annotated[int, Field(gt=0, le=100)] = 100
    """Posts per search request (the API's maximum is 100)."""
    search_pages: Annotated[int, Field(gt=0, le=50)] = 5
    """Pages (`cursor`) read per brand and search."""
    api_url: str = "https://bsky.social"
    """The account's PDS or entryway for `createSession` and `searchPosts`."""
    handle_env: str = "EARFUL_BLUESKY_HANDLE"
    """Environment variable holding the account's handle (`name.bsky.social`)."""
    app_password_env: str = "EARFUL_BLUESKY_APP_PASSWORD"  # noqa: S105 - a name
    """Environment variable holding an app password (Settings → App passwords)."""

    @field_validator("cron")
    @classmethod
    def _no_cron(cls, value: str | None) -> str | None:
        if value is not None:
            msg = "a firehose listens all the time: set interval, not cron"
            raise ValueError(msg)
        return value

    @field_validator("jetstream_url")
    @classmethod
    def _websocket(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            msg = "must be a ws:// or wss:// URL (Jetstream's /subscribe endpoint)"
            raise ValueError(msg)
        return value

    def params(self) -> JetstreamParams:
        """What the firehose collector listens to."""
        return JetstreamParams(
            source=self.name,
            url=self.jetstream_url,
            replay_margin_s=self.replay_margin,
            max_backoff_s=self.max_backoff,
        )

    def credentials(self) -> BlueskyCredentials:
        """The search account from the environment variables this source names."""
        values = {}
        for key in ("handle", "app_password"):
            raw = os.environ.get(getattr(self, f"{key}_env"), "").strip()
            values[key] = raw or None
        return BlueskyCredentials(
            **values,
            handle_env=self.handle_env,
            app_password_env=self.app_password_env,
            api_url=self.api_url,
        )


# --- end Bluesky -------------------------------------------------------------


class ReviewsSource(ReviewsParams, SourceBase):
    """Pages with schema.org reviews (JSON-LD, microdata, RDFa): the ``reviews`` spider."""

    type: Literal["reviews"]


class CommentsSource(CommentsParams, SourceBase):
    """Reader comments under a blog post or an article (WordPress classic and block
    themes): ``comments``. Where the site offers a comments feed (``/feed/`` after a
    WordPress post's URL), a ``feed`` source on it is lighter (one request, dates
    exact) but holds only the newest comments (10 by default) and no nesting: prefer it
    for a busy post polled often, and this source for the whole thread with replies."""

    type: Literal["comments"]


class ForumSource(ForumParams, SourceBase):
    """Forum threads and review lists without markup, read by a recipe: ``forum``."""

    type: Literal["forum"]


class HackerNewsSource(HackerNewsParams, SourceBase):
    """Hacker News stories and comments via the Algolia API: ``hackernews``."""

    type: Literal["hackernews"]


class BoardSource(BoardParams, SourceBase):
    """A 5ch (2ch-style) board: its brand threads, post by post: ``board``."""

    type: Literal["board"]


class AppStoreSource(AppStoreParams, SourceBase):
    """An app's reviews in one country's App Store (Apple's RSS JSON): ``appstore``."""

    type: Literal["appstore"]


class HatenaSource(HatenaParams, SourceBase):
    """Hatena Bookmark comments on articles, and articles found by search: ``hatena``."""

    type: Literal["hatena"]


class GooglePlaySource(GooglePlayParams, SourceBase):
    """An app's Google Play reviews and developer replies: ``googleplay``."""

    type: Literal["googleplay"]

    @field_validator("reply_window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class ChiebukuroSource(ChiebukuroParams, SourceBase):
    """Yahoo!知恵袋 questions with their answers, and questions found by search:
    ``chiebukuro``."""

    type: Literal["chiebukuro"]


ScrapySource = (
    FeedSource
    | ReviewsSource
    | CommentsSource
    | ForumSource
    | HackerNewsSource
    | BoardSource
    | AppStoreSource
    | HatenaSource
    | GooglePlaySource
    | ChiebukuroSource
)
Source = Annotated[
    FeedSource
    | ReviewsSource
    | CommentsSource
    | ForumSource
    | HackerNewsSource
    | BoardSource
    | AppStoreSource
    | HatenaSource
    | GooglePlaySource
    | ChiebukuroSource
    | RedditSource
    | ApiSource
    | BlueskySource,
    Field(discriminator="type"),
]
SOURCE_TYPES = frozenset(
    {
        "feed",
        "reviews",
        "comments",
        "forum",
        "hackernews",
        "board",
        "appstore",
        "hatena",
        "googleplay",
        "chiebukuro",
        "reddit",
        "x",
        "youtube",
        "mastodon",
        "bluesky",
    }
)


class SentimentConfig(Strict):
    """Which model scores mentions: ``earful-default``, a Hub id or a local folder."""

    model: str = "earful-default"
    """`earful-default` (offline; Japanese, English and ~100 other languages),
    `earful-english` (offline, English only, ~5x faster), a Hugging Face model id, or a
    local folder."""
    batch_size: Annotated[int, Field(gt=0, le=1024)] = 32
    """Texts scored per forward pass."""
    label_map: dict[str, Literal["negative", "neutral", "positive"]] | None = None
    """Explicit mapping from the model's labels, for models with an unusual scheme."""
    cache_dir: Path | None = None
    """Where the default model keeps its quantised ONNX graph between runs (118 MB;
    saves ~30 s per start). Default: `$XDG_CACHE_HOME/earful`, else `~/.cache/earful`."""

    def model_cache(self) -> Path:
        """The cache folder in effect."""
        if self.cache_dir is not None:
            return self.cache_dir.expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "earful"


class AlertConfig(Strict):
    """A rule: negative mentions of these brands, at least this sure, go to a channel."""

    name: Name
    """Unique rule name, recorded on each alert."""
    brands: Annotated[list[str], Field(min_length=1)]
    """Names of `[[brands]]` this rule watches."""
    channel: Annotated[str, Field(min_length=1, max_length=100)]
    """Slack channel name or id (`#brand-alerts`); ignored by incoming webhooks."""
    min_negative: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    """Shorthand for `label = "negative"` with this `min_probability` (0 to 1)."""
    label: Literal["negative", "neutral", "positive"] = "negative"
    """Sentiment label a mention needs to alert (keywords alert regardless)."""
    min_probability: Annotated[float, Field(ge=0.0, le=1.0)] = 0.7
    """Probability of `label` a mention needs to alert (0 to 1)."""
    sources: list[str] = []
    """Only mentions from these source names (empty: any source)."""
    languages: list[str] = []
    """Only mentions in these languages, e.g. `["en", "ja"]` (empty: any)."""
    min_score: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    """Minimum reach: upvotes/points. With several reach keys, meeting any one is enough."""
    min_comments: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    """Minimum reach: number of comments."""
    min_followers: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    """Minimum reach: author followers or subreddit subscribers."""
    max_rating: Annotated[float, Field(ge=0.0, le=5.0)] | None = None
    """Reviews rated at most this many stars of 5 (other scales in proportion) alert
    whatever their text, e.g. `2`; see docs/alerts.md."""
    keywords: list[Annotated[str, Field(min_length=1)]] = []
    """Words that alert regardless of sentiment (`"lawsuit"`, `"炎上"`): NFKC,
    case-insensitive, whole words in spaced scripts, substrings in Japanese/Chinese."""
    mode: Literal["immediate", "digest"] = "immediate"
    """`immediate`, or `digest` to hold matches for the next `[digest] times`."""
    urgent: bool = False
    """Send even during `[digest] quiet_hours`."""
    flood_threshold: Annotated[int, Field(gt=0, le=1_000_000)] = 10
    """More negative mentions of one brand than this within `flood_window` (or a
    spike) become one incident message; the rest are folded into it, not posted."""
    flood_window: Seconds = 600.0
    """The window `flood_threshold` counts in."""


class DigestConfig(Strict):
    """When digests go out and when non-urgent alerts wait for them (in `[daemon] timezone`)."""

    times: list[Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]] = []
    """Local times (`"HH:MM"`) a digest per brand goes to each rule's channel."""
    quiet_hours: (
        Annotated[
            str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
        ]
        | None
    ) = None
    """`"22:00-07:00"`: inside, non-urgent alerts are held for the next digest (or
    the end of the quiet hours when no `times` are set)."""
    thread_window: Seconds = 21600.0
    """Mentions of one thread or page within this long become replies to the first."""


class SlackConfig(Strict):
    """Where alerts go; the secrets themselves stay in the environment."""

    token_env: str = "SLACK_BOT_TOKEN"  # noqa: S105 - a variable's name, not a secret
    """Environment variable holding the bot token (`xoxb-…`); wins over the webhook."""
    webhook_env: str = "SLACK_WEBHOOK_URL"
    """Environment variable holding an incoming-webhook URL."""
    app_token_env: str = "SLACK_APP_TOKEN"  # noqa: S105 - a variable's name
    """Environment variable holding the app-level token (`xapp-…`); with it and the
    bot token, alerts get a "Mark handled" button answered over Socket Mode by
    `earful run` or `earful alerts listen`."""
    base_url: str | None = None
    """Slack Web API base URL, for proxies and tests (default: Slack's own)."""
    max_attempts: Annotated[int, Field(gt=0, le=100)] = 5
    """Delivery attempts before an alert is marked failed."""
    retry_backoff: Seconds = 30.0
    """Wait before the first retry; doubles each attempt (±50 % jitter, at most 1 h)."""


class CrawlerConfig(Politeness, Strict):
    """Crawl etiquette and limits shared by every spider (robots.txt is always obeyed)."""

    timeout: Seconds = 600.0
    """A crawl running longer than this is stopped and recorded as failed."""

    @field_validator(
        "request_timeout", "download_delay", "retry_backoff", mode="before"
    )
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)

    def politeness(self) -> Politeness:
        """The etiquette a crawl child process applies."""
        return Politeness.model_validate(self.model_dump(exclude={"timeout"}))


class DaemonConfig(Strict):
    """How ``earful run`` schedules its jobs and when ``earful status`` calls it unhealthy."""

    timezone: str = "UTC"
    """IANA time zone for cron expressions and digests (e.g. `Europe/Berlin`)."""
    score_every: Seconds = 30.0
    """How often new mentions are scored (and right after a crawl, see
    `score_after_crawl`)."""
    deliver_every: Seconds = 15.0
    """How often alerts are queued and delivered (and right after scoring, see
    `score_after_crawl`)."""
    score_after_crawl: bool = True
    """Score right after a crawl that stored new or edited mentions, and deliver right
    after scoring, so alerts do not wait for `score_every` and `deliver_every`; false
    scores and delivers on those schedules only."""
    misfire_grace: Seconds = 300.0
    """A run missed (daemon down or busy) by less than this still runs, once."""
    workers: Annotated[int, Field(gt=0, le=64)] = 4
    """Jobs that may run at the same time."""
    persist_jobs: bool = True
    """Keep job state in the database (table `apscheduler_jobs`) across restarts."""
    unhealthy_after: Seconds = 3600.0
    """`earful status` exits 1 when a source has failed for longer than this."""
    store_retry_for: Seconds = 300.0
    """Database errors in the scheduler's job store and heartbeat are retried with
    backoff this long; then `earful run` exits with status 1 for its service manager
    to restart it."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r} (use an IANA name like 'Europe/Berlin')"
            raise ValueError(msg) from None
        return value


class ReplyTemplateConfig(Strict):
    """A reply template (`[[response.templates]]`) for one brand and language."""

    brand: Annotated[str, Field(min_length=1, max_length=100)]
    """The brand it answers for (a `[[brands]]` name)."""
    language: Annotated[str, Field(max_length=16)] = ""
    """The mention language it is for (`ja`, `en`); empty: any language."""
    text: Annotated[str, Field(min_length=1, max_length=3000)]
    """The reply, with `{author}`, `{product}` (the brand) and `{channel}` (where
    it was posted) filled in; "Draft reply" in Slack opens it for editing."""

    @field_validator("text")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            names = placeholders_in(value)
        except ValueError as exc:
            msg = f"broken braces ({exc}): write {{{{ and }}}} for literal braces"
            raise ValueError(msg) from None
        unknown = [n for n in names if n not in PLACEHOLDERS]
        if unknown:
            known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
            bad = ", ".join(f"{{{n}}}" for n in unknown)
            msg = f"unknown placeholder {bad}: use {known}"
            raise ValueError(msg)
        return value


class ResponseConfig(Strict):
    """How fast the team answers, where Earful sees it answered, reply templates."""

    target: Seconds = 7200.0
    """Answer an alerted mention within this (`2h`, `30m`); `earful stats
    --response`, the dashboard and the digest show the share replied in time."""
    own_accounts: dict[
        Annotated[str, Field(min_length=1)],
        list[Annotated[str, Field(min_length=1, max_length=256)]],
    ] = {}
    """The brand's own account names per source name or source type, e.g.
    `reddit = ["AcmeSupport"]`: a post by one of them in a thread marks the
    thread's earlier alerted mentions replied (Google Play developer replies
    are seen without this). Their posts are stored as the brand's replies,
    never as a mention of any brand (every source type but Bluesky)."""
    templates: list[ReplyTemplateConfig] = []
    """Reply templates (`[[response.templates]]`), per brand and language."""

    def accounts_on(self, source: str, source_type: str) -> tuple[str, ...]:
        """The brand's account names on the source named ``source``, by name or type."""
        names = [
            *self.own_accounts.get(source, ()),
            *self.own_accounts.get(source_type, ()),
        ]
        return tuple(dict.fromkeys(names))

    def reply_templates(self) -> list[ReplyTemplate]:
        """The templates as the Slack listener takes them."""
        return [ReplyTemplate(t.brand, t.text, t.language) for t in self.templates]


class Config(Strict):
    """The whole ``earful.toml``."""

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: `sqlite:///earful.db` or `postgresql+psycopg://user@host/db`
    (env `EARFUL_DATABASE_URL` overrides; put passwords there, not here)."""
    brands: Annotated[list[BrandConfig], Field(min_length=1)]
    """The brands to watch (`[[brands]]`), at least one."""
    sources: list[Source] = []
    """Where to look (`[[sources]]`), each with a `type`."""
    sentiment: SentimentConfig = SentimentConfig()
    """The sentiment model (`[sentiment]`)."""
    alerts: list[AlertConfig] = []
    """Alert rules (`[[alerts]]`)."""
    slack: SlackConfig = SlackConfig()
    """Slack delivery (`[slack]`)."""
    digest: DigestConfig = DigestConfig()
    """Digests and quiet hours (`[digest]`)."""
    crawler: CrawlerConfig = CrawlerConfig()
    """Crawl etiquette and limits (`[crawler]`)."""
    daemon: DaemonConfig = DaemonConfig()
    """Scheduling and health checks of `earful run` (`[daemon]`)."""
    aspects: list[AspectConfig] = []
    """Aspects to track besides the built-in ones (`[[aspects]]`)."""
    builtin_aspects: bool = True
    """Detect the built-in aspects: delivery, price, support, quality, usability."""

    def aspect_rules(self) -> list[AspectRule]:
        """The built-in aspects (unless switched off), then the team's."""
        builtin = list(builtin_rules()) if self.builtin_aspects else []
        return builtin + [a.rule() for a in self.aspects]

    response: ResponseConfig = ResponseConfig()
    """The response workflow: reply target, own accounts (`[response]`)."""

    @model_validator(mode="after")
    def _references(self) -> Config:
        problems = []
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"source names must be unique: {', '.join(dupes)}")
        brands = {b.name for b in self.brands}
        for i, template in enumerate(self.response.templates):
            if template.brand not in brands:
                problems.append(
                    f"response.templates[{i}].brand: unknown brand {template.brand!r}"
                    f" (known: {', '.join(sorted(brands))})"
                )
        for i, rule in enumerate(self.alerts):
            unknown = [b for b in rule.brands if b not in brands]
            if unknown:
                problems.append(
                    f"alerts[{i}].brands: unknown brand {', '.join(map(repr, unknown))}"
                    f" (known: {', '.join(sorted(brands))})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if (problem := database_url_problem(value)) is not None:
            raise ValueError(problem)
        return normalize_url(value)  # postgres:// as psycopg 3 takes it

    def secret_values(self) -> list[str]:
        """Every secret this config reaches, for the logs to mask: the Slack tokens
        and webhook, Reddit app secrets, and the database password."""
        found = [self.slack_token, self.slack_app_token, self.slack_webhook_url]
        values = [s.get_secret_value() for s in found if s is not None]
        values += [
            secret
            for source in self.sources
            if isinstance(source, RedditSource)
            and (secret := source.credentials().client_secret)
        ]
        values += [
            secret
            for source in self.sources
            for key in API_SECRETS.get(type(source), ())
            if (secret := os.environ.get(getattr(source, key), "").strip())
        ]
        values += [
            access.token
            for source in self.sources
            if isinstance(source, MastodonSource)
            for access in source.params().instances
            if access.token
        ]
        values += [
            secret
            for source in self.sources
            if isinstance(source, BlueskySource)
            and (secret := source.credentials().app_password)
        ]
        password = make_url(self.database_url).password
        return [*values, str(password)] if password else values

    def unset_secrets(self) -> list[str]:
        """One line per secret variable the file names explicitly that is unset.

        Naming ``token_env`` (or any ``*_env`` key) says "send with this"; an
        unset variable then would mean alerts or sources quietly going nowhere.
        A Bluesky source with ``search`` needs its account variables, named or not.
        The defaults (``SLACK_BOT_TOKEN``…) may stay unset: alerts then go to
        the console.
        """
        wanted = [
            (f"slack.{key}", str(getattr(self.slack, key)))
            for key in ("token_env", "webhook_env", "app_token_env")
            if key in self.slack.model_fields_set
        ]
        for i, source in enumerate(self.sources):
            if isinstance(source, RedditSource) and source.enabled:
                wanted += [
                    (f"sources[{i}].{key}", str(getattr(source, key)))
                    for key in ("client_id_env", "client_secret_env", "user_agent_env")
                    if key in source.model_fields_set and source.praw_site is None
                ]
            wanted += [
                (f"sources[{i}].{key}", str(getattr(source, key)))
                for key in API_SECRETS.get(type(source), ())
                if key in source.model_fields_set and source.enabled
            ]
            if isinstance(source, MastodonSource) and source.enabled:
                wanted += [
                    (f"sources[{i}].token_envs", env)
                    for env in source.token_envs.values()
                ]
            if isinstance(source, BlueskySource) and source.enabled and source.search:
                wanted += [
                    (f"sources[{i}].{key}", str(getattr(source, key)))
                    for key in ("handle_env", "app_password_env")
                ]
        return [
            f"{where}: environment variable {name} is not set (set it, or remove "
            f"{where.rpartition('.')[2]} from the config)"
            for where, name in wanted
            if self.secret(name) is None
        ]

    def secret(self, env_name: str) -> SecretStr | None:
        """The secret held by environment variable ``env_name``, if set."""
        value = os.environ.get(env_name, "").strip()
        return SecretStr(value) if value else None

    @property
    def slack_token(self) -> SecretStr | None:
        """The Slack bot token from the environment variable the config names."""
        return self.secret(self.slack.token_env)

    @property
    def slack_app_token(self) -> SecretStr | None:
        """The Slack app-level token (Socket Mode) from the environment."""
        return self.secret(self.slack.app_token_env)

    @property
    def slack_webhook_url(self) -> SecretStr | None:
        """The Slack incoming-webhook URL from the environment."""
        return self.secret(self.slack.webhook_env)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in SOURCE_TYPES:  # the discriminator tag pydantic inserts
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (inside lists, optionals, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table holding ``loc``'s last key accepts; [] where unsure."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        found = _models_in(field.annotation) if field is not None else []
        if len(found) != 1:  # a source's union: which kind is unknown here
            return []
        model = found[0]
    return list(model.model_fields)


def _messages(origin: str, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
            close = difflib.get_close_matches(str(err["loc"][-1]), _keys_at(err["loc"]))
            if close:
                message = f"unknown key: did you mean `{close[0]}`?"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"] == "finite_number":
            message = "must be a finite number"
        elif err["type"] == "int_parsing_size":
            message = "is far too large for a whole number here"
        lines.append(f"{origin}: {_location(err['loc'])}: {message}")
    return lines


def parse_config(
    data: dict[str, Any], origin: str = "earful.toml", *, environ: bool = True
) -> Config:
    """Validate already-parsed TOML; with ``environ``, the environment overrides it."""
    env_url = os.environ.get(DATABASE_URL_ENV) if environ else None
    if env_url:
        data = {**data, "database_url": env_url}
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_messages(origin, exc)) from None


def load_config(path: Path) -> Config:
    """Read and validate ``path``; every problem is reported in one ``ConfigError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: no such file (copy the example from the README)"
        raise ConfigError([msg]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
    return parse_config(data, str(path))
