"""Aspect detection and aspect polarity, measured: prints figures, asserts nothing.

    PYTHONPATH=. .venv/bin/python -m bench.aspects --data ../shared/data

1. Detection: precision and recall of the built-in lexicons on
   ``tests/fixtures/aspects/labelled.jsonl`` (English and Japanese reviews and
   posts, labelled by hand with the aspects they are about), per language and
   per aspect.
2. Polarity: on chABSA's held-out documents (the default model's ``val`` split,
   which its head never saw), each positive or negative opinion's gold polarity
   against (a) the whole sentence's label, the baseline, and (b) Earful's rule:
   the clause holding the target, scored alone, falling back to the sentence's
   label when the clause is neutral or is the whole sentence. Accuracy is shown
   for all opinions and for mixed sentences (opinions of both polarities), where
   a sentence-level label must be wrong for some of them.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from crawlers.aspects import AspectDetector, builtin_rules, split_clauses
from sentiment import load_scorer
from sentiment.datasets import chabsa_documents

LABELLED = Path(__file__).resolve().parents[1] / "tests/fixtures/aspects/labelled.jsonl"
OPINION = ("negative", "positive")


def detection() -> None:
    """Precision and recall of the built-in lexicons on the labelled set."""
    detector = AspectDetector(builtin_rules())
    counts: Counter[tuple[str, str]] = Counter()
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines()]
    for row in rows:
        got = {h.aspect for h in detector.detect(row["text"], row["lang"])}
        want = set(row["aspects"])
        for key in (row["lang"], "all"):
            counts[key, "tp"] += len(got & want)
            counts[key, "fp"] += len(got - want)
            counts[key, "fn"] += len(want - got)
        for aspect in got | want:
            counts[aspect, "tp"] += aspect in got and aspect in want
            counts[aspect, "fp"] += aspect in got and aspect not in want
            counts[aspect, "fn"] += aspect in want and aspect not in got
    print(f"detection on {LABELLED.name}: {len(rows)} texts")
    print(f"{'':12} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for key in ("en", "ja", "all", *detector.aspects):
        tp, fp, fn = (counts[key, k] for k in ("tp", "fp", "fn"))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"{key:12} {p:>9.3f} {r:>7.3f} {tp:>4} {fp:>4} {fn:>4}")


def _clause_of(sentence: str, start: int) -> str:
    at = 0
    for clause in split_clauses(sentence):
        at = sentence.find(clause, at)
        if at <= start < at + len(clause):
            return clause
        at += len(clause)
    return sentence


def polarity(data: Path, limit: int) -> None:
    """Aspect polarity on chABSA val: sentence label vs Earful's clause rule."""
    opinions = []  # (sentence, clause, gold, mixed)
    for document in chabsa_documents(data / "chabsa", "val"):
        for s in json.loads(document.read_text("utf-8"))["sentences"]:
            kept = [o for o in s["opinions"] if o["polarity"] in OPINION]
            mixed = len({o["polarity"] for o in kept}) > 1
            opinions += [
                (
                    s["sentence"],
                    _clause_of(s["sentence"], o["from"]),
                    o["polarity"],
                    mixed,
                )
                for o in kept
            ]
    opinions = opinions[:limit] if limit else opinions
    scorer = load_scorer("earful-default")
    started = time.perf_counter()
    texts = sorted({t for o in opinions for t in o[:2]})
    labels = dict(zip(texts, (s.label for s in scorer.score(texts)), strict=True))
    took = time.perf_counter() - started
    hits: Counter[str] = Counter()
    for sentence, clause, gold, mixed in opinions:
        whole = labels[sentence]
        own = labels[clause] if clause != sentence else whole
        earful = own if own in OPINION else whole
        for key in ("all", "mixed") if mixed else ("all",):
            hits[key, "n"] += 1
            hits[key, "sentence"] += whole == gold
            hits[key, "earful"] += earful == gold
            hits[key, "clause"] += clause != sentence
    print(f"\npolarity on chABSA val ({len(texts)} texts scored in {took:.1f} s)")
    print(f"{'opinions':10} {'n':>5} {'own clause':>10} {'sentence':>9} {'earful':>7}")
    for key in ("all", "mixed"):
        n = hits[key, "n"] or 1
        print(
            f"{key:10} {hits[key, 'n']:>5} {hits[key, 'clause'] / n:>10.1%} "
            f"{hits[key, 'sentence'] / n:>9.3f} {hits[key, 'earful'] / n:>7.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--limit", type=int, default=0, help="opinions (0: all)")
    parser.add_argument("--detection-only", action="store_true")
    args = parser.parse_args()
    detection()
    if not args.detection_only:
        polarity(args.data, args.limit)


if __name__ == "__main__":
    main()
