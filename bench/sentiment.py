"""Speed of sentiment scoring on the TweetEval val tweets: baseline pipeline vs Earful.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.sentiment --data ../shared/data/tweeteval-sentiment

(as a module: run as a script, this file would shadow the `sentiment` package).

Every step scores the same val tweets with the default model. The baseline is
`transformers.pipeline("text-classification")` over the assembled default model,
called once per text. Macro recall is the TweetEval metric against the gold labels;
"delta" compares it with the baseline (the unoptimised model). Each step's speed is
the best of `--repeat` rounds, each round running every step once (the CPU may be
shared with other jobs). RSS is the process peak so far
(it only grows) plus the current resident size after the step.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from transformers import pipeline

from sentiment import DEFAULT_MODEL, Score
from sentiment.evaluate import evaluate, load_tweeteval
from sentiment.scorer import Scorer, load_default, quantize_int8

DATA = Path(__file__).resolve().parents[2] / "shared/data/tweeteval-sentiment"


class _Fixed:
    """Labels already predicted, shaped like a scorer for `evaluate()`."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)

    def score(self, texts: Sequence[str]) -> list[Score]:
        return [Score(label, {}) for label in self.labels[: len(texts)]]


def _rss_mb() -> tuple[float, float]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    return peak, current


def _timed(run: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    labels = run()
    return labels, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts, gold = load_tweeteval(args.data, "val")
    model, tokenizer, revision = load_default()
    print(
        f"{len(texts)} val tweets, {len(set(texts))} distinct, threads {args.threads}"
    )

    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer)
    pipe(texts[0])  # warm-up

    def baseline() -> list[str]:
        return [str(pipe(text)[0]["label"]) for text in texts]

    def earful(scorer: Scorer) -> Callable[[], list[str]]:
        scorer.score(texts[:8])  # warm-up
        return lambda: [score.label for score in scorer.score(texts)]

    def make(
        model: torch.nn.Module, *, sort: bool, dedupe: bool, backend: str = "torch"
    ) -> Scorer:
        return Scorer(
            model,  # type: ignore[arg-type]
            tokenizer,
            model_id=DEFAULT_MODEL,
            model_revision=revision,
            targets=["negative", "neutral", "positive"],
            batch_size=args.batch_size,
            threads=args.threads,
            sort_by_length=sort,
            dedupe=dedupe,
            backend=backend,
        )

    quantized = quantize_int8(load_default()[0])
    steps: list[tuple[str, Callable[[], list[str]]]] = [
        ("baseline: pipeline, one text per call", baseline),
        (
            "earful: batches in input order",
            earful(make(model, sort=False, dedupe=False)),
        ),
        ("+ length-sorted batches", earful(make(model, sort=True, dedupe=False))),
        ("+ dedupe", earful(make(model, sort=True, dedupe=True))),
        (
            "+ int8 dynamic quantisation",
            earful(make(quantized, sort=True, dedupe=True)),
        ),
        (
            "sorted + dedupe + ONNX Runtime (default)",
            earful(make(model, sort=True, dedupe=True, backend="onnxruntime")),
        ),
    ]
    header = f"{'step':<40}{'texts/s':>9}{'ratio':>7}{'macroR':>8}{'delta':>7}"
    print(header + f"{'peakMB':>8}{'rssMB':>7}")
    base_rate = base_recall = 0.0
    # Rounds run every step once, so a burst of load elsewhere hits all steps.
    rounds = [[_timed(run) for _, run in steps] for _ in range(args.repeat)]
    for index, (name, _) in enumerate(steps):
        labels = rounds[0][index][0]
        seconds = min(done[index][1] for done in rounds)
        rate = len(texts) / seconds
        recall = evaluate(_Fixed(labels), texts, gold).macro_recall
        if not base_rate:
            base_rate, base_recall = rate, recall
        peak, current = _rss_mb()
        print(
            f"{name:<40}{rate:>9.1f}{rate / base_rate:>6.2f}x{recall:>8.4f}"
            f"{(recall - base_recall) * 100:>+6.2f}p{peak:>8.0f}{current:>7.0f}"
        )


if __name__ == "__main__":
    main()
