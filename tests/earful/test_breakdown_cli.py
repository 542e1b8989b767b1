"""``earful stats --aspects`` and ``--compare``: exact output on SQLite and PostgreSQL."""

from __future__ import annotations

from click.testing import CliRunner

from earful.cli import main
from tests.storage.analyst_seed import seed
from tests.storage.aspect_seed import seed_aspects


def _stats(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["stats", "--database-url", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _seeded(url: str, open_db) -> str:
    sessions = open_db(url)
    seed_aspects(sessions, seed(sessions))
    return url


def test_stats_aspects_exact(database_url, open_db):
    url = _seeded(database_url, open_db)
    assert _stats(url, "--aspects", "--brand", "Acme") == (
        "brand            aspect         mentions    neg    neu    pos  neg %\n"
        "Acme             quality               3      2      0      1    67%\n"
        "Acme             delivery              1      1      0      0   100%\n"
    )
    assert _stats(url, "--aspects", "--since", "2027-01-01") == (
        "brand            aspect         mentions    neg    neu    pos  neg %\n"
        "no aspects in this period (aspects are found when mentions are scored)\n"
    )


def test_stats_compare_exact(database_url, open_db):
    url = _seeded(database_url, open_db)
    assert _stats(url, "--compare", "--by", "week") == (
        "                              Acme    Globex *\n"
        "mentions                         5           5\n"
        "net sentiment                -0.40       -0.20\n"
        "share of voice               50.0%       50.0%\n"
        "negative: quality         67% of 3           -\n"
        "negative: delivery       100% of 1     0% of 2\n"
        "negative: price                  -   100% of 1\n"
        "negative: support                -   100% of 1\n"
        "\n"
        "* competitor; response times are not compared (not recorded yet)\n"
        "\n"
        "week: mentions (net)          Acme    Globex *\n"
        "2026-11-02               2 (+0.00)           -\n"
        "2026-11-09               2 (-1.00)   4 (-0.25)\n"
        "2026-11-16               1 (+0.00)   1 (+0.00)\n"
    )
