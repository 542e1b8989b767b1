"""The fixed-date mode (``pytest --today``) reaches child processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLOCK = Path(__file__).parent / "clock"
PRINT_NOW = "from datetime import UTC, datetime; print(datetime.now(UTC).isoformat())"


def test_a_child_process_runs_at_the_fixed_date_and_ticks():
    env = {**os.environ, "PYTHONPATH": str(CLOCK), "EARFUL_TEST_TODAY": "2034-07-31"}
    env.pop("EARFUL_TEST_CLOCK_SHIFT", None)
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_NOW],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("2034-07-31T00:00:0")
    assert printed.stdout.strip() != "2034-07-31T00:00:00+00:00"  # it ticks
