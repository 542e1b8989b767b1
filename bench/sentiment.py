"""Speed and memory of the default sentiment model, English and Japanese, against a baseline.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.sentiment --data ../shared/data

(as a module: run as a script, this file would shadow the `sentiment` package).

Texts: the TweetEval val tweets (English) and the held-out chABSA documents'
sentences (Japanese), each scored twice by the default model:

* baseline: its fp32 torch model, one text per call, as
  `transformers.pipeline("text-classification")` would run it (the head is
  Earful's own module, which the pipeline cannot wrap, so the same per-text
  tokenise-and-forward is written out);
* earful: `load_scorer()`'s default, as the daemon runs it: length-sorted,
  deduplicated batches of the int8 graph in ONNX Runtime.

Speed is the best of `--repeat` rounds (the CPU may be shared); macro recall is
against the gold labels, so the int8 graph's cost in quality shows. Peak RSS is
measured in a fresh child process that only loads the default model and scores
both sets, as `earful run` would.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from sentiment import Score, load_scorer
from sentiment.datasets import load_chabsa
from sentiment.e5 import QUERY_PREFIX
from sentiment.evaluate import evaluate, load_tweeteval
from sentiment.multilingual import load_multilingual
from sentiment.scorer import DEFAULT_MODEL_DIR

DATA = Path(__file__).resolve().parents[2] / "shared/data"


class _Fixed:
    """Labels already predicted, shaped like a scorer for `evaluate()`."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)

    def score(self, texts: Sequence[str]) -> list[Score]:
        return [Score(label, {}) for label in self.labels[: len(texts)]]


def _best(run: Callable[[], list[str]], repeat: int) -> tuple[list[str], float]:
    labels: list[str] = []
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        labels = run()
        best = min(best, time.perf_counter() - start)
    return labels, best


def _per_text_e5(texts: Sequence[str]) -> Callable[[], list[str]]:
    model, tokenizer = load_multilingual(DEFAULT_MODEL_DIR)
    labels = model.config.id2label

    def run() -> list[str]:
        out = []
        with torch.inference_mode():
            for text in texts:
                batch = tokenizer(
                    QUERY_PREFIX + text, truncation=True, return_tensors="pt"
                )
                logits = model(batch["input_ids"], batch["attention_mask"]).logits
                out.append(str(labels[int(logits.argmax())]))
        return out

    return run


def _peak_rss_child(data: Path) -> dict[str, float]:
    """Peak RSS of a process that loads the default model and scores both sets."""
    code = f"""
import json, resource, time
from pathlib import Path
from sentiment import load_scorer
from sentiment.datasets import load_chabsa
from sentiment.evaluate import load_tweeteval
start = time.perf_counter()
scorer = load_scorer(cache_dir=Path({str(Path.home() / ".cache/earful")!r}))
loaded = time.perf_counter() - start
en, _ = load_tweeteval(Path({str(data / "tweeteval-sentiment")!r}), "val")
ja = load_chabsa(Path({str(data / "chabsa")!r}), "val").texts
scorer.score(en); scorer.score(ja)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"load_s": loaded, "peak_mb": peak}}))
"""
    with tempfile.TemporaryDirectory():
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    parser.add_argument(
        "--limit", type=int, default=1000, help="texts per language (baseline is slow)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    english, en_gold = load_tweeteval(args.data / "tweeteval-sentiment", "val")
    chabsa = load_chabsa(args.data / "chabsa", "val")
    sets = {
        "English (TweetEval val)": (
            english[: args.limit],
            en_gold[: args.limit],
            _per_text_e5,
        ),
        "Japanese (chABSA val)": (
            chabsa.texts[: args.limit],
            chabsa.gold[: args.limit],
            _per_text_e5,
        ),
    }
    scorer = load_scorer(threads=args.threads, cache_dir=Path.home() / ".cache/earful")
    print(f"threads {args.threads}, best of {args.repeat}; default = {scorer!r}")
    print(f"{'set':<26}{'step':<30}{'texts/s':>9}{'ratio':>8}{'macroR':>8}")
    for name, (texts, gold, baseline) in sets.items():
        scorer.score(texts[:8])  # warm-up
        rows = [
            ("baseline: per-text fp32 torch", baseline(texts)),
            (
                "earful default (batched ONNX)",
                lambda t=texts: [s.label for s in scorer.score(t)],
            ),
        ]
        base_rate = 0.0
        for step, run in rows:
            labels, seconds = _best(run, args.repeat)
            rate = len(texts) / seconds
            base_rate = base_rate or rate
            recall = evaluate(_Fixed(labels), texts, gold).macro_recall
            print(
                f"{name:<26}{step:<30}{rate:>9.1f}{rate / base_rate:>7.1f}x{recall:>8.4f}"
            )
    this = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = _peak_rss_child(args.data)
    print(
        f"scoring process (default model only): load {child['load_s']:.1f} s, "
        f"peak RSS {child['peak_mb']:.0f} MB; this benchmark process: {this:.0f} MB"
    )


if __name__ == "__main__":
    main()
