"""Markdown reference pages generated from the code (run by cog; checked in CI)."""

from __future__ import annotations

import inspect
import json

import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from crawlers.recipes import Recipe
from crawlers.registry import KINDS, settings_class
from earful.cli import main
from earful.config import (
    AlertConfig,
    AspectConfig,
    BlueskyAccountConfig,
    BrandConfig,
    Config,
    CrawlerConfig,
    DaemonConfig,
    MastodonAccountConfig,
    RedditAccountConfig,
    ReplyAccountsConfig,
    ReplyTemplateConfig,
    ResponseConfig,
    SentimentConfig,
    SlackConfig,
    UIConfig,
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined or isinstance(value, BaseModel):
        return ""
    if value is None:
        return "unset"
    return f"`{_toml(value)}`"


def _table(model: type[BaseModel]) -> list[str]:
    lines = ["| key | default | meaning |", "| --- | --- | --- |"]
    for name, field in model.model_fields.items():
        if name == "type":
            continue
        doc = " ".join((field.description or "").split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {_default(field)} | {doc} |")
    return lines


def _source_models() -> list[tuple[str, type[BaseModel]]]:
    """Each registered kind's settings, and the sub-tables they name."""
    found: list[tuple[str, type[BaseModel]]] = []
    for kind in KINDS:
        model = settings_class(kind)
        found.append((f'`[[sources]]` with `type = "{kind}"`', model))
        if "selectors" in model.model_fields:
            title = f"`[sources.selectors]` (a `{kind}` source's own recipe)"
            found.append((title, Recipe))
    return found


def _sub_models() -> list[tuple[str, type[BaseModel]]]:
    return [
        ("top level", Config),
        ("`[[brands]]`", BrandConfig),
        *_source_models(),
        ("`[sentiment]`", SentimentConfig),
        ("`[[alerts]]`", AlertConfig),
        ("`[[aspects]]`", AspectConfig),
        ("`[slack]`", SlackConfig),
        ("`[crawler]`", CrawlerConfig),
        ("`[daemon]`", DaemonConfig),
        ("`[ui]`", UIConfig),
        ("`[response]`", ResponseConfig),
        ("`[[response.templates]]`", ReplyTemplateConfig),
        ("`[response.accounts]`", ReplyAccountsConfig),
        ("`[response.accounts.mastodon]`", MastodonAccountConfig),
        ("`[response.accounts.bluesky]`", BlueskyAccountConfig),
        ("`[response.accounts.reddit]`", RedditAccountConfig),
    ]


def config_reference() -> str:
    """One table per section of ``earful.toml``."""
    out: list[str] = []
    for title, model in _sub_models():
        out += [
            f"### {title}",
            "",
            inspect.cleandoc(model.__doc__ or ""),
            "",
            *_table(model),
            "",
        ]
    return "\n".join(out).rstrip()


def documented_keys() -> set[str]:
    """Every ``section.key`` the reference documents (for the docs test)."""
    return {
        f"{title}.{name}"
        for title, model in _sub_models()
        for name in model.model_fields
        if name != "type"
    }


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        full = f"{prefix} {name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += _commands(command, full)
    return found


def all_commands() -> list[tuple[str, click.Command]]:
    """``(full name, command)`` for ``earful`` and every sub-command."""
    return [("earful", main), *_commands(main, "earful")]


def cli_reference() -> str:
    """The ``--help`` text of every command, in order."""
    out: list[str] = []
    for full, command in all_commands():
        ctx = click.Context(command, info_name=full)
        out += [f"### `{full}`", "", "```", command.get_help(ctx), "```", ""]
    return "\n".join(out).rstrip()
