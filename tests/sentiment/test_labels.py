"""Label mapping for each supported scheme, overrides and errors."""

from __future__ import annotations

import pytest

from sentiment.errors import LabelSchemeError
from sentiment.labels import resolve_label_map


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        (
            {0: "negative", 1: "neutral", 2: "positive"},
            ["negative", "neutral", "positive"],
        ),
        (
            {0: "Positive", 1: "NEGATIVE", 2: "Neutral"},
            ["positive", "negative", "neutral"],
        ),
        ({0: "neg", 1: "neu", 2: "pos"}, ["negative", "neutral", "positive"]),
        ({0: "NEG", 1: "POS"}, ["negative", "positive"]),
        (
            {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
            ["negative", "neutral", "positive"],
        ),
        ({0: "LABEL_0", 1: "LABEL_1"}, ["negative", "positive"]),
        ({0: "negative", 1: "positive"}, ["negative", "positive"]),
        (
            {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"},
            ["negative", "negative", "neutral", "positive", "positive"],
        ),
    ],
)
def test_known_schemes(id2label: dict[int, str], expected: list[str]) -> None:
    assert resolve_label_map(id2label) == expected


def test_order_follows_output_index_not_dict_order() -> None:
    assert resolve_label_map({2: "positive", 0: "negative", 1: "neutral"}) == [
        "negative",
        "neutral",
        "positive",
    ]


def test_unknown_scheme_names_the_labels() -> None:
    with pytest.raises(LabelSchemeError, match="joy") as info:
        resolve_label_map({0: "joy", 1: "anger"}, model_id="org/emotions")
    assert "org/emotions" in str(info.value)
    assert "label_map" in str(info.value)


def test_generic_labels_of_other_sizes_are_unknown() -> None:
    with pytest.raises(LabelSchemeError, match="LABEL_3"):
        resolve_label_map({i: f"LABEL_{i}" for i in range(4)})


def test_override_wins() -> None:
    mapping = resolve_label_map(
        {0: "LABEL_0", 1: "LABEL_1"},
        {"label_0": "positive", "LABEL_1": "negative"},
    )
    assert mapping == ["positive", "negative"]


def test_override_must_cover_every_label() -> None:
    with pytest.raises(LabelSchemeError, match="anger"):
        resolve_label_map({0: "joy", 1: "anger"}, {"joy": "positive"})


def test_override_targets_must_be_earful_labels() -> None:
    with pytest.raises(LabelSchemeError, match="happy"):
        resolve_label_map({0: "joy", 1: "anger"}, {"joy": "happy", "anger": "negative"})


def test_mapping_must_have_both_polarities() -> None:
    with pytest.raises(LabelSchemeError, match="lacks negative or positive"):
        resolve_label_map({0: "neutral", 1: "positive"})
