"""Build the default model's int8 ONNX graph in a child process: ``python -m sentiment.onnx_graph``.

Exporting and quantising the 118 M-parameter encoder takes about 30 s and peaks
near 3.5 GB (torch's tracer and ONNX Runtime's quantiser each hold a copy of
the weights). Run in the scoring process, that peak would stay its resident
size for good, as freed memory rarely goes back to the system. So
`sentiment.scorer.load_default` runs this module once per model revision, and
the scoring process only reads the finished 118 MB graph::

    python -m sentiment.onnx_graph HEAD_DIR OUT_FILE
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sentiment.errors import ModelUnavailableError
from sentiment.multilingual import load_multilingual
from sentiment.runtime import export_graph, write_graph


def build_in_child(head_dir: Path, out: Path) -> None:
    """Run this module in a fresh interpreter to write the graph to `out`."""
    command = [sys.executable, "-m", "sentiment.onnx_graph", str(head_dir), str(out)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not out.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        msg = (
            f"building the default model's ONNX graph failed (exit {done.returncode}): "
            + " | ".join(tail)
        )
        raise ModelUnavailableError(msg)


def main(argv: Sequence[str] | None = None) -> None:
    """Export and quantise the model whose head is in HEAD_DIR to OUT_FILE."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:  # noqa: PLR2004 - HEAD_DIR OUT_FILE
        sys.exit("usage: python -m sentiment.onnx_graph HEAD_DIR OUT_FILE")
    model, _ = load_multilingual(Path(args[0]))
    graph = export_graph(model, quantize=True)  # type: ignore[arg-type]
    write_graph(Path(args[1]), graph)


if __name__ == "__main__":
    main()
