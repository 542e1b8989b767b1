"""Fixtures: tiny random-weight BERT classifiers saved to disk, built per test run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

WORDS = [
    "good",
    "bad",
    "great",
    "awful",
    "the",
    "movie",
    "was",
    "is",
    "not",
    "very",
    "i",
    "love",
    "hate",
    "it",
    "this",
    "day",
    "food",
    "service",
    "ok",
    "and",
]
MAX_LENGTH = 32

ModelFactory = Callable[[Mapping[int, str]], Path]


@pytest.fixture(scope="session")
def make_model(tmp_path_factory: pytest.TempPathFactory) -> ModelFactory:
    """Build a tiny BERT classifier with the given id2label and save it to a folder."""
    vocab_dir = tmp_path_factory.mktemp("vocab")
    vocab = vocab_dir / "vocab.txt"
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab.write_text("\n".join([*specials, *WORDS, "!", ".", ","]) + "\n")
    built: dict[tuple[tuple[int, str], ...], Path] = {}

    def factory(id2label: Mapping[int, str]) -> Path:
        key = tuple(sorted(id2label.items()))
        if key in built:
            return built[key]
        folder = tmp_path_factory.mktemp("tiny-model")
        tokenizer = BertTokenizerFast.from_pretrained(
            vocab_dir, do_lower_case=True, model_max_length=MAX_LENGTH
        )
        config = BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=64,
            id2label=dict(id2label),
            label2id={label: i for i, label in id2label.items()},
        )
        torch.manual_seed(0)
        BertForSequenceClassification(config).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        built[key] = folder
        return folder

    return factory


@pytest.fixture
def three_class(make_model: ModelFactory) -> Path:
    """A tiny model with labels negative / neutral / positive."""
    return make_model({0: "negative", 1: "neutral", 2: "positive"})
