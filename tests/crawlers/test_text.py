"""Text hygiene: links that keep their target, feed boilerplate, control characters."""

from __future__ import annotations

import pytest

from crawlers.text import canonical_url, clean_text, strip_boilerplate

# Real link shapes, each as a feed or page gives it and as Earful must store it.
LINKS = [
    # tracking parameters go, and only they
    (
        "https://blog.example/acme?utm_source=rss&utm_medium=feed&id=7",
        "https://blog.example/acme?id=7",
    ),
    ("https://news.example/a?fbclid=IwAR0x&p=2", "https://news.example/a?p=2"),
    ("https://shop.example/p/1?gclid=Cj0&msclkid=ab", "https://shop.example/p/1"),
    ("https://x.example/a?UTM_Campaign=x&q=acme", "https://x.example/a?q=acme"),
    # blank values, ";" separators and percent-encoding stay as they are
    (
        "http://forum.example/showthread.php?123",
        "http://forum.example/showthread.php?123",
    ),
    ("http://cgi.example/read.cgi?a=1;b=2", "http://cgi.example/read.cgi?a=1;b=2"),
    ("https://x.example/a%20b?q=a%20b&r=%2F", "https://x.example/a%20b?q=a%20b&r=%2F"),
    ("https://x.example/s?q=&page=2", "https://x.example/s?q=&page=2"),
    (
        "https://ja.example/%E3%82%A2%E3%82%AF%E3%83%A1?q=%E3%82%A2",
        "https://ja.example/%E3%82%A2%E3%82%AF%E3%83%A1?q=%E3%82%A2",
    ),
    ("https://x.example/a?b=1&b=2&a=0", "https://x.example/a?b=1&b=2&a=0"),
    # fragments that address content stay: hashbangs, comments, posts
    ("https://app.example/#!/thread/42", "https://app.example/#!/thread/42"),
    (
        "https://blog.example/post#c4788123456",
        "https://blog.example/post#c4788123456",
    ),
    ("https://blog.example/post#comment-991", "https://blog.example/post#comment-991"),
    ("https://f.example/t/9?page=3#post-77", "https://f.example/t/9?page=3#post-77"),
    # navigation-only fragments and empty queries go
    ("https://blog.example/post#comments", "https://blog.example/post"),
    ("https://blog.example/post#more-4211", "https://blog.example/post"),
    ("https://blog.example/post#respond", "https://blog.example/post"),
    ("https://blog.example/post?", "https://blog.example/post"),
    ("https://blog.example/post#", "https://blog.example/post"),
    ("  https://blog.example/post\n", "https://blog.example/post"),
]


@pytest.mark.parametrize(("link", "stored"), LINKS)
def test_canonical_url_keeps_the_target(link, stored):
    assert canonical_url(link) == stored


BOILERPLATE = [
    ("Acme broke after two days. Continue reading →", "Acme broke after two days."),
    ("Acme broke after two days […]", "Acme broke after two days"),
    ("Acme broke after two days [...]", "Acme broke after two days"),
    (
        (
            "Acme broke… Continue reading Acme review →\n\n"
            "The post Acme review appeared first on Gadget Blog."
        ),
        "Acme broke…",
    ),
    ("Acme broke […] Read More »", "Acme broke"),
    ("アクメのサポートは最悪。続きを読む", "アクメのサポートは最悪。"),
    ("アクメのサポートは最悪…\n[続きを読む]", "アクメのサポートは最悪…"),
    (
        "アクメは最悪です。\n投稿 アクメの話 は ガジェット通信 に最初に表示されました。",
        "アクメは最悪です。",
    ),
    # the writer's own words stay
    ("I read more books than Acme sells.", "I read more books than Acme sells."),
    (
        "Acme says I should Read more manuals",
        "Acme says I should Read more manuals",
    ),
    ("The post office lost my Acme kettle.", "The post office lost my Acme kettle."),
]


@pytest.mark.parametrize(("text", "kept"), BOILERPLATE)
def test_strip_boilerplate(text, kept):
    assert strip_boilerplate(text) == kept


def test_clean_text_drops_controls_and_flags_replacement_characters():
    assert clean_text("Acme\x00 \x96 good\x1b") == ("Acme \u2013 good", True)
    assert clean_text("Acme\x81\x9d") == ("Acme", True)  # C1 with no character
    assert clean_text("\ufffd\ufffdAcme\ufffd") == ("Acme", False)
    assert clean_text("アクメ\tは\n良い") == ("アクメ\tは\n良い", True)


def test_strip_boilerplate_across_wrapped_lines():
    text = (
        "The Acme blender leaked.\n\nContinue reading\nAcme blender review →\n\n"
        "The post Acme blender review\nappeared first on\nGadget Blog."
    )
    assert strip_boilerplate(text) == "The Acme blender leaked."
