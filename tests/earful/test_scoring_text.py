"""What the model reads of a mention: a post's title with its body, a reply's body alone."""

from __future__ import annotations

from earful.pipeline import _scoring_text
from storage import Mention

BODY = "Acme support is useless: my order never arrived and nobody answers."


def _mention(**fields: object) -> Mention:
    base = {"source": "s", "source_type": "reddit", "text": BODY, "content_hash": "h"}
    return Mention(**(base | fields))


def test_a_post_is_scored_with_its_own_title() -> None:
    post = _mention(external_id="t3_a", thread_id="t3_a", title="Acme is late again")
    assert _scoring_text(post) == f"Acme is late again. {BODY}"
    entry = _mention(source_type="feed", external_id="e1", title="Acme refund saga")
    assert _scoring_text(entry) == f"Acme refund saga. {BODY}"
    titled = _mention(
        external_id="e2", title="Acme support", text="Acme support is bad"
    )
    assert _scoring_text(titled) == "Acme support is bad"  # the title opens the text


def test_a_reply_is_scored_without_its_threads_title() -> None:
    comment = _mention(
        external_id="t1_b", thread_id="t3_a", title="A thread in r/acmetest"
    )
    assert _scoring_text(comment) == BODY
    post = _mention(
        source_type="board", external_id="kaden/1700000000/5",
        thread_id="kaden/1700000000", title="【家電】アクメ総合スレ",
        text="アクメのサポートは最悪",
    )  # fmt: skip
    assert _scoring_text(post) == "アクメのサポートは最悪"
