"""A poison status between good ones: the good are stored, the poison reported, the cursor moves."""

from __future__ import annotations

from tests.crawlers.mastodon.conftest import MakeCollector, access, stored
from tests.servers.mastodon import MastodonServer


def test_a_poison_status_between_good_ones_is_reported_and_passed(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance()
    mastodon = mastodon_collector(access(url), search=False, hashtags=("アクメ",))
    mastodon.poll()
    good = instance.toot("<p>アクメ 1</p>", ("アクメ",))
    poison = instance.toot("<p>アクメ from year 9999</p>", ("アクメ",))
    instance.statuses[poison] |= {
        "created_at": "9999-12-31T23:59:59-14:00",
        "favourites_count": 10**20,
        "replies_count": "many",
        "language": {"not": "a code"},
        "uri": "https://evil.example/" + "x" * 700,
        "edited_at": "not a date",
    }
    later = instance.toot("<p>アクメ 2</p>", ("アクメ",))
    outcome = mastodon.poll()
    assert outcome.error is None
    assert outcome.new == 3
    texts = sorted(m.text for m in stored(mastodon).values())
    assert {"アクメ 1", "アクメ 2", "アクメ from year 9999"} <= set(texts)
    [bad] = [m for m in stored(mastodon).values() if "9999" in m.text]
    assert (bad.published_at, bad.score, bad.comments) == (None, None, None)
    assert len(bad.external_id) == 512
    warning = outcome.warning or ""
    assert "score 100000000000000000000 is out of range" in warning
    assert good in {m.raw["id"] for m in stored(mastodon).values()}
    instance.toot("<p>アクメ 3</p>", ("アクメ",))
    again = mastodon.poll()  # the next poll reads on from past the poison
    assert (again.new, again.error) == (1, None)
    assert instance.requests[-1]["min_id"] == later
