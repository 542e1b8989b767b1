"""Message catalogues: what Earful says to people, in ``[ui] language``.

GNU gettext catalogues, one ``.po`` per language under ``alerts/locale``
(domain ``earful``), read at start with the standard library: no compiled
``.mo`` to build at install or forget in a wheel, and no extra dependency. The
``.po`` is the source a translator edits. The msgid is the English text, so
English needs no catalogue. They live in ``alerts`` because it is the lowest
package that speaks to people: Slack messages and digests here, and the
dashboard in ``earful`` (which may import ``alerts``), share one catalogue.

A fuzzy or empty entry is refused at load, loudly, never shown half-translated.
"""

from __future__ import annotations

import ast
import gettext
from functools import lru_cache
from importlib import resources

from alerts.errors import AlertError

LANGUAGES = ("en", "ja")
DOMAIN = "earful"


class CatalogError(AlertError):
    """A ``.po`` catalogue that cannot be read; the message names the file and line."""


class Catalog(gettext.NullTranslations):
    """One language's messages, read from its ``.po``."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself if there is none."""
        return self.messages.get(message, message)


def _string(line: str, where: str) -> str:
    try:
        value = ast.literal_eval(line)
    except (ValueError, SyntaxError):
        msg = f"{where}: not a quoted string: {line[:60]!r}"
        raise CatalogError(msg) from None
    if not isinstance(value, str):
        msg = f"{where}: not a quoted string: {line[:60]!r}"
        raise CatalogError(msg)
    return value


def parse_po(text: str, name: str = "<po>") -> dict[str, str]:
    """msgid → msgstr of a ``.po`` text (no plurals or contexts: none are used)."""
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    key = ""
    fuzzy = False

    def finish(where: str) -> None:
        nonlocal fuzzy
        msgid, msgstr = entry.get("msgid"), entry.get("msgstr")
        if msgid and (fuzzy or not msgstr):
            msg = f"{where}: {msgid!r} is {'fuzzy' if fuzzy else 'untranslated'}"
            raise CatalogError(msg)
        if msgid and msgstr:
            messages[msgid] = msgstr
        entry.clear()
        fuzzy = False

    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line, where = raw.strip(), f"{name}:{number}"
        if not line:
            finish(where)
        elif line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if not key:
                raise CatalogError(f"{where}: a string outside an entry")
            entry[key] += _string(line, where)
        else:
            key, _, rest = line.partition(" ")
            if key not in {"msgid", "msgstr"}:
                raise CatalogError(f"{where}: {key!r} is not supported")
            entry[key] = _string(rest, where)
    return messages


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue for ``language``: English is the msgids themselves."""
    if language == "en":
        return gettext.NullTranslations()
    if language not in LANGUAGES:
        msg = f"no catalogue for language {language!r} (have: {', '.join(LANGUAGES)})"
        raise CatalogError(msg)
    po = resources.files("alerts") / "locale" / language / "LC_MESSAGES" / "earful.po"
    return Catalog(parse_po(po.read_text(encoding="utf-8"), f"{language}/earful.po"))
