"""``earful stats --response``: response-time KPIs per source and type, exact output."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from earful.cli import main
from storage.cases import Actor, change, note_alerted
from storage.models import CaseState
from storage.queries import Match, upsert_mention

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def seed(sessions) -> None:
    match = [Match(brand="Acme", competitor=False, terms=("acme",))]
    with sessions() as s, s.begin():
        for ext, source, kind, title, published in [
            ("a", "reddit-acme", "reddit", "Acme support is broken", T0),
            ("b", "5ch-kaden", "board", "アクメの配送が遅すぎる", T0 - timedelta(hours=5)),
        ]:  # fmt: skip
            mention_id = upsert_mention(
                s,
                {
                    "source": source,
                    "source_type": kind,
                    "external_id": ext,
                    "title": title,
                    "text": title,
                    "published_at": published,
                },
                match,
            ).mention_id
            note_alerted(s, mention_id, T0 + timedelta(minutes=30))
            if ext == "a":
                change(
                    s, mention_id, Actor("dana", "slack"),
                    state=CaseState.REPLIED, now=T0 + timedelta(minutes=90),
                )  # fmt: skip


def test_stats_response(sqlite_url, open_db) -> None:
    seed(open_db(sqlite_url))
    args = [
        "stats",
        "--response",
        "--database-url",
        sqlite_url,
        "--since",
        "2026-11-01",
    ]
    result = CliRunner(env={"COLUMNS": "120"}).invoke(main, [*args, "--target", "2h"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:9] == [
        "alerted since 2026-11-01 00:00 UTC; target 2h",
        "",
        "source               alerted pub→alert  →action   →reply replied in time",
        "5ch-kaden                  1      5.5h        -        -       0      0%",
        "reddit-acme                1       30m      60m      60m       1    100%",
        "",
        "source type          alerted pub→alert  →action   →reply replied in time",
        "board                      1      5.5h        -        -       0      0%",
        "reddit                     1       30m      60m      60m       1    100%",
    ]
    assert lines[10] == "unanswered, oldest first:"
    assert re.fullmatch(
        r"  #2 \d+\.\dd old, new 5ch-kaden: アクメの配送が遅すぎる", lines[11]
    )
    bad = CliRunner().invoke(main, [*args, "--target", "soon"])
    assert bad.exit_code == 2
    assert "--target 'soon': give a duration such as 2h, 30m or 90s" in bad.output
