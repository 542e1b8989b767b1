"""Training the top encoder layers on cached states, with a tiny random XLM-R encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import XLMRobertaConfig, XLMRobertaModel

from sentiment.layer_cache import CUT_LAYER, POOLED_LAYERS, CachedSet
from sentiment.multilingual import LayerPool, save_head
from sentiment.top_layers import TopLayers, macro_recall, predict, train


@pytest.fixture
def encoder() -> XLMRobertaModel:
    torch.manual_seed(0)
    config = XLMRobertaConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=12,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=40,
    )
    return XLMRobertaModel(config, add_pooling_layer=False).train(mode=False)


def _cached(encoder: XLMRobertaModel, rows: list[list[int]]) -> CachedSet:
    """What layer_cache keeps, computed in fp32 torch, each row alone."""
    pooled, states = [], []
    with torch.no_grad():
        for row in rows:
            ids = torch.tensor([row])
            out = encoder(input_ids=ids, output_hidden_states=True)
            means = [out.hidden_states[i][0].mean(dim=0) for i in POOLED_LAYERS]
            pooled.append(torch.cat(means).numpy())
            states.append(out.hidden_states[CUT_LAYER][0].numpy().astype(np.float16))
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in states])])
    labels = np.array([len(row) % 3 for row in rows])
    return CachedSet("tiny", np.stack(pooled), np.concatenate(states), offsets, labels)


def _top(encoder: XLMRobertaModel) -> TopLayers:
    width = 3 * encoder.config.hidden_size
    return TopLayers(
        encoder,
        mean=torch.zeros(width),
        scale=torch.ones(width),
        weight=torch.zeros(3, width),
        bias=torch.zeros(3),
    )


ROWS = [[0, 5, 6, 7, 2], [0, 9, 2], [0, 11, 12, 13, 14, 15, 16, 2], [0, 3, 3, 2]] * 3


def test_padded_batches_give_each_row_the_whole_encoders_features(encoder) -> None:
    cached = _cached(encoder, ROWS)
    features = predict(_top(encoder), cached, raw=True, size=5)
    pool = LayerPool(encoder, (*POOLED_LAYERS, 12))
    with torch.no_grad():
        for i, row in enumerate(ROWS):
            ids = torch.tensor([row])
            expected = pool(ids, torch.ones_like(ids))[0].numpy()
            np.testing.assert_allclose(features[i], expected, atol=2e-3)


def test_training_moves_the_top_layers_and_saves_them_under_encoder_names(
    encoder, tmp_path: Path
) -> None:
    cached = _cached(encoder, ROWS)
    model = _top(encoder)
    before = model.layer_state()
    train(model, [cached], [np.ones(len(ROWS))], epochs=3, lr=1e-2, seed=1)
    after = model.layer_state()
    assert set(after) <= set(encoder.state_dict())
    assert {name.split(".")[2] for name in after} == {"10", "11"}
    assert any(not torch.equal(before[k], after[k]) for k in after)
    assert macro_recall(predict(model, cached), cached.labels) > 0.5
    path = save_head(
        tmp_path,
        layers=(6, 9, 12),
        mean=model.mean,
        scale=model.scale,
        weight=model.head.weight.detach(),
        bias=model.head.bias.detach(),
        metadata={},
        encoder_layers=after,
    )
    stored = load_file(path)
    assert stored["weight"].dtype == torch.float32
    name = "encoder.layer.11.output.dense.weight"
    assert stored[name].dtype == torch.float16
    torch.testing.assert_close(stored[name].float(), after[name], atol=1e-3, rtol=1e-3)
