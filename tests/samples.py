"""Real files made for the tests: PDFs with pages and text, phone photos (with EXIF and a GPS
position, as JPEG or HEIC), Office packages, sound files' first bytes."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from PIL import Image

DOCX_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
              'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def pdf(*lines: str, pages: int = 1, landscape: bool = False) -> bytes:
    """A PDF of `pages` pages, each with `lines` of text (Vietnamese as plain ASCII)."""
    from fpdf import FPDF

    document = FPDF(orientation="L" if landscape else "P")
    document.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    document.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        document.add_page()
        for row, line in enumerate(lines or ("Bien ban hop chi bo",)):
            document.text(20, 20 + 8 * row, f"{line} (trang {number})")
    return bytes(document.output())


def photo(fmt: str = "JPEG", size=(3000, 2000), gps: bool = True, orientation: int | None = None) -> bytes:
    """A photo as a phone sends it: detail, the camera's make, the time, and where it was taken."""
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(0, size[0], 50):  # some detail, so it is not a flat colour
        image.paste((20, 20, 200), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2025:12:01 08:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    if gps:  # 21°35'N 105°50'E: Thái Nguyên
        exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 35.0, 0.0), 3: "E", 4: (105.0, 50.0, 0.0)})
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        image.save(out, "HEIF", exif=exif.tobytes(), quality=60)
    else:
        image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def office(main: str, entries: dict[str, bytes | str] | None = None, types: str | None = None) -> bytes:
    """A ZIP package with `main` ("word/document.xml" or "xl/workbook.xml") and content types."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types if types is not None else DOCX_TYPES)
        archive.writestr(main, "<document>Tài liệu sinh hoạt chi bộ</document>")
        for name, data in (entries or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def ogg_opus(seconds: int = 2) -> bytes:
    """The Ogg pages that start a mono Opus stream (its OpusHead and OpusTags), then silence."""
    import struct

    def page(packet: bytes, sequence: int, flags: int) -> bytes:
        lacing = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
        header = (b"OggS" + bytes([0, flags]) + struct.pack("<qII", 0, 0x5007A1, sequence) + b"\0\0\0\0"
                  + bytes([len(lacing)]) + lacing)
        crc = _ogg_crc(header + packet)
        return header[:22] + struct.pack("<I", crc) + header[26:] + packet

    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 5) + b"sotay" + struct.pack("<I", 0)
    frames = b"".join(page(b"\xf8\xff\xfe", n + 2, 0) for n in range(seconds * 50))
    return page(head, 0, 2) + page(tags, 1, 0) + frames


def mp3(frames: int = 40) -> bytes:
    """ID3 tag then MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono) of silence."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\xc4" + b"\x00" * 413) * frames


def m4a() -> bytes:
    """The boxes an M4A file starts with."""
    ftyp = b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A mp42isom"
    return ftyp + b"\x00\x00\x04\x08free" + b"\x00" * 1024


def webm() -> bytes:
    """An EBML header saying "webm", as a browser's MediaRecorder writes it."""
    header = (b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
              b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02")
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67" + b"\x00" * 512
