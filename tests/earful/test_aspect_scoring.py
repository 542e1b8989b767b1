"""Aspects scored with the real default model: each clause on its own, on score and rescore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from earful.config import load_config
from earful.pipeline import Pipeline
from storage.models import Mention, MentionAspect
from storage.queries import Match, upsert_mention

pytestmark = pytest.mark.slow

ACME = [Match(brand="Acme", competitor=False, terms=("acme",))]
TEXTS = {
    # positive about delivery, negative about quality and support
    "ja-mixed": (
        "ja",
        "アクメの配送がとても早くて最高でした。しかし品質が最悪で、すぐ壊れた。",
    ),
    "en-mixed": (
        "en",
        "Acme shipping was fast and great. The quality is awful, it broke.",
    ),
    "ja-battery": ("ja", "アクメの電池がすぐ切れる。最悪。"),
    "en-plain": ("en", "Acme launched a kettle today."),
}


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(
        f'database_url = "{url}"\n\n[[brands]]\nname = "Acme"\nterms = ["acme", "アクメ"]\n'
        '\n[[aspects]]\nname = "battery"\nterms = ["電池", "バッテリー"]\nlanguages = ["ja"]\n',
        encoding="utf-8",
    )
    return path


def _aspects(sessions) -> dict[str, dict[str, tuple[str, str]]]:
    with sessions() as s:
        rows = s.execute(
            select(Mention.external_id, MentionAspect).join(
                MentionAspect, MentionAspect.mention_id == Mention.id
            )
        ).all()
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for external_id, a in rows:
        found.setdefault(external_id, {})[a.aspect] = (a.label, a.basis)
    return found


def test_score_and_rescore_store_each_aspects_polarity(tmp_path, database_url, open_db):
    config = load_config(_config(tmp_path, database_url))
    sessions = open_db(database_url)
    with sessions() as s, s.begin():
        for external_id, (language, text) in TEXTS.items():
            fields = {
                "source": "reviews", "source_type": "reviews",
                "external_id": external_id, "text": text, "language": language,
                "published_at": datetime.now(UTC) - timedelta(hours=1),
            }  # fmt: skip
            upsert_mention(s, fields, ACME)
    pipeline = Pipeline(config)
    try:
        assert pipeline.score()[0] == 4
    finally:
        pipeline.close()
    found = _aspects(sessions)
    assert found["ja-mixed"] == {
        "delivery": ("positive", "clause"),
        "quality": ("negative", "clause"),
    }
    assert found["en-mixed"]["delivery"] == ("positive", "clause")
    assert found["en-mixed"]["quality"] == ("negative", "clause")
    assert found["ja-battery"]["battery"][0] == "negative"  # the team's own aspect
    assert "en-plain" not in found  # neutral: no aspects

    with sessions() as s, s.begin():  # the rescore path rewrites, never duplicates
        s.execute(MentionAspect.__table__.delete())
    args = ["sentiment", "rescore", "--since", "7d", "--all", "--config"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "earful.toml")])
    assert result.exit_code == 0, result.output
    assert _aspects(sessions) == found
