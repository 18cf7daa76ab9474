"""Pictures: decoded by Pillow (HEIC/HEIF through pillow-heif), turned upright, stripped of
EXIF (place, phone, time), comments and profiles, shrunk to a longest side, and re-encoded as
JPEG, or PNG for drawings and pictures with transparency. Nothing of the sent file is kept."""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from core.files.kinds import JPEG, PNG, FileRejected, Received

MAX_PIXELS = 50_000_000  # decoded larger, a picture would take ~150 MB: refused before decoding
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")


@functools.cache
def _heif() -> None:
    """Teach Pillow to open HEIC/HEIF (iPhones' photos) once per process."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def reencode(upload: Received, long_side: int, staging: Path) -> tuple[Path, str]:
    """A new file in `staging` holding the cleaned picture, and its type."""
    _heif()
    try:
        # Only these decoders are tried: never Pillow's others (EPS would start Ghostscript).
        with Image.open(upload.path, formats=FORMATS) as probe:
            source = probe.format
            if source not in FORMATS:
                raise upload.refuse("type")
            probe.verify()
        picture = Image.open(upload.path, formats=FORMATS)
        if picture.format == "JPEG":
            picture.draft("RGB", (long_side, long_side))  # decode at 1/2…1/8 scale: far less memory
        if picture.width * picture.height > MAX_PIXELS:
            raise upload.refuse("pixels")
        picture.load()
        # Shrink first, in place (the box is square, so before turning it is the same): the
        # copies that follow are of the small picture.
        picture.thumbnail((long_side, long_side))
        picture = ImageOps.exif_transpose(picture)  # turn it upright before the EXIF goes
    except FileRejected:
        raise
    except Image.DecompressionBombError:
        raise upload.refuse("pixels") from None
    except Exception:  # Pillow raises many kinds of errors on a file that is not a picture
        raise upload.refuse("type") from None
    see_through = "A" in picture.getbands() or "transparency" in picture.info
    picture = picture.convert("RGBA" if see_through else "RGB")
    picture.info = {}
    if see_through:
        return _save(picture, staging, "PNG", optimize=True), PNG
    as_jpeg = _save(picture, staging, "JPEG", quality=80, optimize=True, progressive=True)
    if source != "PNG":
        return as_jpeg, JPEG
    # A drawing or a screenshot stays PNG (sharp, and small); a photo saved as PNG becomes JPEG.
    as_png = _save(picture, staging, "PNG", optimize=True)
    if as_png.stat().st_size <= 2 * as_jpeg.stat().st_size:
        as_jpeg.unlink()
        return as_png, PNG
    as_png.unlink()
    return as_jpeg, JPEG


def _save(picture: Image.Image, staging: Path, fmt: str, **options) -> Path:
    fd, name = tempfile.mkstemp(dir=staging, prefix="img-")
    with os.fdopen(fd, "wb") as out:
        picture.save(out, fmt, **options)
    return Path(name)
