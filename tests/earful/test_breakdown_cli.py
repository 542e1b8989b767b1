"""``earful stats --aspects`` and ``--compare``: exact output on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from earful.cli import main
from storage import Mention
from storage.aspects import AspectScore, save_aspects
from storage.queries import Match, save_score, upsert_mention
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
        "negative: quality        67% of 3!           -\n"
        "negative: delivery      100% of 1!    0% of 2!\n"
        "negative: price                  -  100% of 1!\n"
        "negative: support                -  100% of 1!\n"
        "answered in public               -   20% of 5!\n"
        "median reply time                -       5.0 h\n"
        "\n"
        "* competitor; answers in public as the sites show them (e.g. developer replies)\n"
        "! Too few mentions to compare (fewer than 10): Acme 5 mentions, Globex 5"
        " mentions\n"
        "\n"
        "week (UTC)                    Acme    Globex *\n"
        "2026-11-02               2 (+0.00)           -\n"
        "2026-11-09               2 (-1.00)   4 (-0.25)\n"
        "2026-11-16               1 (+0.00)   1 (+0.00)\n"
    )


def test_japanese_brand_and_aspect_line_up(sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    with sessions() as s, s.begin():
        for n, brand in enumerate(["アクメ", "グロベックス"]):
            fields = {
                "source": "5ch", "source_type": "board", "external_id": f"ja-{n}",
                "text": f"{brand}の電池がすぐ切れる。", "language": "ja",
                "published_at": datetime(2026, 11, 20, tzinfo=UTC),
            }  # fmt: skip
            match = Match(brand=brand, competitor=n == 1, terms=(brand,))
            mention_id = upsert_mention(s, fields, [match]).mention_id
            probabilities = {"negative": 0.9, "neutral": 0.05, "positive": 0.05}
            save_score(
                s, s.get_one(Mention, mention_id), model_id="earful-default",
                model_revision="r1", label="negative", probabilities=probabilities,
            )  # fmt: skip
            save_aspects(
                s, mention_id, "earful-default",
                [AspectScore("電池", "negative", 0.9, "clause")],
            )  # fmt: skip
    out = _stats(sqlite_url, "--compare", "--model", "earful-default").splitlines()
    # 16-column cells: the widest name (14 columns) plus two
    assert out[0] == " " * 32 + "アクメ  グロベックス *"
    assert out[4] == "negative: 電池" + " " * 14 + "100% of 1!" + " " * 6 + "100% of 1!"
    assert out[9] == (
        "! Too few mentions to compare (fewer than 10): アクメ 1 mention, グロベックス"
        " 1 mention"
    )
    aspects = _stats(sqlite_url, "--aspects", "--model", "earful-default")
    assert (
        "グロベックス     電池                  1      1      0      0   100%"
        in aspects
    )
