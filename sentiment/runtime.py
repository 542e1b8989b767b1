"""Run a loaded sequence classifier through ONNX Runtime instead of torch, on CPU."""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np
import onnxruntime  # type: ignore[import-untyped]
import torch
from transformers import PreTrainedModel

_WARNING_LEVEL = 3  # onnxruntime's own log: errors only
_EXPORT_LOCK = threading.Lock()
"""torch.onnx.export keeps global state: two threads exporting at once fail."""


class _LogitsOnly(torch.nn.Module):
    """Expose a Hugging Face classifier as `(input_ids, attention_mask) -> logits`."""

    def __init__(self, model: PreTrainedModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        logits: torch.Tensor = self.model(
            input_ids=input_ids, attention_mask=attention_mask
        ).logits
        return logits


class OnnxClassifier:
    """An ONNX export of `model`, run by an ONNX Runtime CPU session.

    The model is exported once, with dynamic batch and sequence axes, by torch's
    TorchScript-based exporter (its tracer warnings are expected and silenced) to a
    temporary folder that is removed once the session holds the graph. The export
    takes about 2 s for MiniLM-L6. With `quantize`, the graph's linear layers are
    then quantised to int8 (dynamic, per tensor). A graph built and cached earlier
    (`sentiment.onnx_graph`, `write_graph`) is opened with `from_file` instead.

    One text, one score: dynamic quantisation takes each activation's int8 scale
    from the whole input tensor, so in a padded batch a text's logits would depend
    on its neighbours (128 texts scored 64 at a time instead of alone: 9 labels
    flipped, one probability moved by 0.33). A quantised graph therefore runs
    each row of a batch alone, cut to its own length (`rows_alone`): its result
    is the same in any batch, and on 2 cores it is no slower than padded
    batches. The rivals measured for #25: 4-bit weight-only `MatMulNBits`
    (invariant, but 37 texts/s and 2.4 GB), fp32 (about 30 texts/s alone).
    """

    rows_alone: bool
    """Run each row of a batch on its own (set for dynamically quantised graphs)."""

    def __init__(
        self,
        model: PreTrainedModel,
        threads: int,
        *,
        quantize: bool = False,
    ) -> None:
        self.session = _session(export_graph(model, quantize=quantize), threads)
        self.rows_alone = quantize

    @classmethod
    def from_file(cls, path: Path, threads: int, *, rows_alone: bool) -> OnnxClassifier:
        """A session over a graph this class exported and cached earlier.

        `rows_alone` must be true for a dynamically quantised graph.
        """
        runner = cls.__new__(cls)
        runner.session = _session(path.read_bytes(), threads)
        runner.rows_alone = rows_alone
        return runner

    def __call__(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits for a padded batch holding `input_ids` and `attention_mask`."""
        ids = batch["input_ids"].numpy().astype(np.int64)
        mask = batch["attention_mask"].numpy().astype(np.int64)
        if not self.rows_alone:
            return self._run(ids, mask)
        rows = []
        for row_ids, row_mask in zip(ids, mask, strict=True):
            kept = np.flatnonzero(row_mask)  # padding may sit on either side
            rows.append(self._run(row_ids[None, kept], row_mask[None, kept]))
        return torch.cat(rows)

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> torch.Tensor:
        feed = {"input_ids": ids, "attention_mask": mask}
        (logits,) = self.session.run(["logits"], feed)
        return torch.from_numpy(np.asarray(logits, dtype=np.float32))


def export_graph(model: PreTrainedModel, *, quantize: bool) -> bytes:
    """The model as an ONNX graph (int8 linear layers with `quantize`)."""
    wrapper = _LogitsOnly(model).train(mode=False)
    sample = torch.tensor([[0, 5, 6, 2], [0, 5, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    with (
        _EXPORT_LOCK,
        tempfile.TemporaryDirectory(prefix="earful-onnx-") as tmp,
        warnings.catch_warnings(),
        torch.no_grad(),
    ):
        path = Path(tmp) / "model.onnx"
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (sample, mask),
            path,
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        if quantize:
            from onnxruntime.quantization import (  # type: ignore[import-untyped]  # noqa: PLC0415
                QuantType,
                quantize_dynamic,
            )

            quantized = Path(tmp) / "model.int8.onnx"
            quantize_dynamic(path, quantized, weight_type=QuantType.QInt8)
            path = quantized
        return path.read_bytes()


def write_graph(path: Path, graph: bytes) -> None:
    """Write atomically, so a process reading `path` never sees half a graph."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(graph)
    partial.replace(path)


def _session(graph: bytes, threads: int) -> onnxruntime.InferenceSession:
    """A CPU session whose threads sleep between batches and that frees its buffers.

    Spinning threads win a few percent on an idle machine and lose badly on a
    busy one (the daemon shares its cores with crawls and the database).
    """
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = _WARNING_LEVEL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # The arena would keep the largest batch's buffers for the process's life.
    options.enable_cpu_mem_arena = False
    return onnxruntime.InferenceSession(
        graph, options, providers=["CPUExecutionProvider"]
    )
