"""Visible watermarks for confidential materials: the reader's name and card number drawn
diagonally across every page of a PDF, or across a picture, in DejaVu Sans (Vietnamese
diacritics render; Debian's fonts-dejavu-core).

PDF pages get an overlay made with fpdf2 and merged by pypdf: both pure Python, maintained by
the py-pdf project, MIT/BSD-licensed. (PyMuPDF is AGPL; pikepdf needs the qpdf C++ library;
ReportLab would be a second, larger PDF toolkit for the same overlay.) The text is real text
in the page, so it survives printing, and a copy found elsewhere names its reader."""
from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont

from core.files.kinds import PNG

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
COLOUR = (190, 30, 30)
OPACITY = 0.28  # strong enough to see on any page, light enough to read the page through it


def watermark_pdf(source: BinaryIO, text: str) -> bytes:
    """A copy of the PDF with `text` across every page (and small along its foot)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    reader = PdfReader(source, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # only files that open without a password are accepted
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page.transfer_rotation_to_content()  # a landscape page gets its mark the way it is read
        box = page.cropbox
        width, height = float(box.width), float(box.height)
        stamp = PdfReader(io.BytesIO(_overlay(round(width, 2), round(height, 2), text))).pages[0]
        page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))
    writer.add_metadata({"/Subject": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@lru_cache(maxsize=32)
def _overlay(width: float, height: float, text: str) -> bytes:
    """One transparent page of `width` x `height` points carrying the mark."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_text_color(*COLOUR)
    diagonal = math.hypot(width, height)
    pdf.set_font("dejavu", size=12)
    size = min(72, 0.75 * diagonal / max(pdf.get_string_width(text) / 12, 1))
    pdf.set_font("dejavu", size=size)
    with pdf.local_context(fill_opacity=OPACITY, stroke_opacity=OPACITY):
        with pdf.rotation(math.degrees(math.atan2(height, width)), x=width / 2, y=height / 2):
            pdf.text(width / 2 - pdf.get_string_width(text) / 2, height / 2 + size / 3, text)
    pdf.set_font("dejavu", size=8)
    with pdf.local_context(fill_opacity=0.7):
        pdf.text(12, height - 8, text)
    return bytes(pdf.output())


def watermark_image(source: BinaryIO, mimetype: str, text: str) -> bytes:
    """A copy of the picture with `text` drawn diagonally, in three parallel lines across it."""
    with Image.open(source) as opened:
        picture = opened.convert("RGBA")
    width, height = picture.size
    diagonal = math.hypot(width, height)
    probe = ImageFont.truetype(FONT, 40)
    size = max(10, int(40 * 0.55 * diagonal / max(probe.getlength(text), 1)))
    font = ImageFont.truetype(FONT, size)
    band = Image.new("RGBA", (int(font.getlength(text)) + size, int(size * 1.6)), (0, 0, 0, 0))
    ImageDraw.Draw(band).text((size // 2, size // 4), text, font=font,
                              fill=COLOUR + (int(255 * OPACITY * 1.6),))
    band = band.rotate(math.degrees(math.atan2(height, width)), expand=True, resample=Image.BICUBIC)
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    across = (height / diagonal, width / diagonal)  # at right angles to the diagonal
    for shift in (-0.25 * diagonal, 0, 0.25 * diagonal):  # one crop cannot remove them all
        _paste(layer, band, (int(width / 2 + shift * across[0]), int(height / 2 + shift * across[1])))
    marked = Image.alpha_composite(picture, layer)
    out = io.BytesIO()
    if mimetype == PNG:
        marked.save(out, "PNG", optimize=True)
    else:
        marked.convert("RGB").save(out, "JPEG", quality=82, progressive=True)
    return out.getvalue()


def _paste(layer: Image.Image, band: Image.Image, centre: tuple[int, int]) -> None:
    """Composite `band` centred on `centre`, as much of it as falls inside the picture
    (alpha_composite refuses a band that overhangs)."""
    left, top = centre[0] - band.width // 2, centre[1] - band.height // 2
    crop = (max(0, -left), max(0, -top),
            min(band.width, layer.width - left), min(band.height, layer.height - top))
    if crop[2] > crop[0] and crop[3] > crop[1]:
        layer.alpha_composite(band.crop(crop), (max(0, left), max(0, top)))
