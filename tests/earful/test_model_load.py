"""The scoring and alert jobs ask for the model at once: it loads once, safely."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

import sentiment
from earful.config import Config
from earful.pipeline import Pipeline
from storage.queries import Match, upsert_mention

WORDS = ["good", "bad", "acme", "is", "not", "very", "ok"]


def tiny_model(folder: Path) -> Path:
    """A random-weight three-label BERT saved to ``folder``."""
    folder.mkdir()
    vocab = folder / "vocab.txt"
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab.write_text("\n".join([*specials, *WORDS]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(str(vocab), model_max_length=32)
    labels = {0: "negative", 1: "neutral", 2: "positive"}
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        id2label=labels,
        label2id={v: k for k, v in labels.items()},
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_concurrent_first_use_loads_the_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tiny_model(tmp_path / "model")
    config = Config.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'earful.db'}",
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sentiment": {"model": str(model)},
        }
    )
    loads: list[str] = []
    real_load = sentiment.load_scorer

    def counting_load(*args: object, **kwargs: object) -> sentiment.Scorer:
        loads.append(threading.current_thread().name)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sentiment, "load_scorer", counting_load)
    pipeline = Pipeline(config)
    start = threading.Barrier(6)
    got: list[sentiment.Scorer] = []
    errors: list[BaseException] = []

    def job() -> None:
        start.wait()
        try:
            got.append(pipeline.scorer)
        except BaseException as exc:  # noqa: BLE001 - the race's AssertionError
            errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    pipeline.close()
    assert errors == []
    assert len(loads) == 1
    assert len(got) == 6
    assert all(scorer is got[0] for scorer in got)


def test_a_stop_ends_scoring_before_the_next_model_batch(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "model")
    config = Config.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'earful.db'}",
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sentiment": {"model": str(model), "batch_size": 2},
        }
    )
    pipeline = Pipeline(config)
    with pipeline.sessions.begin() as session:
        for n in range(5):
            fields = {
                "source": "s",
                "source_type": "feed",
                "external_id": str(n),
                "text": f"acme is not good {n}",
            }
            upsert_mention(session, fields, [Match("Acme", False, ("acme",))])
    pipeline.stopping.set()  # SIGTERM arrived
    assert pipeline.score() == (0, 0)  # nothing half-saved
    pipeline.stopping.clear()
    scored, _negative = pipeline.score()
    assert scored == 5
    pipeline.close()
