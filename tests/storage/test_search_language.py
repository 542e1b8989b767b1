"""Search speaks the brand query language: phrases, OR, NOT, parentheses (issue 26.9).

On SQLite and PostgreSQL, with the folding brand matching uses, Japanese included.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import Mention
from storage.errors import SearchError
from storage.search import MentionQuery, find_mentions
from tests.storage.analyst_seed import MODEL, seed

# name: (title, text); the seed's mentions are there too
JAPANESE = {
    "phone": (None, "アクメのサポートは電話がつながらない。最悪"),
    "spaced": (None, "電話が　つながらない時間帯がある"),  # an ideographic space
    "login": ("ログインできない", "アプリに入れません"),
    "crash": (None, "ｱｸﾒのアプリがすぐ落ちる"),
    "solved": (None, "アプリが落ちる件はアップデートで解決しました"),
    "volta": ("ボルタ スレ", "ボルタのケトル買ったけど普通に良い"),
}
SEEDED = {"skates", "anvil", "delivery_ja", "globex", "hostile", "compare"}


@pytest.fixture
def db(database_url, open_db):
    sessions = open_db(database_url)
    ids = seed(sessions)
    with sessions() as s, s.begin():
        for name, (title, body) in JAPANESE.items():
            mention = Mention(
                source="forum",
                source_type="forum",
                external_id=name,
                title=title,
                text=body,
                published_at=datetime(2026, 11, 20, tzinfo=UTC),
                content_hash=name,
            )
            s.add(mention)
            s.flush()
            ids[name] = mention.id
    return sessions, {v: k for k, v in ids.items()}


def found(db, search: str) -> set[str]:
    sessions, names = db
    with sessions() as s:
        rows = find_mentions(s, MentionQuery(model_id=MODEL, text=search, limit=None))
    return {names[r.id] for r in rows}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ('"電話がつながらない"', {"phone"}),
        ("「電話がつながらない」", {"phone"}),
        ("『電話がつながらない』", {"phone"}),
        ("電話が つながらない", {"phone", "spaced"}),  # words: each somewhere
        ("「電話が　つながらない」", {"spaced"}),  # a phrase keeps its space
        ("サポート OR 配送", {"phone", "delivery_ja"}),
        ("「ログインできない」 OR 「落ちる」 NOT 解決", {"login", "crash"}),
        ("(落ちる OR ログイン) NOT 解決", {"login", "crash"}),
        ("(サポート OR ログイン) アクメ", {"phone"}),
        ("(サポート OR ログイン) AND ｱｸﾒ", {"phone"}),  # folded as matching folds
        ("アクメ AND NOT (サポート OR 配送)", {"crash"}),
        ('"rocket skates" OR GLOBEX', {"skates", "globex", "compare"}),
        ('"skates rocket"', set()),  # a phrase keeps its order
        ("ACME NOT skates", {"anvil", "hostile", "compare"}),
        ("NOT 品質 NOT ボルタ", SEEDED - {"delivery_ja"} | set(JAPANESE) - {"volta"}),
        ("NOT スレ", SEEDED | set(JAPANESE) - {"volta"}),  # a NULL title is no match
        ("acme*", set()),  # FTS5 syntax is only text
        ('"NEAR(acme globex)"', set()),
        ("50%", {"compare"}),  # LIKE wildcards are literal
    ],
)
def test_search_speaks_the_query_language(db, search, expected):
    assert found(db, search) == expected


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ('"電話', "the search does not parse: unbalanced quote at character 1"),
        ("サポート OR", "the search does not parse: a term is missing at the end"),
        ("(配送", "the search does not parse: missing ')'"),
        ('""', "the search does not parse: empty phrase"),
    ],
)
def test_a_search_that_does_not_parse_says_why(search, message):
    with pytest.raises(SearchError) as caught:
        MentionQuery(text=search)
    assert str(caught.value).startswith(message)
