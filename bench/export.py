"""Export throughput and memory: ``earful export`` against loading every row at once.

    PYTHONPATH=. .venv/bin/python bench/export.py [--mentions 1000000] [--db FILE]

Loads the benchmark database of ``bench/query.py`` (SQLite; kept with
``--db`` so a second run skips the load), then runs each case in its own
process, so each peak RSS is its own:

- baseline: what ``earful mentions --limit 0 --format jsonl`` did before
  streaming, every row fetched with ``find_mentions`` and then written;
- ``earful export`` to JSONL, CSV and Parquet, streamed in batches of 5,000.

Each prints rows/s and peak RSS (``ru_maxrss``). The Parquet file is then read
back with pandas and its dtypes printed (pandas is a dev dependency).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy.orm import Session

from bench.query import MODEL, load_sqlite
from earful.export import CsvWriter, JsonlWriter, ParquetWriter, Writer
from storage import make_engine, upgrade
from storage.export import TABLES, iter_records, mention_record
from storage.search import MentionQuery, find_mentions

CASES = ("baseline-jsonl", "jsonl", "csv", "parquet")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str, db: Path, out_dir: Path) -> None:
    """One case in this process: print rows, seconds, rows/s and peak RSS."""
    engine = make_engine(f"sqlite:///{db}")
    query = MentionQuery(model_id=MODEL, limit=None)
    start_mib = _peak_mib()
    t0 = time.perf_counter()
    rows = 0
    with engine.connect() as conn:
        session = Session(bind=conn)
        if case == "baseline-jsonl":
            found = find_mentions(session, query)
            with (out_dir / "baseline.jsonl").open("w", encoding="utf-8") as out:
                baseline = JsonlWriter(out, TABLES["mentions"])
                baseline.write([mention_record(r) for r in found])
            rows = len(found)
        else:
            path = out_dir / f"mentions.{case}"
            columns = TABLES["mentions"]
            with ExitStack() as stack:
                writer: Writer
                if case == "parquet":
                    writer = ParquetWriter(path, columns)
                else:
                    out = stack.enter_context(path.open("w", encoding="utf-8"))
                    writer = (CsvWriter if case == "csv" else JsonlWriter)(out, columns)
                for batch in iter_records(session, "mentions", query, 5000):
                    writer.write(batch)
                    rows += len(batch)
                writer.close()
    seconds = time.perf_counter() - t0
    print(
        f"  {case:15} {rows:>9,} rows {seconds:7.1f} s {rows / seconds:>9,.0f} rows/s"
        f"  peak RSS {_peak_mib():7.0f} MiB (start {start_mib:.0f} MiB)"
    )


def read_back(path: Path) -> None:
    """Read the Parquet export with pandas and print what came back."""
    import pandas as pd  # noqa: PLC0415 - a dev dependency, for this check only

    t0 = time.perf_counter()
    frame = pd.read_parquet(path)
    seconds = time.perf_counter() - t0
    print(f"pandas read {len(frame):,} rows in {seconds:.1f} s; dtypes:")
    for name in ("id", "published_at", "brands", "reach", "negative", "alerted"):
        print(f"  {name:13} {frame[name].dtype}")
    print(f"  brands[0]     {list(frame['brands'].iloc[0])}")
    nullable = pd.read_parquet(path, columns=["reach"], dtype_backend="pyarrow")
    print(f"  reach with dtype_backend='pyarrow': {nullable['reach'].dtype}")


def main() -> None:
    """Load (or reuse) the database, then run every case in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.db, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "export.db"
        if not db.exists():
            upgrade(make_engine(f"sqlite:///{db}"))
            t0 = time.perf_counter()
            load_sqlite(db, args.mentions)
            print(f"SQLite: loaded {args.mentions:,} mentions in "
                  f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
        size = db.stat().st_size / 2**20
        print(f"database {db} ({size:,.0f} MiB); export of every mention:")
        for case in CASES:
            subprocess.run(  # noqa: S603 - this script, with our own arguments
                [
                    sys.executable,
                    __file__,
                    "--case",
                    case,
                    "--db",
                    str(db),
                    "--out",
                    tmp,
                ],
                check=True,
            )
        read_back(Path(tmp) / "mentions.parquet")


if __name__ == "__main__":
    main()
