"""Run the frozen lower encoder once per training text and keep what the top layers read.

Fine-tuning the whole encoder on 2 CPU cores runs at about 2 texts a second, so
`sentiment.train_multilingual` trains only the top layers and the head. What
sits below them never changes, so each text goes through the same int8 ONNX
graph that scores in production once, alone (as in production), and this
module keeps, per text: the mean-pooled outputs of the `POOLED_LAYERS` (head
features) and the token states of layer `CUT_LAYER` (the top layers' input).
Dynamic int8 quantisation takes each activation's scale from that activation
alone, so these states are exactly what the full production graph computes
below the cut.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast, XLMRobertaModel
from transformers.modeling_outputs import SequenceClassifierOutput

from sentiment.e5 import QUERY_PREFIX
from sentiment.runtime import OnnxClassifier

POOLED_LAYERS = (6, 9)
"""Hidden states (0 is the embeddings) whose means the head reads below the cut."""
CUT_LAYER = 10
"""Hidden state whose tokens the trained layers read: layers 11 and 12 are trained."""
MAX_TOKENS = 256

logger = logging.getLogger("sentiment.layer_cache")


@dataclass(frozen=True)
class CachedSet:
    """Layer states of one labelled set: row i's tokens are states[offsets[i]:offsets[i+1]]."""

    name: str
    pooled: np.ndarray  # (rows, hidden * 2) float32: means of the POOLED_LAYERS
    states: np.ndarray  # (tokens, hidden) float16: layer CUT_LAYER, all rows
    offsets: np.ndarray  # (rows + 1,) int64
    labels: np.ndarray  # (rows,) int64

    def rows(self, index: int) -> np.ndarray:
        """Token states of row `index` (float16)."""
        return self.states[self.offsets[index] : self.offsets[index + 1]]


class _LowerLayers(torch.nn.Module):
    """Encoder up to CUT_LAYER, dressed as a classifier whose 'logits' are token states.

    Output (1, tokens, 3 * hidden): the POOLED_LAYERS, then layer CUT_LAYER.
    """

    def __init__(self, encoder: XLMRobertaModel) -> None:
        super().__init__()
        self.encoder = encoder
        self.config = encoder.config

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> SequenceClassifierOutput:
        out = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            output_hidden_states=True,
        )
        layers = (*POOLED_LAYERS, CUT_LAYER)
        states = torch.cat([out.hidden_states[i] for i in layers], dim=-1)
        return SequenceClassifierOutput(logits=states)


def lower_runner(encoder: XLMRobertaModel, threads: int) -> OnnxClassifier:
    """The production int8 graph, cut at CUT_LAYER (layers above it are not run)."""
    lower = _LowerLayers(encoder)
    return OnnxClassifier(lower, threads, quantize=True)  # type: ignore[arg-type]


def cache_set(
    name: str,
    texts: Sequence[str],
    labels: np.ndarray,
    *,
    runner: OnnxClassifier,
    tokenizer: PreTrainedTokenizerFast,
    folder: Path | None,
) -> CachedSet:
    """Layer states of `texts`, read from `folder` when an earlier run stored them."""
    path = folder / (name.replace("/", "__") + ".npz") if folder else None
    if path is not None and path.is_file():
        stored = np.load(path)
        return CachedSet(name, **{k: stored[k] for k in stored.files})
    started = time.monotonic()
    ids = tokenizer(
        [QUERY_PREFIX + t for t in texts], truncation=True, max_length=MAX_TOKENS
    )["input_ids"]
    width = runner.session.get_outputs()[0].shape[-1]
    hidden = width // (len(POOLED_LAYERS) + 1)
    low = width - hidden
    pooled = np.zeros((len(ids), low), dtype=np.float32)
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(row) for row in ids])
    states = np.zeros((int(offsets[-1]), hidden), dtype=np.float16)
    for i, row in enumerate(ids):
        batch = torch.tensor([row])
        out = runner({"input_ids": batch, "attention_mask": torch.ones_like(batch)})
        pooled[i] = out[0, :, :low].mean(dim=0).numpy()
        states[offsets[i] : offsets[i + 1]] = out[0, :, low:].numpy()
    cached = CachedSet(name, pooled, states, offsets, labels)
    logger.info(
        "cached %s: %d texts in %.0f s", name, len(ids), time.monotonic() - started
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, pooled=pooled, states=states, offsets=offsets, labels=labels)
    return cached
