"""The Japanese catalogue covers every message the dashboard shows, and loads loudly."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

import earful.web
from alerts.catalog import CatalogError, parse_po, translations
from storage.models import CaseState
from storage.search import LABELS

TEMPLATES = Path(earful.web.__file__).parent / "templates"
# msgids the templates pass as values: labels, case states, crawl run statuses,
# periods and the response tables' dimensions
DYNAMIC = {
    *LABELS,
    "unscored",
    *(s.value.replace("_", " ") for s in CaseState),
    *("running", "ok", "failed", "empty"),
    *("day", "week", "source", "source type"),
}


def _template_messages() -> set[str]:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found = set()
    for path in TEMPLATES.glob("*.html"):
        for _line, _func, message in env.extract_translations(path.read_text("utf-8")):
            found.update(
                m for m in (message if isinstance(message, tuple) else [message]) if m
            )
    return found


def test_every_dashboard_message_has_japanese():
    japanese = translations("ja")
    messages = _template_messages() | DYNAMIC
    assert len(messages) > 50
    missing = sorted(m for m in messages if japanese.gettext(m) == m)
    assert missing == []


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("Negative inbox", "ネガティブな言及"),
        ("Mark handled", "対応済みにする"),
        ("resolved", "解決"),
        ("in progress", "対応中"),
        ("handled by %(name)s", "対応済み（%(name)s）"),
    ],
)
def test_natural_japanese_for_the_pr_team(english, japanese):
    assert translations("ja").gettext(english) == japanese
    assert translations("en").gettext(english) == english


@pytest.mark.parametrize(
    ("po", "message"),
    [
        ('#, fuzzy\nmsgid "Search"\nmsgstr "検索"\n', "x.po:4: 'Search' is fuzzy"),
        ('msgid "Search"\nmsgstr ""\n', "x.po:3: 'Search' is untranslated"),
        ('msgctxt "a"\nmsgid "b"\nmsgstr "c"\n', "x.po:1: 'msgctxt' is not supported"),
        ('msgid "Search\nmsgstr "x"\n', "x.po:1: not a quoted string"),
    ],
)
def test_a_broken_catalogue_is_refused(po, message):
    with pytest.raises(CatalogError) as caught:
        parse_po(po, "x.po")
    assert str(caught.value).startswith(message)


def test_continued_strings_and_escapes():
    po = 'msgid ""\n"a \\"b\\""\nmsgstr "x"\n"y\\n"\n'
    assert parse_po(po) == {'a "b"': "xy\n"}
