"""Load and validate ``earful.toml`` into typed models, collecting every error at once.

Precedence, highest first: command-line flag > environment > file > defaults.
The file never holds a secret: it names the environment variable that does
(``token_env = "SLACK_BOT_TOKEN"``), resolved to a ``SecretStr`` at load time.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Final,
    Literal,
    TypeVar,
    Union,
    get_args,
)
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
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
from crawlers.collector import (
    Name,
    Seconds,
    SourceSettings,
    parse_duration,
)
from crawlers.match import BrandRule
from crawlers.politeness import Politeness
from crawlers.query import QueryError, evaluate, parse_query
from crawlers.registry import SOURCE_TYPES, settings_classes
from earful.errors import ConfigError
from storage import normalize_url

DEFAULT_DATABASE_URL = "sqlite:///earful.db"
DATABASE_URL_ENV = "EARFUL_DATABASE_URL"
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


Language = Literal["en", "ja"]  # the languages with a catalogue (alerts.catalog)


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
    display_name: dict[
        Language, Annotated[str, Field(min_length=1, max_length=100)]
    ] = {}
    """The brand's name per `[ui] language` where it differs from `name`, e.g.
    `{en = "Acme", ja = "アクメ"}`: the dashboard shows it (the database keeps
    `name`)."""
    terms: list[Annotated[str, Field(min_length=1)]] = []
    """Words or phrases that name the brand: case-insensitive, NFKC-normalised, whole
    words in spaced scripts and substrings in Japanese/Chinese."""
    query: str | None = None
    """Instead of `terms`: a query with `AND`, `OR`, `NOT`, parentheses and "quoted
    phrases" (or 「…」), e.g. `acme AND (blender OR mixer) NOT "acme corp"`; `earful
    mentions --search` and the dashboard's search read the same language. It must
    need some term to be found: a query of only `NOT ...` would match every text, so
    it is an error."""
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


if TYPE_CHECKING:
    Source = SourceSettings
else:  # the discriminated union of every registered kind's settings
    Source = Annotated[Union[tuple(settings_classes())], Field(discriminator="type")]  # noqa: UP007


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


class UIConfig(Strict):
    """What people read (`[ui]`)."""

    language: Language = "en"
    """`"ja"` or `"en"`: the language of the dashboard, from the catalogues in
    `alerts/locale` (Slack messages and digests are still English)."""


class DaemonConfig(Strict):
    """How ``earful run`` schedules its jobs and when ``earful status`` calls it unhealthy."""

    timezone: str = "UTC"
    """IANA time zone (e.g. `Asia/Tokyo`) for cron expressions, quiet hours and
    digests, and for what people read: times in the CLI and the dashboard (shown
    with the zone's abbreviation, `2026-03-02 00:30 JST`), `earful stats` and
    dashboard day and week buckets, and `--since`/`--until` dates."""
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
    """Keep each job's next run across restarts (saved in table `scheduled_jobs`)."""
    unhealthy_after: Seconds = 3600.0
    """`earful status` exits 1 when a source has failed for longer than this."""
    store_retry_for: Seconds = 300.0
    """Database errors writing the heartbeat and saved schedule are retried this
    long; then `earful run` exits with status 1 for its service manager to restart
    it."""

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


class MastodonAccountConfig(Strict):
    """The brand's Mastodon account that posts approved replies."""

    instance: Annotated[str, Field(min_length=1, max_length=256)]
    """Its instance (`mstdn.jp` or a URL); mentions elsewhere are found there."""
    token_env: str = "EARFUL_REPLY_MASTODON_TOKEN"  # noqa: S105 - a variable's name
    """The environment variable holding its access token (scopes `read`,
    `write:statuses`)."""


class BlueskyAccountConfig(Strict):
    """The brand's Bluesky account that posts approved replies."""

    handle: Annotated[str, Field(min_length=1, max_length=256)]
    """Its handle (`acme.bsky.social`)."""
    app_password_env: str = "EARFUL_REPLY_BLUESKY_APP_PASSWORD"  # noqa: S105 - a name
    """The environment variable holding an app password of that account."""
    api_url: str | None = None
    """Its PDS or entryway (`https://bsky.social` when unset)."""


class RedditAccountConfig(Strict):
    """The brand's Reddit account, signed in through a script app, that posts replies."""

    username: Annotated[str, Field(min_length=1, max_length=64)]
    """Its user name (without `u/`)."""
    password_env: str = "EARFUL_REPLY_REDDIT_PASSWORD"  # noqa: S105 - a name
    """The environment variable holding its password."""
    client_id_env: str = "EARFUL_REPLY_REDDIT_CLIENT_ID"
    """The environment variable holding the script app's id (the app must list
    the account as a developer)."""
    client_secret_env: str = "EARFUL_REPLY_REDDIT_CLIENT_SECRET"  # noqa: S105
    """The environment variable holding the script app's secret."""


REPLY_SECRETS: Final = {
    "mastodon": ("token_env",),
    "bluesky": ("app_password_env",),
    "reddit": ("password_env", "client_id_env", "client_secret_env"),
}


class ReplyAccountsConfig(Strict):
    """The brand's own accounts that post replies once approved in Slack.

    Where none is set for a mention's network (or the network has no reply
    API), an approved draft stays a draft and the alert says where to answer."""

    mastodon: MastodonAccountConfig | None = None
    """`[response.accounts.mastodon]`: `instance`, `token_env`."""
    bluesky: BlueskyAccountConfig | None = None
    """`[response.accounts.bluesky]`: `handle`, `app_password_env`."""
    reddit: RedditAccountConfig | None = None
    """`[response.accounts.reddit]`: `username`, `password_env`, `client_id_env`,
    `client_secret_env`."""

    def secret_envs(self) -> list[tuple[str, str]]:
        """(``response.accounts.<network>.<key>``, variable) of every set account."""
        return [
            (f"response.accounts.{network}.{key}", str(getattr(account, key)))
            for network, keys in REPLY_SECRETS.items()
            if (account := getattr(self, network)) is not None
            for key in keys
        ]


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
    accounts: ReplyAccountsConfig = ReplyAccountsConfig()
    """The brand's accounts that post approved replies (`[response.accounts]`)."""

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
    ui: UIConfig = UIConfig()
    """The language people read (`[ui]`); times follow `[daemon] timezone`."""
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
        values += [v for source in self.sources for v in source.secret_values()]
        values += [
            reply_secret.get_secret_value()
            for _, env in self.response.accounts.secret_envs()
            if (reply_secret := self.secret(env)) is not None
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
        wanted += [
            (f"sources[{i}].{key}", env)
            for i, source in enumerate(self.sources)
            if source.enabled
            for key, env in source.secret_envs()
        ]
        wanted += self.response.accounts.secret_envs()
        return [
            f"{where}: environment variable {name} is not set (set it, or remove "
            f"{_remove_hint(where)} from the config)"
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


def _remove_hint(where: str) -> str:
    """What to remove to stop needing a variable: its key, or a reply account's table."""
    table, _, key = where.rpartition(".")
    return f"[{table}]" if table.startswith("response.accounts.") else key


_TAG_AT = 2  # ("sources", i, tag, ...)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    # pydantic inserts the kind's tag after `sources[i]`; a field named like a
    # kind elsewhere (a board source's `threads`) is kept
    tag_at = _TAG_AT if loc[:1] == ("sources",) else -1
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i == tag_at and part in SOURCE_TYPES:
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
