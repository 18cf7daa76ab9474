"""What an upload really is, judged by its content (never its name or the browser's type), and
the refusals, in Vietnamese, of what it may not be.

Kinds a caller accepts: "image" (JPEG, PNG, WebP, HEIC/HEIF: re-encoded by core.files.images),
"pdf", "docx", "xlsx" (the ZIP package, its content types, macros and unpacked size checked),
"csv" (UTF-8 text), "audio" (Ogg Opus/Vorbis, MP3, M4A, WebM, by their first bytes)."""
from __future__ import annotations

import codecs
import logging
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
JPEG, PNG = "image/jpeg", "image/png"
OGG, MP3, M4A, WEBM = "audio/ogg", "audio/mpeg", "audio/mp4", "audio/webm"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", CSV: ".csv", JPEG: ".jpg", PNG: ".png",
              OGG: ".ogg", MP3: ".mp3", M4A: ".m4a", WEBM: ".webm"}
LABELS = {"pdf": _l("a PDF"), "docx": _l("a Word (.docx) document"), "xlsx": _l("an Excel (.xlsx) file"),
          "csv": _l("a CSV file"), "image": _l("a picture (JPEG, PNG, WebP, HEIC)"),
          "audio": _l("a sound file (Opus, MP3, M4A, WebM)")}
KINDS = tuple(LABELS)

MAX_UNZIPPED = 300 * 2 ** 20  # a docx full of photos or a 100,000-member workbook stays far below
MAX_ENTRIES = 10_000
# Office XML packs about 12:1 (a member list: 55 MB in 4.5 MB); 200:1 is a "zip bomb".
MAX_RATIO = 200
MAIN_PARTS = {
    "docx": ("word/document.xml", {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"}),
    "xlsx": ("xl/workbook.xml", {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"}),
}
# The first bytes of files that are no table, whatever their name says.
BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"MZ",
          b"\x7fELF", b"OggS", b"ID3", b"\x1aE\xdf\xa3", b"RIFF")
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"iso5", b"iso6", b"dash",
               b"3gp4", b"3gp5", b"3gp6"}


class FileRejected(ValueError):
    """An upload refused: `str()` is the Vietnamese message for the form; `reason` says why
    ("empty", "too_large", "type", "zip", "old_format", "encoding", "corrupt", "bomb",
    "macros", "protected", "pixels"), for a caller that words one of them its own way."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Received:
    """A file received into the staging folder, and what its caller accepts."""

    path: Path
    head: bytes
    name: str  # the sender's name, cleaned, for messages
    accept: tuple[str, ...]

    def refuse(self, reason: str) -> FileRejected:
        return FileRejected(reason, message(reason, self.name, self.accept))


def kinds_text(accept) -> str:
    """ "a PDF, a Word (.docx) document or a picture" for the kinds accepted, in their order."""
    labels = [str(LABELS[kind]) for kind in accept]
    if len(labels) == 1:
        return labels[0]
    return _("%(first)s or %(last)s", first=", ".join(labels[:-1]), last=labels[-1])


def message(reason: str, name: str, accept) -> str:
    kinds = kinds_text(accept)
    texts = {
        "empty": lambda: _("The file %(name)s is empty, so it is not %(kinds)s. It may not have "
                           "finished downloading: please choose it again.", name=name, kinds=kinds),
        "type": lambda: _("The file %(name)s is not %(kinds)s.", name=name, kinds=kinds),
        "zip": lambda: _("The file %(name)s is a ZIP archive, not %(kinds)s.", name=name, kinds=kinds),
        "old_format": lambda: _("The file %(name)s is an old Word or Excel file (.doc, .xls) or one "
                                "protected by a password. Please open it and save it as .docx or "
                                ".xlsx, then upload it again.", name=name),
        "encoding": lambda: _("The file %(name)s is not saved as UTF-8. In Excel choose “Save as” → "
                              "“CSV UTF-8 (comma delimited)”, then upload it again.", name=name),
        "corrupt": lambda: _("The file %(name)s is damaged and cannot be opened. Please open it, "
                             "save it again and upload it once more.", name=name),
        "bomb": lambda: _("The file %(name)s unpacks to far more data than it should; it was "
                          "refused.", name=name),
        "macros": lambda: _("The file %(name)s contains macros, which are not accepted. Please save "
                            "it as an ordinary .docx or .xlsx file.", name=name),
        "protected": lambda: _("The PDF %(name)s is protected by a password. Please upload a copy "
                               "without a password.", name=name),
        "pixels": lambda: _("The picture %(name)s is too large to process.", name=name),
    }
    return texts[reason]()


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|;]+")


def clean_filename(name: str | None, extension: str, default: str | None = None) -> str:
    """A readable file name (Vietnamese kept) without paths or odd characters; with
    `extension`, ending with the extension of what the file really is."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = " ".join(_UNSAFE_NAME.sub(" ", name).split()).strip(". ")
    if extension:
        stem = stem.rsplit(".", 1)[0].strip(". ") if "." in stem else stem
    return (stem[:120].rstrip(". ") or default or _("attachment")) + extension


def human_size(size: int) -> str:
    """A file size as people read it: "350 KB", "1,2 MB"."""
    if size >= 2 ** 20:
        return f"{size / 2 ** 20:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"
    return f"{max(1, round(size / 1024))} KB"


# --- recognising ------------------------------------------------------------------------------

def audio_type(head: bytes) -> str | None:
    """The audio type the first bytes announce, or None."""
    if head.startswith(b"OggS") and (b"OpusHead" in head[:128] or b"\x01vorbis" in head[:128]):
        return OGG
    if head.startswith(b"ID3") or (len(head) > 2 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2
                                   and head[2] & 0xF0 != 0xF0):  # an MPEG-1/2 Layer III frame
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if head.startswith(b"\x1aE\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:
        return WEBM
    return None


def recognise(upload: Received) -> tuple[str, str | None]:
    """(kind, mimetype) of a non-empty upload, or FileRejected; an "image" is decided by
    Pillow (core.files.images), so its mimetype is None here."""
    head, accept = upload.head, upload.accept
    if head.startswith(b"%PDF-"):
        return _accepted(upload, "pdf", PDF)
    if head.startswith(b"PK\x03\x04"):
        kind = ooxml(upload)
        return kind, DOCX if kind == "docx" else XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .xls, or an encrypted .docx/.xlsx
        raise upload.refuse("old_format" if {"docx", "xlsx"} & set(accept) else "type")
    found = audio_type(head)
    if found:
        return _accepted(upload, "audio", found)
    if "image" in accept and not head.startswith((b"MZ", b"\x7fELF")):
        return "image", None
    if "csv" in accept:
        return "csv", text(upload)
    raise upload.refuse("type")


def _accepted(upload: Received, kind: str, mimetype: str) -> tuple[str, str]:
    if kind not in upload.accept:
        raise upload.refuse("type")
    if kind == "pdf":
        pdf(upload)
    return kind, mimetype


# --- checking ---------------------------------------------------------------------------------

def pdf(upload: Received) -> None:
    """A PDF that opens, with pages, readable without a password."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(upload.path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise upload.refuse("protected")
        pages = len(reader.pages)
    except FileRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        log.info("unreadable PDF: %s", exc)
        raise upload.refuse("corrupt") from None
    if not pages:
        raise upload.refuse("corrupt")


def ooxml(upload: Received) -> str:
    """"docx" or "xlsx" for a ZIP that is one (and is accepted), refused otherwise: not a ZIP
    at all, a plain ZIP, macros, a damaged package, or one that unpacks to far more than it holds."""
    try:
        archive = zipfile.ZipFile(upload.path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise upload.refuse("type") from None
    with archive:
        entries = archive.infolist()
        names = {e.filename for e in entries}
        kind = next((k for k, (part, _types) in MAIN_PARTS.items() if part in names), None)
        if kind is None:
            raise upload.refuse("zip" if {"docx", "xlsx"} & set(upload.accept) else "type")
        if kind not in upload.accept:
            raise upload.refuse("type")
        if (len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED
                or any(e.file_size > 2 ** 20 and e.file_size > MAX_RATIO * max(e.compress_size, 1)
                       for e in entries)):
            raise upload.refuse("bomb")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise upload.refuse("macros")
        try:
            if "[Content_Types].xml" not in names:
                raise upload.refuse("corrupt")
            _content_types(upload, archive.read("[Content_Types].xml"), kind)
            if archive.testzip() is not None:  # every entry unpacks with the right checksum
                raise upload.refuse("corrupt")
        except FileRejected:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError,
                RuntimeError):  # RuntimeError: an encrypted entry
            raise upload.refuse("corrupt") from None
    return kind


def _content_types(upload: Received, data: bytes, kind: str) -> None:
    """Macro-enabled types refused; the main part, where declared, of the kind it claims."""
    if len(data) > 2 ** 20:
        raise upload.refuse("corrupt")
    try:
        types = ElementTree.fromstring(data)
    except Exception:  # malformed, or entities (defusedxml refuses them)
        raise upload.refuse("corrupt") from None
    part, allowed = MAIN_PARTS[kind]
    for entry in types:
        declared = entry.get("ContentType", "")
        if "macroenabled" in declared.lower():
            raise upload.refuse("macros")
        if entry.get("PartName", "").lstrip("/") == part and declared not in allowed:
            raise upload.refuse("type")


def text(upload: Received) -> str:
    """CSV: UTF-8 text (a BOM allowed), not a binary file under another name."""
    head = upload.head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise upload.refuse("encoding")
    if b"\x00" in head or head.startswith(BINARY):
        raise upload.refuse("type")
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen = False
    try:
        with open(upload.path, "rb") as f:
            while block := f.read(2 ** 16):
                seen = seen or bool(block.strip(b" \t\r\n\xef\xbb\xbf"))
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise upload.refuse("encoding") from None
    if not seen:
        raise upload.refuse("empty")
    return CSV
