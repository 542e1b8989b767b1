"""Commands that never score stay light: torch and transformers load on first use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "transformers", "onnxruntime")


def test_cli_and_crawl_child_import_no_model_runtime():
    code = (
        "import sys, earful.cli, crawlers.crawl_child, sentiment; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
