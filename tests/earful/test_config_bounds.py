"""Every number in the config has an upper bound the schedulers and clients can take.

Each numeric key of every config model goes through inf, nan, huge, zero and
negative values: each is a config error naming the key (and, when too big,
the limit), or a value that loads; never an exception, never a value that
passes ``config check`` and then crash-loops ``earful run``.
"""

from __future__ import annotations

import math
import types
from datetime import UTC, datetime
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crawlers.collector import MAX_DURATION_S
from crawlers.registry import KINDS, settings_class
from earful.config import AlertConfig, Config, parse_config
from earful.errors import ConfigError
from earful.scheduler import job_specs

BRANDS = [{"name": "Acme", "terms": ["acme", "アクメ"]}]
SOURCE_NEEDS: dict[str, dict[str, Any]] = {
    "feed": {"url": "https://example.com/feed.xml"},
    "reviews": {"url": "https://example.com/reviews"},
    "forum": {"url": "https://example.com/forum", "recipe": "phpbb"},
    "comments": {"url": "https://example.com/2026/11/post/"},
    "hackernews": {"query": "acme"},
    "board": {"url": "https://egg.5ch.net/software/"},
    "appstore": {"app_id": 284882215, "about": "Acme"},
    "hatena": {"query": "acme"},
    "googleplay": {"app_id": "com.example.app", "about": "Acme"},
    "chiebukuro": {"query": "アクメ"},
    "reddit": {"subreddits": ["acme"]},
    "x": {},
    "youtube": {"search": True},
    "mastodon": {"instances": ["https://mastodon.example"]},
    "bluesky": {},
    "instagram": {"user_id": "17841405822304914"},
    "facebook": {"page_id": "104857600000001"},
    "threads": {"user_id": "25000000000000001"},
    "tiktok": {"business_id": "-000AcmeJp"},
}
SECTIONS = ("sentiment", "slack", "digest", "crawler", "daemon", "response")


def _numeric(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_numeric(a) for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        return _numeric(get_args(annotation)[0])
    return annotation in (int, float)


def _limits(field: FieldInfo) -> list[Any]:
    """The field's upper bounds, also from inside ``Annotated[...] | None``."""
    metadata = list(field.metadata)
    for arg in get_args(field.annotation):
        if get_origin(arg) is Annotated:
            for extra in get_args(arg)[1:]:
                metadata.extend(getattr(extra, "metadata", [extra]))
    return [
        m for m in metadata if isinstance(m, annotated_types.Le | annotated_types.Lt)
    ]


def _source_models() -> dict[str, type[BaseModel]]:
    return {kind: settings_class(kind) for kind in KINDS}


def _cases() -> list[tuple[str, dict[str, Any], str, type[BaseModel], str]]:
    """(label, a config dict without the key, where the key goes, model, key)."""
    cases = []
    for kind, model in sorted(_source_models().items()):
        for key, field in model.model_fields.items():
            if _numeric(field.annotation):
                base = {"name": "src", "type": kind, **SOURCE_NEEDS[kind]}
                cases.append((f"sources.{kind}.{key}", base, "sources", model, key))
    for section in SECTIONS:
        model = Config.model_fields[section].annotation
        for key, field in model.model_fields.items():
            if _numeric(field.annotation):
                cases.append((f"{section}.{key}", {}, section, model, key))
    for key, field in AlertConfig.model_fields.items():
        if _numeric(field.annotation):
            base = {"name": "a", "brands": ["Acme"], "channel": "#alerts"}
            cases.append((f"alerts.{key}", base, "alerts", AlertConfig, key))
    return cases


CASES = _cases()


def _config(where: str, base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    entry = {**base, key: value}
    data: dict[str, Any] = {"brands": BRANDS}
    data[where] = [entry] if where in {"sources", "alerts"} else entry
    return data


def _location(where: str, key: str) -> str:
    return f"{where}[0].{key}" if where in {"sources", "alerts"} else f"{where}.{key}"


def test_the_walk_finds_the_numeric_keys():
    labels = {label for label, *_ in CASES}
    assert {"sources.feed.interval", "sources.bluesky.jitter", "daemon.workers"} <= (
        labels
    )
    assert {"crawler.request_timeout", "alerts.flood_threshold"} <= labels
    assert len(CASES) > 60


@pytest.mark.parametrize(("label", "base", "where", "model", "key"), CASES)
def test_every_numeric_key_has_an_upper_bound(label, base, where, model, key):
    assert _limits(model.model_fields[key]), f"{label} has no upper bound"


@pytest.mark.parametrize(("label", "base", "where", "model", "key"), CASES)
@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 1e308, 10**20, 0, -1], ids=repr
)
def test_inf_nan_huge_zero_and_negative_are_errors_naming_the_key(
    label, base, where, model, key, value
):
    data = _config(where, base, key, value)
    try:
        config = parse_config(data, environ=False)
    except ConfigError as exc:
        [problem] = exc.problems
        assert problem.startswith(f"earful.toml: {_location(where, key)}: "), problem
        if isinstance(value, float) and not math.isfinite(value):
            assert "finite" in problem
        elif value in (1e308, 10**20):
            assert any(
                says in problem
                for says in ("at most", "less than or equal to", "far too large")
            )
        return
    assert value in (0, -1), f"{label} = {value!r} loaded"
    _schedule(config)


@pytest.mark.parametrize("value", ["99999999999d", "99999999999999999999", "9" * 400])
def test_a_huge_duration_string_is_an_error_naming_the_limit(value):
    data = _config(
        "sources",
        SOURCE_NEEDS["feed"] | {"name": "s", "type": "feed"},
        "interval",
        value,
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(data, environ=False)
    [problem] = caught.value.problems
    assert problem == (
        f"earful.toml: sources[0].interval: at most {MAX_DURATION_S:.0f} seconds (366d)"
    )


@pytest.mark.parametrize(("label", "base", "where", "model", "key"), CASES)
def test_the_largest_value_allowed_loads_and_schedules(label, base, where, model, key):
    limit = _limits(model.model_fields[key])[0]
    top = limit.le if isinstance(limit, annotated_types.Le) else limit.lt - 1
    _schedule(parse_config(_config(where, base, key, top), environ=False))


def _schedule(config: Config) -> None:
    """What ``earful run`` does first with the numbers: every job's next run time."""
    now = datetime.now(UTC)
    for spec in job_specs(config):
        spec.trigger.get_next_fire_time(None, now)
