"""Speed, memory and batch invariance of the default sentiment model, against a baseline.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.sentiment --data ../shared/data

(as a module: run as a script, this file would shadow the `sentiment` package).

Texts: the TweetEval val tweets (English) and the held-out chABSA documents'
sentences cut to 140 characters, the length of an SNS post (Japanese), each
scored twice by the default model:

* baseline: its fp32 torch model, one text per call, as
  `transformers.pipeline("text-classification")` would run it (the head is
  Earful's own module, which the pipeline cannot wrap, so the same per-text
  tokenise-and-forward is written out);
* earful: `load_scorer()`'s default, as the daemon runs it: the int8 graph in
  ONNX Runtime, deduplicated, each text run alone (#25 targets: >= 100 Japanese
  posts/s, >= 4x the baseline on English, RSS under 1.5 GB).

Speed is the best of `--repeat` rounds; the machine may be shared, so the load
average is printed before and after. Macro recall is against the gold labels, so
the int8 graph's cost in quality shows. Batch invariance: the largest
probability difference and the labels changed between scoring each text alone
and scoring them all in one call, in batches of 7, and beside a long text (#25:
at most 0.01, none). A third row runs the same int8 graph in padded batches of
32, as Earful did before #25, for its speed and its batch dependence. Peak RSS
is measured in a fresh child process that only loads the default model and
scores both sets, as `earful run` would; it is read from /proc's VmHWM, since
Linux carries `ru_maxrss` over from the parent (this benchmark, with the fp32
torch model loaded) into a child it starts.
"""

from __future__ import annotations

import argparse
import json
import os
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
from sentiment.labels import LABELS
from sentiment.multilingual import load_multilingual
from sentiment.runtime import OnnxClassifier
from sentiment.scorer import DEFAULT_MODEL_DIR, Scorer

DATA = Path(__file__).resolve().parents[2] / "shared/data"
SNS_LENGTH = 140  # characters: the classic length limit of a post
LONG = (
    "部屋は広くて清潔でした。朝食も種類が多く満足です。" * 40 + "Staff were kind. " * 40
)


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
import json, time
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
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(json.dumps({{"load_s": loaded, "peak_mb": peak}}))
"""
    with tempfile.TemporaryDirectory():
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _invariance(scorer: Scorer, texts: Sequence[str]) -> str:
    """Largest probability difference and labels changed, alone vs with others."""
    alone = [scorer.score([text])[0] for text in texts]
    chunks = [texts[i : i + 7] for i in range(0, len(texts), 7)]
    runs = {
        "one call": scorer.score(texts),
        "batches of 7": [s for chunk in chunks for s in scorer.score(chunk)],
        "beside a long text": [scorer.score([text, LONG])[0] for text in texts],
    }
    parts = []
    for name, scores in runs.items():
        gap = max(
            abs(a.probabilities[label] - b.probabilities[label])
            for a, b in zip(alone, scores, strict=True)
            for label in LABELS
        )
        flips = sum(a.label != b.label for a, b in zip(alone, scores, strict=True))
        parts.append(f"{name}: max diff {gap:.4f}, {flips} labels changed")
    return f"alone vs {'; '.join(parts)} ({len(texts)} texts)"


def _labels(scorer: Scorer, texts: Sequence[str]) -> Callable[[], list[str]]:
    return lambda: [score.label for score in scorer.score(texts)]


def _padded(scorer: Scorer, cache: Path, threads: int) -> Scorer:
    """The same int8 graph in padded batches of 32, as Earful ran it before #25."""
    graph = cache / f"e5-sentiment-{scorer.model_revision}.int8.onnx"
    return Scorer(
        None,
        scorer.tokenizer,
        model_id=scorer.model_id,
        model_revision=scorer.model_revision,
        targets=LABELS,
        threads=threads,
        backend="onnxruntime",
        runner=OnnxClassifier.from_file(graph, threads, rows_alone=False),
        max_length=scorer.max_length,
        text_prefix=scorer.text_prefix,
    )


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


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
        "Japanese (chABSA, 140 ch)": (
            [text[:SNS_LENGTH] for text in chabsa.texts[: args.limit]],
            chabsa.gold[: args.limit],
            _per_text_e5,
        ),
    }
    cache = Path.home() / ".cache/earful"
    scorer = load_scorer(threads=args.threads, cache_dir=cache)
    padded = _padded(scorer, cache, args.threads)
    print(f"threads {args.threads}, best of {args.repeat}; default = {scorer!r}")
    print(f"before: {_load()} ({os.cpu_count()} CPUs)")
    print(f"{'set':<26}{'step':<30}{'texts/s':>9}{'ratio':>8}{'macroR':>8}")
    for name, (texts, gold, baseline) in sets.items():
        scorer.score(texts[:8])  # warm-up
        rows = [
            ("baseline: per-text fp32 torch", baseline(texts)),
            ("earful default (int8, alone)", _labels(scorer, texts)),
            ("before #25: int8, padded x32", _labels(padded, texts)),
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
    sample = [t for texts, _, _ in sets.values() for t in texts[:100]]
    print(f"earful default: {_invariance(scorer, sample)}")
    print(f"before #25: {_invariance(padded, sample)}")
    print(f"after: {_load()}")
    this = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = _peak_rss_child(args.data)
    print(
        f"scoring process (default model only): load {child['load_s']:.1f} s, "
        f"peak RSS {child['peak_mb']:.0f} MB; this benchmark process: {this:.0f} MB"
    )


if __name__ == "__main__":
    main()
