"""Fine-tune the encoder's top layers and the head on cached lower-layer states.

`sentiment.layer_cache` keeps, per text, layer 10's token states and the means
of layers 6 and 9; this module runs copies of encoder layers 11 and 12 on those
states in fp32 torch, pools layer 12, and trains the two layers and the linear
head together with AdamW. Two layers, not three: on 2 shared cores a training
step over three layers ran at about 5 texts a second. Each training set weighs the same in the loss whatever its
size, and each class the same within a set (as the linear head's fit does).
"""

from __future__ import annotations

import copy
import logging
import random
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import nn
from transformers import XLMRobertaModel

from sentiment.labels import LABELS
from sentiment.layer_cache import CUT_LAYER, CachedSet

logger = logging.getLogger("sentiment.top_layers")


class TopLayers(nn.Module):
    """Encoder layers above the cut, pooling, standardisation and the 3-way head."""

    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(
        self,
        encoder: XLMRobertaModel,
        *,
        mean: torch.Tensor,
        scale: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            copy.deepcopy(layer) for layer in encoder.encoder.layer[CUT_LAYER:]
        )
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        self.head = nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            self.head.weight.copy_(weight)
            self.head.bias.copy_(bias)

    def features(
        self, pooled: torch.Tensor, states: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Pooled layers 6, 9 and 12 (unstandardised) for a padded batch."""
        weights = mask.unsqueeze(-1).to(states.dtype)
        count = weights.sum(dim=1).clamp(min=1.0)
        additive = (1.0 - mask[:, None, None, :].to(states.dtype)) * torch.finfo(
            states.dtype
        ).min
        hidden = states
        for layer in self.layers:
            hidden = layer(hidden, additive)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        top = (hidden * weights).sum(dim=1) / count
        return torch.cat([pooled, top], dim=-1)

    def forward(
        self, pooled: torch.Tensor, states: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Logits for a padded batch."""
        features = self.features(pooled, states, mask)
        logits: torch.Tensor = self.head((features - self.mean) / self.scale)
        return logits

    def layer_state(self) -> dict[str, torch.Tensor]:
        """The trained layers under the names they have in `XLMRobertaModel`."""
        return {
            f"encoder.layer.{CUT_LAYER + i}.{name}": tensor.detach().clone()
            for i, layer in enumerate(self.layers)
            for name, tensor in layer.state_dict().items()
        }


def batches(
    sets: Sequence[CachedSet], size: int, rng: random.Random | None
) -> Iterator[tuple[int, np.ndarray]]:
    """(set index, row indices) batches of similar length; shuffled with `rng`."""
    out: list[tuple[int, np.ndarray]] = []
    for s, cached in enumerate(sets):
        lengths = np.diff(cached.offsets)
        order = np.argsort(lengths, kind="stable")
        if rng is not None:  # shuffle within length bands of 4 batches
            band = size * 4
            for start in range(0, len(order), band):
                part = list(order[start : start + band])
                rng.shuffle(part)
                order[start : start + band] = part
        out.extend((s, order[i : i + size]) for i in range(0, len(order), size))
    if rng is not None:
        rng.shuffle(out)
    yield from out


def collate(
    cached: CachedSet, rows: np.ndarray
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pooled lower-layer features, padded cut-layer states and their mask for `rows`."""
    width = int(max(cached.offsets[r + 1] - cached.offsets[r] for r in rows))
    hidden = cached.states.shape[1]
    states = torch.zeros(len(rows), width, hidden)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for j, r in enumerate(rows):
        tokens = torch.from_numpy(cached.rows(int(r)).astype(np.float32))
        states[j, : len(tokens)] = tokens
        mask[j, : len(tokens)] = 1
    return torch.from_numpy(cached.pooled[rows]), states, mask


@torch.no_grad()
def predict(
    model: TopLayers, cached: CachedSet, *, raw: bool = False, size: int = 64
) -> np.ndarray:
    """Logits (or with `raw` unstandardised features) for every row of `cached`."""
    model.train(mode=False)
    out: np.ndarray | None = None
    for _, rows in batches([cached], size, None):
        pooled, states, mask = collate(cached, rows)
        values = (
            model.features(pooled, states, mask) if raw else model(pooled, states, mask)
        )
        if out is None:
            out = np.zeros((len(cached.labels), values.shape[1]), dtype=np.float32)
        out[rows] = values.numpy()
    return out if out is not None else np.zeros((0, len(LABELS)), dtype=np.float32)


def macro_recall(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean over the three classes of the share of each class predicted right."""
    predicted = logits.argmax(axis=1)
    recalls = [
        float((predicted[labels == c] == c).mean())
        for c in range(len(LABELS))
        if (labels == c).any()
    ]
    return sum(recalls) / len(recalls)


def train(
    model: TopLayers,
    sets: Sequence[CachedSet],
    row_weights: Sequence[np.ndarray],
    *,
    epochs: int,
    lr: float,
    seed: int,
    size: int = 32,
) -> None:
    """AdamW over the top layers (`lr`) and the head (10 x `lr`), linear decay."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not security
    torch.manual_seed(seed)
    steps = epochs * sum(-(-len(s.labels) // size) for s in sets)
    optimizer = torch.optim.AdamW(
        [
            {"params": model.layers.parameters(), "lr": lr},
            {"params": model.head.parameters(), "lr": lr * 10},
        ],
        weight_decay=0.01,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: max(0.0, 1.0 - step / max(steps, 1))
    )
    total = float(sum(w.sum() for w in row_weights))
    scale = sum(len(s.labels) for s in sets) / total
    for epoch in range(epochs):
        model.train(mode=True)
        running = 0.0
        for step, (s, rows) in enumerate(batches(sets, size, rng)):
            pooled, states, mask = collate(sets[s], rows)
            logits = model(pooled, states, mask)
            target = torch.from_numpy(sets[s].labels[rows])
            weight = torch.from_numpy(row_weights[s][rows] * scale).float()
            loss = (
                nn.functional.cross_entropy(logits, target, reduction="none") * weight
            ).mean()
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            schedule.step()
            running += loss.item()
            if step % 50 == 49:  # noqa: PLR2004 - a progress line every 50 steps
                logger.info("epoch %d step %d loss %.4f", epoch, step + 1, running / 50)
                running = 0.0
