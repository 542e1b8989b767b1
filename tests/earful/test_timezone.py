"""Times shown and days bucketed in `[daemon] timezone`, saying which zone (issue 26.8).

A mention at 2026-03-01T15:30Z is 2026-03-02 00:30 in Tokyo: a Monday, so it
falls in another day and another week than in UTC. Europe/Berlin checks that
daylight saving (from 2026-03-29) is followed, not one fixed offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from earful.cli import main
from storage.compare import compare_over_time
from storage.localtime import fixed_offset
from storage.queries import Match, upsert_mention
from storage.stats import Window, volume_over_time

AT = {
    "before_midnight": datetime(2026, 3, 1, 14, 59, tzinfo=UTC),  # 23:59 JST
    "after_midnight": datetime(2026, 3, 1, 15, 30, tzinfo=UTC),  # 00:30 JST
    "summer_berlin": datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # 00:30 CEST
}
CONFIG = """
database_url = "{url}"

[[brands]]
name = "Acme"
terms = ["acme"]

[daemon]
timezone = "{zone}"
"""


@pytest.fixture
def url(database_url, open_db):
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        for name, at in AT.items():
            fields = {
                "source": "5ch", "source_type": "board", "external_id": name,
                "text": f"アクメ {name}", "language": "ja", "published_at": at,
            }  # fmt: skip
            upsert_mention(
                s, fields, [Match(brand="Acme", competitor=False, terms=("アクメ",))]
            )
    return database_url


@pytest.mark.parametrize(
    ("zone", "period", "expected"),
    [
        ("UTC", "day", {"2026-03-01": 2, "2026-03-29": 1}),
        ("Asia/Tokyo", "day", {"2026-03-01": 1, "2026-03-02": 1, "2026-03-30": 1}),
        ("Europe/Berlin", "day", {"2026-03-01": 2, "2026-03-30": 1}),
        ("Asia/Kolkata", "day", {"2026-03-01": 2, "2026-03-30": 1}),  # +05:30
        ("UTC", "week", {"2026-02-23": 2, "2026-03-23": 1}),
        ("Asia/Tokyo", "week", {"2026-02-23": 1, "2026-03-02": 1, "2026-03-30": 1}),
    ],
)
def test_stats_buckets_days_in_the_zone(url, open_db, zone, period, expected):
    sessions = open_db(url)
    with sessions() as s:
        for brand in (None, "Acme"):  # all mentions, or one brand's copy of the date
            window = Window(brand=brand, zone=zone)
            found = {v.key: v.total for v in volume_over_time(s, window, period)}
            assert found == expected, brand
        compared = compare_over_time(s, "earful-default", period, zone=zone)
        assert {p.period: p.mentions for p in compared} == expected


def test_fixed_offsets_are_found_and_dst_zones_are_not():
    assert fixed_offset("Asia/Tokyo") == timedelta(hours=9)
    assert fixed_offset("Asia/Kolkata") == timedelta(hours=5, minutes=30)
    assert fixed_offset("UTC") == timedelta(0)
    assert fixed_offset("Europe/Berlin") is None
    assert fixed_offset("Asia/Shanghai") is None  # daylight saving until 1991


def _cli(tmp_path, url, zone, *args):
    config = tmp_path / "earful.toml"
    config.write_text(CONFIG.format(url=url, zone=zone), encoding="utf-8")
    runner = CliRunner(env={"COLUMNS": "120"})
    result = runner.invoke(main, [args[0], "--config", str(config), *args[1:]])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_shows_times_and_days_in_the_zone(url, tmp_path):
    out = _cli(tmp_path, url, "Asia/Tokyo", "mentions", "--search", "midnight")
    assert [line[8:29] for line in out.splitlines()] == [
        "published            ",
        "2026-03-02 00:30 JST ",
        "2026-03-01 23:59 JST ",
    ]
    out = _cli(tmp_path, url, "Asia/Tokyo", "stats", "--top", "0")
    assert out.startswith(
        "day (Asia/Tokyo) mentions    neg    neu    pos    net\n"
        "2026-03-01              1      0      0      0  +0.00\n"
        "2026-03-02              1      0      0      0  +0.00\n"
        "2026-03-30              1      0      0      0  +0.00\n"
    )
    out = _cli(tmp_path, url, "Asia/Tokyo", "mentions", "--since", "2026-03-02",
               "--until", "2026-03-02")  # fmt: skip
    assert [line[8:29] for line in out.splitlines()[1:]] == ["2026-03-02 00:30 JST "]
    out = _cli(tmp_path, url, "Europe/Berlin", "mentions", "--search", "summer")
    assert out.splitlines()[1][8:29] == "2026-03-30 00:30 CEST"
