"""Scorer code paths on tiny random-weight models loaded through load_scorer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import sentiment
from sentiment import Score, Scorer, load_scorer
from sentiment.errors import LabelSchemeError, ModelUnavailableError
from sentiment.labels import LABELS


def test_exports() -> None:
    assert sorted(sentiment.__all__) == sorted(
        [
            "Score",
            "Scorer",
            "load_scorer",
            "SentimentError",
            "DEFAULT_MODEL",
            "ENGLISH_MODEL",
        ]
    )
    assert sentiment.DEFAULT_MODEL == "earful-default"


def test_scores_keep_order_and_length(three_class: Path) -> None:
    scorer = load_scorer(str(three_class), batch_size=2)
    texts = ["good movie", "the food was awful and bad", "ok", "good movie", "i"]
    scores = scorer.score(texts)
    assert len(scores) == len(texts)
    assert all(isinstance(s, Score) for s in scores)
    for score in scores:
        assert set(score.probabilities) == set(LABELS)
        assert math.isclose(sum(score.probabilities.values()), 1.0, abs_tol=1e-5)
        assert score.label == max(LABELS, key=score.probabilities.__getitem__)
    assert scores[0] == scores[3]
    single = [scorer.score([text])[0] for text in texts]
    for one, batched in zip(single, scores, strict=True):
        for label in LABELS:
            assert one.probabilities[label] == pytest.approx(
                batched.probabilities[label], abs=1e-5
            )


def test_empty_input_list(three_class: Path) -> None:
    assert load_scorer(str(three_class)).score([]) == []


def test_records_model_id_and_revision(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    assert scorer.model_id == str(three_class)
    assert len(scorer.model_revision) == 16
    int(scorer.model_revision, 16)
    assert load_scorer(str(three_class)).model_revision == scorer.model_revision


@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_blank_text_is_neutral(three_class: Path, text: str) -> None:
    scores = load_scorer(str(three_class)).score([text, "good", text])
    for score in (scores[0], scores[2]):
        assert score.label == "neutral"
        assert score.probabilities == {
            "negative": 0.0,
            "neutral": 1.0,
            "positive": 0.0,
        }


def test_non_english_text_does_not_crash(three_class: Path) -> None:
    texts = ["この映画は最高でした！", "Ça ne marche pas du tout 😡", "🙂🙂", "\u200b"]
    scores = load_scorer(str(three_class)).score(texts)
    assert [sum(s.probabilities.values()) for s in scores] == pytest.approx([1.0] * 4)


def test_long_text_uses_every_window(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    head = "the movie was very bad and i hate it . " * 6  # ~60 tokens > 32
    tails = ["good great love " * 5, "awful bad hate " * 5]
    first, second = scorer.score([head + tails[0], head + tails[1]])
    assert first.probabilities != second.probabilities
    assert scorer.score([head + tails[0]])[0] == first


def test_long_text_is_the_weighted_mean_of_its_windows(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    words = ("good bad awful great the movie " * 20).split()  # 120 tokens
    window = 30  # 32 positions minus [CLS] and [SEP]
    assert scorer.max_length == 32
    parts = [" ".join(words[i : i + window]) for i in range(0, len(words), window)]
    whole = scorer.score([" ".join(words)])[0]
    pieces = scorer.score(parts)
    for label in LABELS:
        mean = sum(p.probabilities[label] for p in pieces) / len(pieces)
        assert whole.probabilities[label] == pytest.approx(mean, abs=1e-5)


def test_unknown_label_scheme_names_labels(make_model) -> None:
    folder = make_model({0: "sports", 1: "politics", 2: "music"})
    with pytest.raises(LabelSchemeError) as info:
        load_scorer(str(folder))
    message = str(info.value)
    assert "sports" in message
    assert "politics" in message
    assert "label_map" in message


def test_label_map_overrides(make_model) -> None:
    folder = make_model({0: "sports", 1: "politics", 2: "music"})
    scorer = load_scorer(
        str(folder),
        label_map={"sports": "positive", "politics": "negative", "music": "neutral"},
    )
    assert scorer.score(["good"])[0].label in LABELS


def test_binary_model_gives_zero_neutral(make_model) -> None:
    folder = make_model({0: "LABEL_0", 1: "LABEL_1"})
    score = load_scorer(str(folder)).score(["good day"])[0]
    assert score.probabilities["neutral"] == 0.0
    assert score.label in {"negative", "positive"}
    assert sum(score.probabilities.values()) == pytest.approx(1.0)


def test_star_model_sums_probabilities(make_model) -> None:
    stars = {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}
    star_folder = make_model(stars)
    score = load_scorer(str(star_folder)).score(["the service was ok"])[0]
    assert sum(score.probabilities.values()) == pytest.approx(1.0)
    assert all(p > 0 for p in score.probabilities.values())


def test_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelUnavailableError, match="does not exist") as info:
        load_scorer(str(missing))
    assert str(missing) in str(info.value)


def test_folder_without_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match=r"config\.json"):
        load_scorer(str(tmp_path))


def test_unavailable_hub_id_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_id = "earful-tests/no-such-model"
    with pytest.raises(ModelUnavailableError) as info:
        load_scorer(model_id)
    message = str(info.value)
    assert model_id in message
    assert "HF_HUB_OFFLINE=0" in message
    assert f"huggingface-cli download {model_id}" in message


def test_bad_batch_size(three_class: Path) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        load_scorer(str(three_class), batch_size=0)


def test_onnxruntime_backend_matches_torch(three_class: Path) -> None:
    torch_scorer = load_scorer(str(three_class))
    onnx_scorer = Scorer(
        torch_scorer.model,
        torch_scorer.tokenizer,
        model_id=torch_scorer.model_id,
        model_revision=torch_scorer.model_revision,
        targets=LABELS,
        batch_size=3,
        backend="onnxruntime",
    )
    texts = ["good movie", "the food was awful and bad " * 10, "", "ok", "この映画"]
    for ours, theirs in zip(
        onnx_scorer.score(texts), torch_scorer.score(texts), strict=True
    ):
        assert ours.label == theirs.label
        for label in LABELS:
            assert ours.probabilities[label] == pytest.approx(
                theirs.probabilities[label], abs=1e-4
            )


def test_unknown_backend(three_class: Path) -> None:
    scorer = load_scorer(str(three_class))
    with pytest.raises(ValueError, match="backend"):
        Scorer(
            scorer.model,
            scorer.tokenizer,
            model_id="x",
            model_revision="x",
            targets=LABELS,
            backend="tensorflow",
        )
