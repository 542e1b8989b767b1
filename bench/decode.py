"""What checking a page's charset costs: ``decode_body`` against a plain ``bytes.decode``.

    .venv/bin/python bench/decode.py [--paragraphs 5000] [--runs 5]

Builds a Japanese review page (about 0.6 MB in Shift_JIS or EUC-JP, 0.9 MB in
UTF-8) and times, median of ``--runs``: ``decode_body`` with the right charset
declared, with none declared (detection), and the baseline measured in the same
run, ``bytes.decode`` with the charset already known (what trusting the
declaration costs). The charset each reading chose is printed with it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from crawlers.encoding import decode_body

PARAGRAPH = (
    "<p>アクメのミキサーは二日で壊れました。サポートに電話しても誰も出ません。"
    "返金もしてくれないので、もう二度と買いません。</p>\n"
)
CHARSETS = (("cp932", "Shift_JIS"), ("euc_jp", "EUC-JP"), ("utf-8", "UTF-8"))


def median_ms(call: Callable[[], object], runs: int) -> float:
    """The median wall time of ``call`` in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    """Print one line per charset."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    page = f"<html><body>{PARAGRAPH * args.paragraphs}</body></html>"
    print("charset     size   declared  undeclared  bytes.decode (baseline)")
    for codec, label in CHARSETS:
        body = page.encode(codec)
        declared = median_ms(partial(decode_body, body, [label]), args.runs)
        undeclared = median_ms(partial(decode_body, body, [None]), args.runs)
        baseline = median_ms(partial(body.decode, codec), args.runs)
        chosen = decode_body(body, [None]).encoding
        print(
            f"{label:9} {len(body) / 1e6:5.2f} MB {declared:7.1f} ms {undeclared:8.1f} ms"
            f" {baseline:9.1f} ms   (undeclared read as {chosen})"
        )


if __name__ == "__main__":
    main()
