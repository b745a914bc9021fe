"""Encoders that produce the files real users send us, for tests only.

* `to_cp1258`: Windows-1258, the way Word writes it (tone marks as combining bytes).
* `to_tcvn3` / `to_vni`: the legacy Vietnamese font encodings (TCVN3 "ABC" for the .VnTime fonts, and
  VNI-Windows). Python has no codec for them; the tables below cover every Vietnamese letter. They let the
  tests build legacy files from the real seeds instead of relying on hand-made snippets.
* `mojibake`: what happens when such a file is opened as Windows-1252 and saved again as UTF-8.
* `wrap_in_portal_html`: a saved article page of the provincial portal around a digest's text.

Letters are given as (Unicode, encoded) pairs; the encoded side is written as Windows-1252 text, which is
how these fonts are usually documented ("Céng hßa x· héi chñ nghÜa ViÖt Nam" is TCVN3 for
"Cộng hòa xã hội chủ nghĩa Việt Nam").
"""

from __future__ import annotations

import html
import unicodedata

# The five tone marks (grave, acute, tilde, hook above, dot below). Windows-1258 has bytes for them as
# combining characters but no precomposed toned letters except a few Latin-1 ones.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

# TCVN3 (TCVN 5712:1993, VN3): lower-case letters with every tone, plus the seven upper-case base letters
# Ă Â Ê Ô Ơ Ư Đ. Upper-case toned letters have no code: .VnTime documents type them with the same bytes
# in an upper-case font (.VnTimeH), so the encoder writes the lower-case byte.
_TCVN3_PAIRS = """
Ă ¡ Â ¢ Ê £ Ô ¤ Ơ ¥ Ư ¦ Đ § ă ¨ â © ê ª ô « ơ ¬ ư \xad đ ®
à µ ả ¶ ã · á ¸ ạ ¹ ằ » ẳ ¼ ẵ ½ ắ ¾ ặ Æ ầ Ç ẩ È ẫ É ấ Ê ậ Ë
è Ì ẻ Î ẽ Ï é Ð ẹ Ñ ề Ò ể Ó ễ Ô ế Õ ệ Ö ì × ỉ Ø ĩ Ü í Ý ị Þ
ò ß ỏ á õ â ó ã ọ ä ồ å ổ æ ỗ ç ố è ộ é ờ ê ở ë ỡ ì ớ í ợ î
ù ï ủ ñ ũ ò ú ó ụ ô ừ õ ử ö ữ ÷ ứ ø ự ù ỳ ú ỷ û ỹ ü ý ý ỵ þ
"""

# VNI-Windows: a base letter followed by a mark byte; ơ ư đ ỵ ỉ ĩ ị ì í and their capitals are one byte.
_VNI_LOWER = """
á aù à aø ả aû ã aõ ạ aï â aâ ấ aá ầ aà ẩ aå ẫ aã ậ aä ă aê ắ aé ằ aè ẳ aú ẵ aü ặ aë
é eù è eø ẻ eû ẽ eõ ẹ eï ê eâ ế eá ề eà ể eå ễ eã ệ eä
í í ì ì ỉ æ ĩ ó ị ò
ó où ò oø ỏ oû õ oõ ọ oï ô oâ ố oá ồ oà ổ oå ỗ oã ộ oä
ơ ô ớ ôù ờ ôø ở ôû ỡ ôõ ợ ôï
ú uù ù uø ủ uû ũ uõ ụ uï ư ö ứ öù ừ öø ử öû ữ öõ ự öï
ý yù ỳ yø ỷ yû ỹ yõ ỵ î đ ñ
"""
_VNI_UPPER = """
Á AÙ À AØ Ả AÛ Ã AÕ Ạ AÏ Â AÂ Ấ AÁ Ầ AÀ Ẩ AÅ Ẫ AÃ Ậ AÄ Ă AÊ Ắ AÉ Ằ AÈ Ẳ AÚ Ẵ AÜ Ặ AË
É EÙ È EØ Ẻ EÛ Ẽ EÕ Ẹ EÏ Ê EÂ Ế EÁ Ề EÀ Ể EÅ Ễ EÃ Ệ EÄ
Í Í Ì Ì Ỉ Æ Ĩ Ó Ị Ò
Ó OÙ Ò OØ Ỏ OÛ Õ OÕ Ọ OÏ Ô OÂ Ố OÁ Ồ OÀ Ổ OÅ Ỗ OÃ Ộ OÄ
Ơ Ô Ớ ÔÙ Ờ ÔØ Ở ÔÛ Ỡ ÔÕ Ợ ÔÏ
Ú UÙ Ù UØ Ủ UÛ Ũ UÕ Ụ UÏ Ư Ö Ứ ÖÙ Ừ ÖØ Ử ÖÛ Ữ ÖÕ Ự ÖÏ
Ý YÙ Ỳ YØ Ỷ YÛ Ỹ YÕ Ỵ Î Đ Ñ
"""


def _pairs(spec: str) -> dict[str, str]:
    tokens = spec.split()  # the soft hyphen (\xad, TCVN3 "ư") is not whitespace, so it survives
    assert len(tokens) % 2 == 0, "unbalanced table"
    return dict(zip(tokens[0::2], tokens[1::2], strict=True))


TCVN3_TABLE: dict[str, str] = _pairs(_TCVN3_PAIRS)
VNI_TABLE: dict[str, str] = {**_pairs(_VNI_LOWER), **_pairs(_VNI_UPPER)}


def _legacy_encode(text: str, table: dict[str, str], fold_upper: bool) -> bytes:
    """Encode NFC `text` letter by letter; anything not in `table` goes out as Windows-1252 (ASCII,
    punctuation such as “ ” – …) or '?' when even that is impossible."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        code = table.get(ch)
        if code is None and fold_upper:
            code = table.get(ch.lower())
        if code is None:
            try:
                ch.encode("cp1252")
                code = ch
            except UnicodeEncodeError:
                code = "?"
        out.append(code)
    return "".join(out).encode("cp1252")


def to_tcvn3(text: str) -> bytes:
    """Bytes of `text` as a TCVN3 (ABC, .VnTime) file."""
    return _legacy_encode(text, TCVN3_TABLE, fold_upper=True)


def to_vni(text: str) -> bytes:
    """Bytes of `text` as a VNI-Windows file."""
    return _legacy_encode(text, VNI_TABLE, fold_upper=False)


def mojibake(legacy: bytes) -> bytes:
    """A legacy file opened as Windows-1252 and saved as UTF-8 (what a careless converter produces)."""
    return legacy.decode("cp1252", errors="replace").encode("utf-8")


def to_cp1258(text: str) -> bytes:
    """Bytes of `text` in Windows-1258 as Word writes it.

    cp1258 has the vowel-quality letters (â ă ê ô ơ ư đ) but not the toned ones, so each letter is
    decomposed, its quality mark recomposed and its tone kept as a combining byte: "ệ" -> "ê" + U+0323.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def wrap_in_portal_html(text: str, title: str | None = None) -> str:
    """A saved langson.gov.vn article page (Drupal-like) whose article holds `text`.

    The first non-empty line (or `title`) becomes the <h1>; every other non-empty line a <p>. Around it:
    scripts, styles, a menu, a banner, breadcrumbs, a "Tin liên quan" sidebar, a footer and hidden bits,
    none of which must reach the extracted text.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if title is None and lines:
        title, lines = lines[0], lines[1:]
    title = title or ""
    body = "\n".join(f'        <p style="text-align: justify;">{html.escape(line)}</p>' for line in lines)
    return _PAGE.format(title=html.escape(title), body=body)


_PAGE = """<!DOCTYPE html>
<html lang="vi" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>{title} | Cổng thông tin điện tử tỉnh Lạng Sơn</title>
  <link rel="stylesheet" href="/sites/default/files/css/css_main.css">
  <style>.menu-chinh a {{ color: #fff; }} body::before {{ content: "STYLE-LEAK"; }}</style>
  <script>window.dataLayer = []; document.write("SCRIPT-LEAK <p>không được hiện</p>");</script>
</head>
<body class="path-node page-node-type-article">
  <a href="#main-content" class="visually-hidden focusable skip-link">Bỏ qua nội dung chính</a>
  <noscript><p>NOSCRIPT-LEAK: Trình duyệt không hỗ trợ JavaScript</p></noscript>
  <header id="header" role="banner">
    <div class="banner"><img src="/logo.png" alt="Logo"> CỔNG THÔNG TIN ĐIỆN TỬ TỈNH LẠNG SƠN</div>
    <nav class="menu-chinh" role="navigation">
      <ul class="menu">
        <li><a href="/">Trang chủ</a></li>
        <li><a href="/gioi-thieu">Giới thiệu</a></li>
        <li><a href="/tin-tuc">Tin tức - Sự kiện</a></li>
        <li><a href="/chi-dao-dieu-hanh">Chỉ đạo điều hành</a></li>
      </ul>
    </nav>
    <form class="search-form" action="/search"><input type="text" name="q" value="Tìm kiếm">
      <button>Tìm</button></form>
  </header>
  <div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/chi-dao-dieu-hanh">Chỉ đạo điều hành</a></div>
  <div class="main-container">
    <main id="main-content" role="main">
      <article class="node node--type-article node--view-mode-full">
        <h1 class="page-title"><span>{title}</span></h1>
        <div class="hidden">HIDDEN-LEAK</div>
        <div class="field field--name-body">
{body}
        </div>
        <template><p>TEMPLATE-LEAK</p></template>
        <div class="social-share"><a href="#">Chia sẻ Facebook</a> <a href="#">In bài viết</a></div>
      </article>
      <section class="comments"><h2>Ý kiến bạn đọc</h2>
        <form><textarea>COMMENT-LEAK</textarea></form></section>
    </main>
    <aside class="sidebar region-sidebar-second">
      <h2>Tin liên quan</h2>
      <ul><li><a href="/a">Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần trước</a></li>
        <li><a href="/b">Lạng Sơn: Hội nghị tổng kết công tác năm</a></li></ul>
    </aside>
  </div>
  <footer class="site-footer">
    <p>Bản quyền © 2024 Cổng thông tin điện tử tỉnh Lạng Sơn</p>
    <p>Địa chỉ: Số 2 Hoàng Văn Thụ, phường Chi Lăng, thành phố Lạng Sơn</p>
    <script>var FOOTER_SCRIPT_LEAK = "<p>script trong footer</p>";</script>
  </footer>
</body>
</html>
"""

# Words that appear only in the page furniture above: none of them may survive extraction.
PORTAL_BOILERPLATE = (
    "LEAK",
    "Bỏ qua nội dung chính",
    "Trang chủ",
    "Giới thiệu",
    "Tin tức - Sự kiện",
    "Tìm kiếm",
    "CỔNG THÔNG TIN",
    "Cổng thông tin",
    "Tin liên quan",
    "Hội nghị tổng kết",
    "Bản quyền",
    "Hoàng Văn Thụ",
    "Chia sẻ",
    "In bài viết",
    "Ý kiến bạn đọc",
    "dataLayer",
    "color:",
)
