"""Spike detector quality: false alarms on quiet hours, and which real spikes it sees.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.spike [--hours 5000] [--seed 13]

Synthetic hourly counts of negative mentions: Poisson at a steady mean, and with a
day/night cycle (3x by day), at means from 0.2 to 30 an hour. For every hour
after the first week, ``alerts.spike.detect_spike`` (the product's own rule) sees
the previous 168 hours and the current count. It prints false alarms per
``--hours`` quiet hours, and for a brand at a mean of 3 an hour, the share of
injected spikes (+N mentions in one hour) it catches. The baseline, measured in
the same run on the same series, is the textbook rule ``c > mean + 3 sd`` without
Earful's floors: it shows what the floors buy on small numbers.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable, Sequence

import numpy as np

from alerts.spike import BASELINE_HOURS, detect_spike

MEANS = (0.2, 1.0, 3.0, 10.0, 30.0)
SPIKES = (3, 5, 10, 20, 40)
Rule = Callable[[int, Sequence[int]], bool]


def earful(count: int, history: Sequence[int]) -> bool:
    """The product's rule."""
    return detect_spike(count, history) is not None


def textbook(count: int, history: Sequence[int]) -> bool:
    """The naive baseline: more than three standard deviations above the mean."""
    return count > statistics.fmean(history) + 3 * statistics.pstdev(history)


def series(rng: np.random.Generator, mean: float, hours: int, cycle: bool) -> list[int]:
    """Hourly Poisson counts at ``mean``; with ``cycle``, 3x by day, same daily mean."""
    rate = np.full(hours, mean)
    if cycle:
        day = (np.arange(hours) % 24 >= 8) & (np.arange(hours) % 24 < 20)
        rate = np.where(day, 1.5 * mean, 0.5 * mean)
    return [int(c) for c in rng.poisson(rate)]


def alarms(rule: Rule, counts: list[int]) -> int:
    """Hours after the first week that the rule fires on."""
    return sum(
        rule(counts[t], counts[t - BASELINE_HOURS : t])
        for t in range(BASELINE_HOURS, len(counts))
    )


def main() -> None:
    """Print false alarms per quiet series and the detection rate of spikes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    hours = args.hours + BASELINE_HOURS
    print(f"False alarms in {args.hours} quiet hours (lower is better)")
    print(f"{'mean/h':>7} {'pattern':>8} {'earful':>7} {'per week':>9} {'mean+3sd':>9}")
    for mean in MEANS:
        for cycle in (False, True):
            counts = series(rng, mean, hours, cycle)
            ours, naive = alarms(earful, counts), alarms(textbook, counts)
            weekly = ours / args.hours * 168
            pattern = "day/nt" if cycle else "steady"
            print(f"{mean:>7g} {pattern:>8} {ours:>7} {weekly:>9.2f} {naive:>9}")
    mean, tries = 3.0, 200
    counts = series(rng, mean, hours, cycle=False)
    at = rng.choice(np.arange(BASELINE_HOURS, hours), size=tries, replace=False)
    print(f"\nInjected spikes at mean {mean:g}/h ({tries} hours each; share caught)")
    print(f"{'+N':>4} {'earful':>7} {'mean+3sd':>9}")
    for extra in SPIKES:
        caught = [
            sum(rule(counts[t] + extra, counts[t - BASELINE_HOURS : t]) for t in at)
            / tries
            for rule in (earful, textbook)
        ]
        print(f"{extra:>4} {caught[0]:>7.0%} {caught[1]:>9.0%}")
    print(f"\nthreshold at mean {mean:g}/h: {mean + 4 * max(math.sqrt(mean), 1):.1f}")


if __name__ == "__main__":
    main()
