"""`earful sentiment rescore`: scores an older model made are made again, the rest kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from storage import Mention, SentimentResult
from storage.queries import Match, save_score, scored_since, upsert_mention

ACME = [Match(brand="Acme", competitor=False, terms=("アクメ",))]
OLD = "0123456789abcdef"  # what the English-only default stored, unprefixed


def _seed(sessions) -> None:
    """Three Japanese mentions the English-only model called neutral."""
    with sessions() as s, s.begin():
        for external_id, text, age in [
            ("recent", "アクメの配送が遅すぎる。二度と買わない。", timedelta(days=1)),
            ("also-recent", "アクメの店員さんがとても親切でした。", timedelta(days=2)),
            ("old", "アクメの商品が壊れていた。最悪です。", timedelta(days=30)),
        ]:
            fields = {
                "source": "reviews",
                "source_type": "reviews",
                "external_id": external_id,
                "text": text,
                "language": "ja",
                "published_at": datetime.now(UTC) - age,
            }
            upsert_mention(s, fields, ACME)
        for mention in s.scalars(select(Mention)):
            save_score(
                s,
                mention,
                model_id="earful-default",
                model_revision=OLD,
                label="neutral",
                probabilities={"negative": 0.01, "neutral": 0.9, "positive": 0.09},
            )


def test_scored_since_pages_by_id_and_skips_older_mentions(database_url, open_db):
    sessions = open_db(database_url)
    _seed(sessions)
    since = datetime.now(UTC) - timedelta(days=7)
    with sessions() as s:
        first = scored_since(s, "earful-default", since, limit=1)
        rest = scored_since(s, "earful-default", since, after_id=first[0][0].id)
        assert [m.external_id for m, _ in first + rest] == ["recent", "also-recent"]
        assert {r.model_revision for _, r in first + rest} == {OLD}
        assert scored_since(s, "another-model", since) == []


@pytest.mark.slow
def test_rescore_remakes_old_scores_of_the_period_with_the_current_model(
    sqlite_url, open_db, tmp_path: Path
) -> None:
    sessions = open_db(sqlite_url)
    _seed(sessions)
    config = tmp_path / "earful.toml"
    config.write_text(
        f'database_url = "{sqlite_url}"\n\n[[brands]]\nname = "Acme"\n'
        'terms = ["アクメ"]\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["sentiment", "rescore", "--since", "7d", "--config", str(config)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Checked 2 scored mentions since" in result.output
    assert ": 2 re-scored with earful-default @ " in result.output
    with sessions() as s:
        scores = {
            r.mention.external_id: (r.label, r.model_revision)
            for r in s.scalars(select(SentimentResult))
        }
    assert scores["recent"][0] == "negative"
    assert scores["recent"][1] not in {OLD, ""}
    assert scores["also-recent"][0] == "positive"
    assert scores["old"][1] == OLD  # outside the period: kept as it was
    again = runner.invoke(main, args, catch_exceptions=False)
    assert ": 0 re-scored" in again.output  # nothing stale is left
    forced = runner.invoke(main, [*args, "--all"], catch_exceptions=False)
    assert ": 2 re-scored" in forced.output


def test_rescore_rejects_a_bad_period(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["sentiment", "rescore", "--since", "last tuesday", "--config", "x.toml"]
    )
    assert result.exit_code == 2
    assert "'last tuesday' is not a date" in result.output
