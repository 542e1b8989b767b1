"""Run a loaded sequence classifier through ONNX Runtime instead of torch, on CPU."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnxruntime  # type: ignore[import-untyped]
import torch
from transformers import PreTrainedModel

_WARNING_LEVEL = 3  # onnxruntime's own log: errors only


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
    """An in-memory ONNX export of `model`, run by an ONNX Runtime CPU session.

    The model is exported once, with dynamic batch and sequence axes, by torch's
    TorchScript-based exporter (its tracer warnings are expected and silenced) to a
    temporary folder that is removed once the session holds the graph. The export
    takes about 2 s for MiniLM-L6.
    """

    def __init__(self, model: PreTrainedModel, threads: int) -> None:
        wrapper = _LogitsOnly(model).train(mode=False)
        sample = torch.tensor([[1, 2, 3, 1], [1, 2, 0, 0]])
        mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
        with (
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
            exported = path.read_bytes()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = _WARNING_LEVEL
        self.session = onnxruntime.InferenceSession(
            exported, options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits for a padded batch holding `input_ids` and `attention_mask`."""
        feed = {
            "input_ids": batch["input_ids"].numpy().astype(np.int64),
            "attention_mask": batch["attention_mask"].numpy().astype(np.int64),
        }
        (logits,) = self.session.run(["logits"], feed)
        return torch.from_numpy(np.asarray(logits, dtype=np.float32))
