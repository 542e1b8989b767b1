"""Bytes to text for feeds and pages: the declared charset when the bytes fit it, else a detected one.

Rules, in order:

1. A byte order mark decides.
2. Bytes that are valid UTF-8 (and not plain ASCII) are UTF-8: a multi-byte
   UTF-8 sequence almost never happens by chance.
3. Bytes that are UTF-8 but for a few stray bytes are UTF-8 too, the stray
   bytes replaced: any other reading would garble every character, not one.
4. Each declared charset (HTTP ``Content-Type`` first, then the document's own
   XML declaration or ``<meta charset>``), by its WHATWG meaning, as a browser
   reads it (``ISO-8859-1`` is windows-1252, ``Shift_JIS`` is cp932, ``GB2312``
   is GB18030): the first one the bytes decode under *and* read as text under
   (charset-normalizer finds little mess) wins.
5. Otherwise charset-normalizer's best guess (undeclared legacy charsets).
6. Otherwise a declared charset the bytes at least decode under, else
   windows-1252 with undecodable bytes replaced.

When a charset was declared and another one won, or bytes were replaced,
``Decoded.problem`` says so: the source records it as a warning. Text with
replaced bytes is marked not ``clean``, so no language is guessed from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from charset_normalizer import CharsetMatch, from_bytes
from w3lib.encoding import read_bom, resolve_encoding

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_ENCODING_ATTRIBUTE = re.compile(r"""\s+encoding\s*=\s*(["'])[^"']*\1""")
# How messy (charset-normalizer's chaos, 0-1) a declared charset may read.
MAX_CHAOS = 0.2
# charset-normalizer reads this much of a body (cut at a line end, which no
# legacy multi-byte charset uses inside a character): 0.6 MB of Shift_JIS took
# 440 ms whole, and the first 64 KiB decide as well.
SAMPLE = 64 * 1024
REPLACEMENT = "\ufffd"
# On short texts several charsets read about equally well (a few accented
# letters are as plausible in windows-1250 as in windows-1252): readings this
# close to the cleanest compete on coherence, then on being common.
NEAR_CHAOS = 0.05
PREFERRED = ("cp1252", "cp932", "euc_jp", "gb18030", "cp949", "big5", "cp1251")


@dataclass(frozen=True)
class Decoded:
    """A body as text, the codec that made it, and what was wrong with its declaration."""

    text: str
    encoding: str
    problem: str | None = None
    clean: bool = True


def _sample(body: bytes) -> bytes:
    """The first ``SAMPLE`` bytes of ``body``, up to a line end."""
    if len(body) <= SAMPLE:
        return body
    end = body.rfind(b"\n", 0, SAMPLE)
    return body[: end if end > 0 else SAMPLE]


def _reads_as_text(body: bytes, encoding: str) -> str | None:
    """``body`` decoded with ``encoding`` when it decodes and reads as text.

    Single-byte charsets decode any bytes, and EUC-JP bytes often decode as
    Shift_JIS too, so decoding alone proves little: charset-normalizer must
    also find the result no messier than ``MAX_CHAOS``.
    """
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if body.isascii():
        return text
    sample = _sample(body)
    best = from_bytes(sample, cp_isolation=[encoding], threshold=MAX_CHAOS).best()
    return text if best is not None else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(body: bytes) -> CharsetMatch | None:
    """charset-normalizer's reading that is nearly as clean as its best, and most coherent.

    Its first choice can be a rare charset by a hair (windows-1252 French read
    as ISO-8859-10); among readings within ``NEAR_CHAOS`` of the cleanest, the
    one whose letters fit a language best wins, then the commonest charset.
    """
    found = list(from_bytes(_sample(body)))
    if not found:
        return None
    cleanest = min(m.chaos for m in found)
    near = [m for m in found if m.chaos <= cleanest + NEAR_CHAOS]

    def rank(match: CharsetMatch) -> tuple[float, int]:
        names = [match.encoding, *match.could_be_from_charset]
        common = min((PREFERRED.index(n) for n in names if n in PREFERRED), default=99)
        return (-match.coherence, common)

    return min(near, key=rank)


def _mostly_utf8(body: bytes) -> Decoded | None:
    """UTF-8 with a few stray bytes: at least two good characters for each bad byte.

    Text in a legacy charset read as UTF-8 is nearly all bad bytes, so this
    does not catch it; a UTF-8 page with one broken byte is still UTF-8, and
    reading it as anything else garbles every character instead of one.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count(REPLACEMENT)
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if not bad or good < 2 * bad:
        return None
    problem = f"utf-8 with {bad} invalid byte sequence(s), dropped"
    return Decoded(text, "utf-8", problem, clean=False)


def _mismatch(names: list[str], used: str) -> str | None:
    if not names or used in names[:1]:
        return None
    return f"the declared charset {names[0]} does not fit the bytes; read as {used}"


def decode_body(body: bytes, declared: Iterable[str | None]) -> Decoded:
    """``body`` as text by the rules above; ``declared`` in order of authority."""
    bom, mark = read_bom(body)
    if bom is not None and mark is not None:
        text = _strict(body[len(mark) :], bom)
        if text is not None:
            return Decoded(text, bom)
    names = list(
        dict.fromkeys(n for n in map(resolve_encoding, filter(None, declared)) if n)
    )
    if not body.isascii() and (text := _strict(body, "utf-8")) is not None:
        return Decoded(
            text, "utf-8", None if "utf-8" in names else _mismatch(names, "utf-8")
        )
    if (mostly := _mostly_utf8(body)) is not None:
        return mostly
    for name in names:
        if (text := _reads_as_text(body, name)) is not None:
            return Decoded(text, name, _mismatch(names, name))
    best = _guess(body)
    if best is not None and best.encoding:
        text = body.decode(best.encoding, errors="replace")
        clean = REPLACEMENT not in text
        problem = _mismatch(names, best.encoding) or (
            None if clean else f"bytes not valid in {best.encoding} were dropped"
        )
        return Decoded(text, best.encoding, problem, clean=clean)
    return _last_resort(body, names)


def _last_resort(body: bytes, names: list[str]) -> Decoded:
    """A declared charset the bytes decode under, else one with bytes replaced."""
    for name in names:
        if (text := _strict(body, name)) is not None:
            return Decoded(text, name)
    fallback = names[0] if names else "cp1252"
    return Decoded(
        body.decode(fallback, errors="replace"),
        fallback,
        f"the bytes fit no charset (declared: {', '.join(names) or 'none'}); "
        "undecodable bytes were dropped",
        clean=False,
    )


def as_utf8_xml(text: str) -> bytes:
    """A decoded XML document as UTF-8 bytes whose declaration says so.

    The ``encoding`` pseudo-attribute is removed (UTF-8 is XML's default), so a
    parser that reads the declaration cannot decode the bytes a second time
    with the charset the site got wrong.
    """
    data = text.encode("utf-8")
    found = _XML_DECLARATION.match(data)
    if found is None:
        return data
    declaration = _ENCODING_ATTRIBUTE.sub("", found[0].decode("utf-8"))
    return declaration.encode("utf-8") + data[found.end() :]
