"""Quality smoke test of the real offline English model, earful-english (marked slow)."""

from __future__ import annotations

import pytest

from sentiment import ENGLISH_MODEL, Scorer, load_scorer

CASES = [
    ("I love this phone, best purchase I have made all year!", "positive"),
    ("Absolutely fantastic service, thank you so much!", "positive"),
    ("What a wonderful day, I'm so happy :)", "positive"),
    ("Great job team, really impressed with the new update", "positive"),
    ("This is the worst airline ever, they lost my bag again.", "negative"),
    ("I hate this app, it crashes every single time.", "negative"),
    ("Terrible customer support, never buying from them again", "negative"),
    ("So disappointed and angry with this awful product", "negative"),
    ("The store opens at 9am on Monday.", "neutral"),
    ("The meeting has been moved to Thursday afternoon.", "neutral"),
    ("The new version will be released in March.", "neutral"),
    ("@user the match starts at 8 tonight on channel 4", "neutral"),
]


@pytest.fixture(scope="module")
def scorer():
    return load_scorer(ENGLISH_MODEL)


@pytest.mark.slow
def test_english_model_identity(scorer) -> None:
    assert scorer.model_id == ENGLISH_MODEL
    assert len(scorer.model_revision) == 16
    assert load_scorer(ENGLISH_MODEL).model_revision == scorer.model_revision


@pytest.mark.slow
def test_english_model_on_unambiguous_sentences(scorer) -> None:
    texts = [text for text, _ in CASES]
    predicted = [score.label for score in scorer.score(texts)]
    expected = [label for _, label in CASES]
    correct = sum(p == e for p, e in zip(predicted, expected, strict=True))
    assert correct >= 11, list(zip(texts, predicted, strict=True))
    polar = [(p, e) for p, e in zip(predicted, expected, strict=True) if e != "neutral"]
    assert all(p == e for p, e in polar), list(zip(texts, predicted, strict=True))


@pytest.mark.slow
def test_english_model_japanese_and_long_text(scorer) -> None:
    long_review = "The hotel was fine. " * 150 + "But the staff were rude and awful."
    scores = scorer.score(["この映画は最高でした！", long_review, "   "])
    assert all(abs(sum(s.probabilities.values()) - 1.0) < 1e-5 for s in scores)
    assert scores[2].label == "neutral"


@pytest.mark.slow
def test_english_model_runs_in_onnxruntime_like_torch(scorer) -> None:
    assert scorer.backend == "onnxruntime"
    in_torch = Scorer(
        scorer.model,
        scorer.tokenizer,
        model_id=scorer.model_id,
        model_revision=scorer.model_revision,
        targets=scorer.targets,
    )
    texts = [text for text, _ in CASES]
    for ours, theirs in zip(scorer.score(texts), in_torch.score(texts), strict=True):
        assert ours.label == theirs.label
        assert ours.probabilities["positive"] == pytest.approx(
            theirs.probabilities["positive"], abs=1e-4
        )
