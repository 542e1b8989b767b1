"""One text, one score: the real default model gives a text the same probabilities
alone, in a batch of any size, or beside a long neighbour (marked slow).

The measure from #25: the largest probability difference is at most 0.01 and no
label changes. Dynamic int8 quantisation broke it (a text's activation scale was
taken over its whole padded batch); the int8 graph now runs each row alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment import Score, load_scorer
from sentiment.labels import LABELS

JAPANESE = [
    "アクメのアプリ、ネットワークエラーとでる はいれません",
    "アクメのレシピは多いけど、同期がよく止まる",
    "アクメ神アプリ。やばい、これなしじゃ生きていけないレベル",
    "アプデ多すぎ",
    "サポートの対応が早くて助かりました！",
    "届いた箱が潰れてた…中身は無事だったけど",
    "新しいプラン、料金据え置きで容量倍とか最高では",
    "熱中したいなー。いま熱中してることは何だろうか。",
    "明日の午後に店舗で受け取り予定です",
    "ログインできない😭",
    "草",
    "もう二度と使わない。返金もされないし問い合わせも無視。",
]
ENGLISH = [
    "The app keeps crashing since the last update.",
    "Great service, thank you!",
    "Store opens at 9 on Monday.",
    "meh",
    "Honestly the best support team I've dealt with this year",
    "Refund still not here after three weeks. Unacceptable.",
]
LONG = (
    "ホテルの部屋は広くて清潔でした。朝食も種類が多く満足です。" * 40
    + "The checkout queue was slow, but the staff were kind. " * 30
)
TOLERANCE = 0.01


def _gap(ours: list[Score], theirs: list[Score]) -> tuple[float, list[int]]:
    """Largest probability difference, and the rows whose label changed."""
    largest = max(
        abs(a.probabilities[label] - b.probabilities[label])
        for a, b in zip(ours, theirs, strict=True)
        for label in LABELS
    )
    changed = [
        i
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if a.label != b.label
    ]
    return largest, changed


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.mark.slow
@pytest.mark.parametrize("texts", [JAPANESE, ENGLISH, JAPANESE + ENGLISH])
def test_a_text_scores_the_same_alone_in_a_batch_and_beside_a_long_one(
    cache: Path, texts: list[str]
) -> None:
    scorer = load_scorer(cache_dir=cache, batch_size=64)
    small_batches = load_scorer(cache_dir=cache, batch_size=3)
    alone = [scorer.score([text])[0] for text in texts]
    runs = {
        "one batch": scorer.score(texts),
        "batches of 3": small_batches.score(texts),
        "beside a long text": [scorer.score([text, LONG])[0] for text in texts],
        "reversed": scorer.score(texts[::-1])[::-1],
    }
    for name, scores in runs.items():
        largest, changed = _gap(alone, scores)
        assert largest <= TOLERANCE, (name, largest)
        assert not changed, (name, [texts[i] for i in changed])
