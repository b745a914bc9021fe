"""Raw files -> clean text: loaders.decoding (bytes -> str) and loaders.markup (HTML/Markdown -> lines).

Expectations come from the seeds themselves (data/digests/, UTF-8, NFC, LF) re-encoded the ways users
actually send them, and from legacy encoders written independently in tests/legacy_encoders.py.
"""

from __future__ import annotations

import codecs
import random
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.decoding import VIETNAMESE_LETTERS, DecodeError, decode_bytes, detect_legacy_encoding
from loaders.markup import html_to_text, markdown_to_text
from tests.legacy_encoders import (
    PORTAL_BOILERPLATE,
    mojibake,
    to_cp1258,
    to_tcvn3,
    to_vni,
    wrap_in_portal_html,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "digests").glob("*.txt"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_IDS = [p.name[:3] for p in SEEDS]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _seed(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    """Non-empty lines as html_to_text renders them: &nbsp; and runs of spaces become one space."""
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n") if line.strip()]


def _refusal(data: bytes) -> str:
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    return str(info.value)


def test_there_are_five_seeds_in_nfc_with_lf() -> None:
    assert len(SEEDS) == 5
    for path in SEEDS:
        raw = path.read_bytes()
        assert b"\r" not in raw and not raw.startswith(codecs.BOM_UTF8)
        assert unicodedata.is_normalized("NFC", raw.decode("utf-8"))


# --- the test encoders themselves ---------------------------------------------------------------------


def test_legacy_encoders_reproduce_the_well_known_garbled_spellings() -> None:
    # The national motto as it looks when a TCVN3 / VNI document is opened with a Unicode font.
    motto = "Cộng hòa xã hội chủ nghĩa Việt Nam Độc lập - Tự do - Hạnh phúc"
    assert to_tcvn3(motto).decode("cp1252") == "Céng hßa x· héi chñ nghÜa ViÖt Nam §éc lËp - Tù do - H¹nh phóc"
    assert to_vni(motto).decode("cp1252") == (
        "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do - Haïnh phuùc"
    )


def test_cp1258_encoder_keeps_quality_marks_and_writes_tones_as_combining_bytes() -> None:
    # ê is one byte (EA); the dot below is the combining byte F2; đ is F0.
    assert to_cp1258("Việt đường") == b"Vi\xea\xf2t \xf0\xfd\xf5\xccng"
    assert _nfc(to_cp1258("Việt đường").decode("cp1258")) == "Việt đường"


# --- encodings that must all give the same text -------------------------------------------------------

VARIANTS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 with BOM": lambda t: t.encode("utf-8-sig"),
    "utf-16 LE with BOM": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16 LE without BOM": lambda t: t.encode("utf-16-le"),
    "windows-1258": to_cp1258,
    "NFD": lambda t: _nfd(t).encode("utf-8"),
    "CRLF": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "NFD + CRLF + BOM": lambda t: _nfd(t).replace("\n", "\r\n").encode("utf-8-sig"),
    "windows-1258 + CRLF": lambda t: to_cp1258(t.replace("\n", "\r\n")),
}
EXPECTED_ENCODING = {
    "utf-8 with BOM": "utf-8-sig",
    "NFD + CRLF + BOM": "utf-8-sig",
    "utf-16 LE with BOM": "utf-16",
    "utf-16 BE with BOM": "utf-16",
    "utf-16 LE without BOM": "utf-16",
    "windows-1258": "cp1258",
    "windows-1258 + CRLF": "cp1258",
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_every_encoding_of_a_seed_decodes_to_the_same_text(path: Path, variant: str) -> None:
    text = _seed(path)
    data = VARIANTS[variant](text)
    if variant != "utf-8":  # the variant really is different bytes, or the test proves nothing
        assert data != text.encode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.text == _nfc(text)
    assert decoded.encoding == EXPECTED_ENCODING.get(variant, "utf-8")


@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_notes_say_what_was_done(path: Path) -> None:
    text = _seed(path)
    assert decode_bytes(text.encode("utf-8")).notes == ()
    assert any("Windows-1258" in note for note in decode_bytes(to_cp1258(text)).notes)
    notes = " ".join(decode_bytes(_nfd(text).replace("\n", "\r\n").encode("utf-8-sig")).notes)
    assert "byte-order mark" in notes and "CRLF" in notes and "NFC" in notes


def test_the_windows_1258_variant_really_differs_from_utf8() -> None:
    # Guards the equality test above against an encoder that silently wrote UTF-8.
    text = _seed(SEEDS[0])
    assert to_cp1258(text) != text.encode("utf-8")
    assert b"\xcc" in to_cp1258("huyền") and b"\xf2" in to_cp1258("nặng")
    with pytest.raises(UnicodeDecodeError):
        to_cp1258(text).decode("utf-8")


def test_utf16_big_endian_without_bom_is_recognised_by_its_zero_bytes() -> None:
    text = _seed(SEEDS[2])
    decoded = decode_bytes(text.encode("utf-16-be"))
    assert decoded.text == text and decoded.encoding == "utf-16"
    assert any("big-endian" in note for note in decoded.notes)


def test_utf32_with_bom_is_accepted_too() -> None:
    text = _seed(SEEDS[4])
    decoded = decode_bytes(text.encode("utf-32"))
    assert decoded.text == text and decoded.encoding == "utf-32"


def test_old_mac_line_ends_and_unicode_separators_become_newlines() -> None:
    assert decode_bytes("Dòng 1\rDòng 2\r\rDòng 3".encode()).text == "Dòng 1\nDòng 2\n\nDòng 3"
    assert decode_bytes("Dòng 1\u2028Dòng 2\x0cDòng 3".encode()).text == "Dòng 1\nDòng 2\nDòng 3"


def test_trailing_nul_padding_and_inner_boms_are_removed_with_a_note() -> None:
    decoded = decode_bytes("Quyết định số 4/2020/QĐ-UBND\n".encode() + b"\x00" * 64)
    assert decoded.text == "Quyết định số 4/2020/QĐ-UBND\n"
    assert any("NUL" in note for note in decoded.notes)
    joined = decode_bytes("Phần 1\n".encode("utf-8-sig") + "Phần 2\n".encode("utf-8-sig"))
    assert joined.text == "Phần 1\nPhần 2\n"


def test_replacement_characters_already_in_the_text_are_reported() -> None:
    decoded = decode_bytes("Quy\ufffdt \u0111\u1ecbnh".encode())
    assert decoded.text == "Quy\ufffdt định"
    assert any("replacement" in note for note in decoded.notes)


# --- legacy font encodings: refuse, never guess -------------------------------------------------------

LEGACY = {"TCVN3": to_tcvn3, "VNI": to_vni}


@pytest.mark.parametrize("name", list(LEGACY))
@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_raw_legacy_files_are_refused_naming_the_encoding(path: Path, name: str) -> None:
    message = _refusal(LEGACY[name](_seed(path)))
    assert name in message and "is not Unicode" in message
    assert "convert the file" in message and "Unicode" in message


@pytest.mark.parametrize("name", list(LEGACY))
@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_legacy_text_already_saved_as_utf8_is_refused(path: Path, name: str) -> None:
    data = mojibake(LEGACY[name](_seed(path)))
    data.decode("utf-8")  # it is valid UTF-8: only the statistics can tell
    message = _refusal(data)
    assert name in message and "saved as UTF-8 without being converted" in message


@pytest.mark.parametrize("name", list(LEGACY))
def test_legacy_text_opened_as_windows_1258_is_refused(name: str) -> None:
    # Word opening a .VnTime document as "Vietnamese (Windows)" and saving it as UTF-8.
    garbled = _nfc(LEGACY[name](_seed(SEEDS[1])).decode("cp1258", errors="replace"))
    assert name in _refusal(garbled.encode("utf-8"))


def test_a_short_legacy_paragraph_is_enough() -> None:
    sentence = "UBND tỉnh chỉ đạo triển khai thực hiện công tác đặc xá năm 2025 trên địa bàn tỉnh Lạng Sơn."
    assert detect_legacy_encoding(to_tcvn3(sentence).decode("cp1252")) == "TCVN3"
    assert detect_legacy_encoding(to_vni(sentence).decode("cp1252")) == "VNI"


@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_seeds_are_not_flagged_in_any_form(path: Path) -> None:
    text = _seed(path)
    assert detect_legacy_encoding(text) is None
    assert detect_legacy_encoding(_nfd(text)) is None
    # Windows-1258 bytes seen through Latin-1 are what the non-UTF-8 path inspects first.
    assert detect_legacy_encoding(to_cp1258(text).decode("latin-1")) is None


@pytest.mark.parametrize(
    "text",
    [
        "The provincial People's Committee issued Decision No. 45/2024/QD-UBND on 21 October 2024 – "
        "the “new rules” apply from 1 November… Dose: 5 µg; area 3 × 4 m; © 2024 Lang Son; § 12; ½ cup; "
        "temperature 25 °C; Café, naïve, résumé, Zürich, Ångström, Straße, mañana.",
        "Der Landkreis Lạng Sơn grenzt an China. Die Behörden prüfen Maßnahmen für Grenzübergänge und "
        "Güterverkehr; größere Projekte werden öffentlich ausgeschrieben.",
        "Le comité populaire a publié jeudi une décision sur la sécurité incendie; les élèves du lycée "
        "français ont reçu leur diplôme à Noël, près de la frontière.",
        "Theo Quyết định số 1227/QĐ-UBND, Sở Nông nghiệp và Môi trường chủ trì, phối hợp với UBND các "
        "huyện Tràng Định, Văn Lãng, Cao Lộc; giá trị 12,5 tỷ đồng (≈ 500.000 USD) « ưu tiên » — xong ✓.",
    ],
    ids=["english-with-symbols", "german", "french", "vietnamese-with-symbols"],
)
def test_normal_text_is_not_flagged(text: str) -> None:
    assert detect_legacy_encoding(text) is None
    assert decode_bytes((text * 20).encode("utf-8")).text == text * 20


# --- other refusals -----------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"word/document.xml" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", ["empty"]),
        (b"   \n\t\r\n  ", ["only whitespace"]),
        ("\u00a0 \u3000\n".encode(), ["only whitespace"]),
        (codecs.BOM_UTF8, ["empty"]),
        (codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), ["only whitespace"]),
        (PNG, ["binary file", "PNG"]),
        (ZIP, ["binary file", "ZIP"]),
        (PDF, ["binary file", "PDF"]),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ["binary file", "JPEG"]),
        (random.Random(1).randbytes(4096), ["binary file"]),
        ("Quyết định\x00\x01\x02 số 4".encode() * 50, ["binary file"]),
        (bytes(random.Random(2).randrange(0x80, 0x100) for _ in range(4096)), ["unknown text encoding"]),
        (
            "Le comité a publié une décision; les élèves ont reçu leur diplôme à Noël.".encode("cp1252"),
            ["unknown text encoding", "UTF-8"],
        ),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Qu\\'ea\\'ect}", ["RTF", "plain text"]),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", ["UTF-16", "not valid"]),
    ],
    ids=[
        "empty",
        "whitespace",
        "nbsp-and-ideographic-space",
        "bom-only",
        "utf16-whitespace",
        "png",
        "zip",
        "pdf",
        "jpeg",
        "random-bytes",
        "control-bytes",
        "random-high-bytes",
        "western-cp1252",
        "rtf",
        "broken-utf16",
    ],
)
def test_refusals_say_what_is_wrong(data: bytes, words: list[str]) -> None:
    message = _refusal(data)
    for word in words:
        assert word in message


def test_decode_error_is_a_value_error_without_a_traceback_worthy_cause() -> None:
    with pytest.raises(ValueError) as info:
        decode_bytes(b"\xff\xfe\x00")
    assert info.value.__cause__ is None


# --- properties ---------------------------------------------------------------------------------------

ALPHABET = VIETNAMESE_LETTERS + "abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY0123456789 .,;:()/-–“”…%\n"
VIETNAMESE_TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=400).filter(lambda s: s.strip())
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@PROPERTY
@given(text=VIETNAMESE_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_vietnamese_text_round_trips(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)).text == _nfc(text)


@PROPERTY
@given(text=VIETNAMESE_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_decomposed_input_gives_the_same_text_as_composed(text: str, encoding: str) -> None:
    nfd, nfc = _nfd(text).encode(encoding), _nfc(text).encode(encoding)
    assert decode_bytes(nfd).text == decode_bytes(nfc).text == _nfc(text)


@PROPERTY
@given(lines=st.lists(VIETNAMESE_TEXT.map(lambda s: s.replace("\n", " ")), min_size=2, max_size=12))
def test_any_article_survives_the_portal_page(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert html_to_text(wrap_in_portal_html(text)).split("\n") == _lines(text)


# --- HTML ---------------------------------------------------------------------------------------------


def test_saved_portal_page_gives_the_seed_text_and_nothing_else() -> None:
    page = (FIXTURES / "portal_article_000.html").read_bytes()
    text = html_to_text(decode_bytes(page).text)
    seed = _lines(_seed(SEEDS[0]))
    # The seed starts with the title twice (page <h1>, then the article's own heading); the page has
    # the same two headings and the extracted text keeps the title once.
    assert seed[0] == seed[1]
    assert text.split("\n") == seed[1:]
    for leak in (
        "LEAK",
        "Chuyển tới nội dung",
        "Giới thiệu chung",
        "Tìm kiếm",
        "Bạn đang ở đây",
        "Tin liên quan",
        "10/3 - 16/3/2025",
        "Từ khóa",
        "Chia sẻ",
        "Ý kiến bạn đọc",
        "Bản quyền",
        "Cơ quan chủ quản",
        "Đất và người xứ Lạng",
        "jQuery",
        "font-size",
    ):
        assert leak not in text, leak


@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_any_seed_wrapped_in_a_portal_page_comes_back_line_for_line(path: Path) -> None:
    seed = _seed(path)
    page = wrap_in_portal_html(seed)
    text = html_to_text(page)
    assert text.split("\n") == _lines(seed)
    for phrase in PORTAL_BOILERPLATE:
        if phrase not in seed:  # some street and portal names also occur in the digests themselves
            assert phrase not in text, phrase


def test_page_title_outside_the_article_becomes_the_first_line() -> None:
    page = (
        "<html><body><div class='page-header'><h1 class='page-header'>Tiêu đề bản tin</h1></div>"
        "<article><p>Đoạn một.</p></article><footer>Bản quyền</footer></body></html>"
    )
    assert html_to_text(page) == "Tiêu đề bản tin\nĐoạn một."


def test_br_splits_lines_and_entities_are_decoded() -> None:
    html = (
        "<article><p>Dòng một<br>Dòng hai<br/>Dòng&nbsp;&nbsp;ba</br>Vi&#7879;t &amp; Lào "
        "&lt;QĐ&gt; &quot;x&quot; &#x110;&agrave;</p></article>"
    )
    assert html_to_text(html).split("\n") == ["Dòng một", "Dòng hai", "Dòng ba", 'Việt & Lào <QĐ> "x" Đà']


def test_inline_elements_do_not_break_lines_and_whitespace_collapses() -> None:
    html = """<main><p>
        UBND tỉnh   vừa có <a href="/vb">Công văn số <strong>435/UBND-NC</strong></a>,
        ngày <em>21/3/2025</em>.</p>
        <div>  </div><p></p>
        <h3>Tiêu đề <span>mục</span></h3></main>"""
    assert html_to_text(html).split("\n") == [
        "UBND tỉnh vừa có Công văn số 435/UBND-NC, ngày 21/3/2025.",
        "Tiêu đề mục",
    ]


def test_unclosed_paragraphs_list_items_and_table_cells() -> None:
    html = (
        "<article><p>một<p>hai<ul><li>ba<li>bốn</ul><table><tr><td>Sở Tài chính<td>chủ trì"
        "<tr><td><td>phối hợp</table></article>"
    )
    assert html_to_text(html).split("\n") == ["một", "hai", "ba", "bốn", "Sở Tài chính | chủ trì", "phối hợp"]


def test_hidden_and_script_content_never_appears() -> None:
    html = """<body><main>
      <p>giữ</p>
      <p hidden>ẩn 1</p><p aria-hidden="true">ẩn 2</p><p style="display:none">ẩn 3</p>
      <p class="element-invisible">ẩn 4</p><p class="visually-hidden">ẩn 5</p>
      <script>var s = "</scr" + "ipt><p>ẩn 6</p>"; alert(1)</script>
      <style>p::after { content: "ẩn 7" }</style><noscript>ẩn 8</noscript><template><p>ẩn 9</p></template>
      <!-- ẩn 10 --><form><label>ẩn 11</label><textarea>ẩn 12</textarea></form>
    </main></body>"""
    assert html_to_text(html) == "giữ"


def test_class_based_furniture_is_dropped_but_page_flags_on_body_are_not() -> None:
    html = """<html><body class="one-sidebar sidebar-first no-comments">
      <div id="main-menu">Trang chủ</div><div class="breadcrumb">Trang chủ › Tin tức</div>
      <div class="region-sidebar-first"><h2>Tin liên quan</h2></div>
      <div class="news-detail"><div class="content">Nội dung chính</div>
        <div class="tin-lien-quan">Tin khác</div></div>
      <div id="footer">Bản quyền</div></body></html>"""
    assert html_to_text(html) == "Nội dung chính"


def test_a_wrapper_named_after_the_sidebar_does_not_hide_the_article() -> None:
    # Some themes wrap content and sidebar together ("content-sidebar-wrap"); the sidebar still goes.
    html = (
        "<body><div id='header'><strong>CỔNG TTĐT</strong><ul class='menu'><li>Trang chủ</ul></div>"
        "<div class='content-sidebar-wrap'><main><h1>Bản tin</h1><p>Nội dung</p></main>"
        "<div class='sidebar'>Tin khác</div></div></body>"
    )
    assert html_to_text(html) == "Bản tin\nNội dung"


def test_largest_article_wins_over_teasers() -> None:
    html = (
        "<main><article><p>Tin ngắn</p></article><article><h1>Bản tin</h1><p>Nội dung dài hơn nhiều"
        "</p><p>Đoạn hai</p></article><article><p>Tin khác</p></article></main>"
    )
    assert html_to_text(html) == "Bản tin\nNội dung dài hơn nhiều\nĐoạn hai"


def test_pages_without_markers_of_content_fall_back_to_body() -> None:
    assert html_to_text("<html><body><nav>menu</nav><p>Đoạn</p><div>Đoạn 2</div></body></html>") == ("Đoạn\nĐoạn 2")
    assert html_to_text("chỉ là văn bản") == "chỉ là văn bản"
    assert html_to_text("") == ""


def test_deeply_nested_tag_soup_does_not_crash() -> None:
    assert html_to_text("<div>" * 5000 + "sâu" + "</div>" * 5000) == "sâu"
    assert html_to_text("<font><span>" * 3000 + "sâu") == "sâu"


# --- Markdown -----------------------------------------------------------------------------------------


def test_markdown_keeps_the_words_and_drops_the_syntax() -> None:
    md = """# Chỉ đạo, điều hành nổi bật (từ ngày 17/3 - 23/3/2025) #

<!-- ghi chú biên tập:
không được hiện -->
**UBND tỉnh** vừa có [Công văn số 435/UBND-NC](https://langson.gov.vn/vb/435 "xem"), ngày 21/3/2025
chỉ đạo _tiếp tục_ củng cố lực lượng PCCC.

![Ảnh minh họa](https://langson.gov.vn/anh.jpg)

Tiêu đề phụ
-----------

- Công an tỉnh: tăng cường *tuyên truyền*;
* Sở Tài chính chủ trì, phối hợp
1. Mục một
2) Mục hai

> Trích dẫn: ~~bỏ~~ giữ `mã_số *x*` và \\*không nghiêng\\*

```text
dòng mã
```

| Cột A | Cột B |
|---|:---:|
| 1 | 2 |

***

Dòng một{HARD_BREAK}
Dòng hai với file_name_x và 5 * 3 * 2 = 30

[ref]: https://example.com
Xem [tại đây][ref] hoặc <https://langson.gov.vn>.
""".replace("{HARD_BREAK}", "  ")  # two trailing spaces: a Markdown hard line break
    assert markdown_to_text(md).split("\n") == [
        "Chỉ đạo, điều hành nổi bật (từ ngày 17/3 - 23/3/2025)",
        "UBND tỉnh vừa có Công văn số 435/UBND-NC, ngày 21/3/2025 chỉ đạo tiếp tục củng cố lực lượng PCCC.",
        "Tiêu đề phụ",
        "Công an tỉnh: tăng cường tuyên truyền;",
        "Sở Tài chính chủ trì, phối hợp",
        "Mục một",
        "Mục hai",
        "Trích dẫn: bỏ giữ mã_số *x* và *không nghiêng*",
        "dòng mã",
        "Cột A | Cột B",
        "1 | 2",
        "Dòng một",
        "Dòng hai với file_name_x và 5 * 3 * 2 = 30",
        "Xem tại đây hoặc https://langson.gov.vn.",
    ]


@pytest.mark.parametrize("path", SEEDS, ids=SEED_IDS)
def test_a_seed_as_markdown_paragraphs_comes_back_unchanged(path: Path) -> None:
    seed = _seed(path)
    lines = _lines(seed)
    md = "\n\n".join(lines)
    # Seeds contain no Markdown syntax of their own, so every paragraph must survive verbatim.
    assert markdown_to_text(md).split("\n") == lines
