"""Bytes to text: declared charsets checked against the bytes, undeclared ones detected."""

from __future__ import annotations

import pytest

from crawlers.encoding import as_utf8_xml, decode_body

JAPANESE = (
    "アクメのミキサーは二日で壊れました。サポートに電話しても誰も出ません。"
    "返金もしてくれないので、もう二度と買いません。"
)
# Sentences of the length a feed entry has, in the scripts of undeclared legacy feeds.
TEXTS = {
    "shift_jis": JAPANESE,
    "euc_jp": JAPANESE,
    "iso2022_jp": JAPANESE,
    "gb2312": "阿克米的搅拌机用了两天就坏了，客服电话没人接，也不给退款，我再也不买了。",
    "big5": "阿克米的攪拌機用了兩天就壞了，客服電話沒人接，也不給退款，我再也不買了。",
    "euc_kr": "아크메 믹서는 이틀 만에 고장 났습니다. 고객 지원은 최악이고 환불도 안 해 줍니다.",
    "koi8_r": "Миксер Акме сломался через два дня. Поддержка не отвечает, денег не вернули.",
    "cp1251": "Миксер Акме сломался через два дня. Поддержка не отвечает, денег не вернули.",
    "tis_620": "เครื่องปั่นแอคมีพังหลังจากใช้ไปสองวัน ฝ่ายบริการลูกค้าไม่รับสายเลย",
    "cp1255": "הבלנדר של אקמה התקלקל אחרי יומיים. שירות הלקוחות לא עונה בכלל.",
    "cp1252": "Le mixeur Acme est tombé en panne après deux jours. Très déçu du SAV.",
}


def _feed(text: str) -> str:
    return (
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Feed</title>'
        f"<item><title>Acme</title><description>{text}</description></item>"
        "</channel></rss>"
    )


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_an_undeclared_legacy_charset_is_detected(encoding):
    text = TEXTS[encoding]
    decoded = decode_body(_feed(text).encode(encoding), [None, None])
    assert text in decoded.text
    assert decoded.problem is None
    assert decoded.clean


@pytest.mark.parametrize(
    ("declared", "actual", "used"),
    [
        ("EUC-JP", "shift_jis", "cp932"),  # the #16 case
        ("Shift_JIS", "euc_jp", "euc_jis_2004"),  # decodes, but as nonsense
        ("ISO-8859-1", "utf-8", "utf-8"),
        ("utf-8", "shift_jis", "cp932"),
    ],
)
def test_a_wrong_declaration_gives_way_to_the_bytes(declared, actual, used):
    decoded = decode_body(_feed(JAPANESE).encode(actual), [declared])
    assert JAPANESE in decoded.text
    assert decoded.encoding == used
    assert decoded.problem is not None
    assert decoded.problem.startswith("the declared charset ")
    assert decoded.problem.endswith(f" does not fit the bytes; read as {used}")


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("Shift_JIS", "shift_jis"), ("euc-jp", "euc_jp"), ("iso-8859-1", "cp1252")],
)
def test_a_right_declaration_is_used_without_a_warning(declared, encoding):
    text = TEXTS.get(encoding, JAPANESE)
    decoded = decode_body(_feed(text).encode(encoding), [declared])
    assert text in decoded.text
    assert decoded.problem is None


def test_windows_1252_extensions_under_a_latin1_declaration():
    decoded = decode_body("\u201cAcme\u201d \u2013 fine".encode("cp1252"), ["latin-1"])
    assert decoded.text == "\u201cAcme\u201d \u2013 fine"
    assert decoded.problem is None


def test_a_byte_order_mark_decides():
    body = "\ufeff<rss>アクメ</rss>".encode("utf-16-le")
    assert decode_body(body, ["shift_jis"]).text == "<rss>アクメ</rss>"


def test_as_utf8_xml_drops_the_encoding_the_bytes_no_longer_have():
    xml = "<?xml version='1.0' encoding='Shift_JIS' standalone='yes'?><rss>アクメ</rss>"
    assert as_utf8_xml(xml) == (
        "<?xml version='1.0' standalone='yes'?><rss>アクメ</rss>".encode()
    )
    assert as_utf8_xml("<rss>ア</rss>") == "<rss>ア</rss>".encode()


def test_utf8_with_a_stray_byte_stays_utf8_and_is_not_clean():
    body = "<p>\u2019アクメ\u201d</p>".encode().replace(b"</p>", b"\xa9</p>")
    decoded = decode_body(body, ["utf-8"])
    assert decoded.text == "<p>\u2019アクメ\u201d\ufffd</p>"
    assert decoded.problem == "utf-8 with 1 invalid byte sequence(s), dropped"
    assert not decoded.clean


def test_a_legacy_charset_is_not_taken_for_broken_utf8():
    decoded = decode_body(JAPANESE.encode("cp932"), [None])
    assert decoded.text == JAPANESE
    assert decoded.clean
