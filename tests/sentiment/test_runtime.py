"""ONNX Runtime graphs: a quantised graph scores each text the same in any batch."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoTokenizer

from sentiment import load_scorer
from sentiment.runtime import OnnxClassifier, export_graph

TEXTS = ["good", "the food was awful", "i love this movie , not", "ok ok"]
LONG = "the service was very bad and the food was not good . " * 3


def _logits(runner: OnnxClassifier, tokenizer, texts: list[str]) -> torch.Tensor:
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    return runner(dict(batch))


def test_quantised_graph_gives_each_text_the_same_logits_in_any_batch(
    three_class: Path,
) -> None:
    model = load_scorer(str(three_class)).model
    tokenizer = AutoTokenizer.from_pretrained(three_class)
    runner = OnnxClassifier(model, 1, quantize=True)
    assert runner.rows_alone
    alone = torch.cat([_logits(runner, tokenizer, [text]) for text in TEXTS])
    together = _logits(runner, tokenizer, TEXTS)
    beside_long = torch.cat(
        [_logits(runner, tokenizer, [text, LONG])[:1] for text in TEXTS]
    )
    assert torch.equal(alone, together)
    assert torch.equal(alone, beside_long)


def test_a_cached_graph_keeps_running_rows_alone(three_class: Path, tmp_path) -> None:
    model = load_scorer(str(three_class)).model
    tokenizer = AutoTokenizer.from_pretrained(three_class)
    graph = tmp_path / "tiny.int8.onnx"
    graph.write_bytes(export_graph(model, quantize=True))
    runner = OnnxClassifier.from_file(graph, 1, rows_alone=True)
    alone = torch.cat([_logits(runner, tokenizer, [text]) for text in TEXTS])
    assert torch.equal(alone, _logits(runner, tokenizer, [*TEXTS, LONG])[:-1])
