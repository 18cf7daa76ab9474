"""Reading uploaded member lists: recognising xlsx or CSV by content, size limits, zip-bomb checks."""
from __future__ import annotations

import csv
import io
import logging
import zipfile
import zlib
from pathlib import Path
from typing import Iterator

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)
MAX_COLS = 64


def setting(name: str):
    defaults = {"IMPORT_MAX_BYTES": 19 * 2 ** 20, "IMPORT_MAX_ROWS": 200_000, "IMPORT_JOB_ROWS": 2000,
                "IMPORT_MAX_UNZIPPED": 300 * 2 ** 20, "IMPORT_KEEP_HOURS": 24}
    return current_app.config.get(name, defaults[name])


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message is shown on the upload form."""


NOT_A_TABLE = _l("This file is neither an Excel workbook (.xlsx) nor a CSV file.")
NOT_UTF8 = _l("The file is not saved as UTF-8. In Excel choose “Save as” → “CSV UTF-8 (comma "
              "delimited)”, or save it as an Excel workbook (.xlsx), then upload it again.")


def sniff(head: bytes) -> str:
    """"xlsx" or "csv" from the first bytes of the file; anything else is refused."""
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("This is an old Excel file (.xls) or a password-protected one. "
                                "Please open it in Excel and save it as .xlsx or CSV UTF-8."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(str(NOT_UTF8))
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
                                           b"Rar!", b"7z\xbc\xaf")):
        raise ImportFileError(str(NOT_A_TABLE))
    return "csv"


def check_zip(path: Path) -> tuple[int, bool]:
    """Refuse a ZIP that is not a workbook, or that would unpack to far more than a member list.

    Returns the size of the largest sheet's XML and whether every sheet declares its size
    (openpyxl reads a whole sheet on opening when it does not: too slow for a request)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            sheets = [e for e in entries if e.filename.startswith("xl/worksheets/sheet")]
            declared = all(b"<dimension" in archive.open(e).read(4096) for e in sheets)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
        raise ImportFileError(str(NOT_A_TABLE)) from None
    if not any(e.filename == "xl/workbook.xml" for e in entries):
        raise ImportFileError(_("This file is a ZIP archive, not an Excel workbook (.xlsx)."))
    total = sum(e.file_size for e in entries)
    # Spreadsheet XML packs about 12:1 (100,000 members: 55 MB in 4.5 MB); 200:1 is a "zip bomb".
    swollen = any(e.file_size > 2 ** 20 and e.file_size > 200 * max(e.compress_size, 1) for e in entries)
    # openpyxl holds the shared strings in memory even in read-only mode.
    strings = sum(e.file_size for e in entries if e.filename.endswith("sharedStrings.xml"))
    if total > setting("IMPORT_MAX_UNZIPPED") or strings > 100 * 2 ** 20 or swollen:
        raise ImportFileError(_("This Excel file unpacks to far more data than a member list holds; "
                                "it was refused."))
    return max((e.file_size for e in sheets), default=0), declared


def read_rows(path: Path, kind: str) -> Iterator[list]:
    """The first sheet's (or the CSV's) rows as lists of cell values, blank rows included."""
    return _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)


def _xlsx_rows(path: Path) -> Iterator[list]:
    import openpyxl  # defusedxml is installed, so openpyxl parses with it

    unreadable = _("The Excel file could not be read. Please open it in Excel and save it again as .xlsx.")
    try:
        # data_only=False: a formula cell reads as its text ("=..."), never as a computed value.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        log.info("unreadable xlsx: %s", exc)
        raise ImportFileError(unreadable) from None
    try:
        if not book.worksheets:
            raise ImportFileError(unreadable)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared size may lie; read what is there
        for cells in sheet.iter_rows(values_only=True):  # max_col would pad: twice as slow
            yield list(cells[:MAX_COLS])
    except ImportFileError:
        raise
    except Exception as exc:
        log.info("damaged xlsx: %s", exc)
        raise ImportFileError(unreadable) from None
    finally:
        book.close()


def _csv_rows(path: Path) -> Iterator[list]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(str(NOT_UTF8)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for cells in reader:
            yield cells[:MAX_COLS]
    except csv.Error:
        raise ImportFileError(_("Row %(row)s: the CSV file is damaged or a cell is far too long.",
                                row=reader.line_num)) from None


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in Vietnamese settings) or tab: the one the first lines use most."""
    lines = text[:65536].splitlines()[:30]
    return max((",", ";", "\t"), key=lambda d: max((line.count(d) for line in lines), default=0))


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(2 ** 20), b"")) + 1
