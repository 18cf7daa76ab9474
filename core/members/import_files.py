"""Reading uploaded member lists (xlsx or CSV, recognised and checked by the file service): the
workbook's size, its rows, and the import's own words for the file service's refusals."""
from __future__ import annotations

import csv
import io
import logging
import zipfile
import zlib
from typing import BinaryIO, Iterator

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


UNREADABLE = _l("The Excel file could not be read. Please open it in Excel and save it again as .xlsx.")
# The file service's refusals (core.files.FileRejected.reason) that the import words its own way.
REFUSALS = {
    "empty": _l("The file is empty."),
    "old_format": _l("This is an old Excel file (.xls) or a password-protected one. Please open it "
                     "in Excel and save it as .xlsx or CSV UTF-8."),
    "encoding": NOT_UTF8,
    "corrupt": UNREADABLE,
    "bomb": _l("This Excel file unpacks to far more data than a member list holds; it was refused."),
}


def check_zip(source: BinaryIO) -> tuple[int, bool]:
    """Refuse a workbook that would unpack to far more than a member list.

    Returns the size of the largest sheet's XML and whether every sheet declares its size
    (openpyxl reads a whole sheet on opening when it does not: too slow for a request)."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            sheets = [e for e in entries if e.filename.startswith("xl/worksheets/sheet")]
            declared = all(b"<dimension" in archive.open(e).read(4096) for e in sheets)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
        raise ImportFileError(str(NOT_A_TABLE)) from None
    total = sum(e.file_size for e in entries)
    # openpyxl holds the shared strings in memory even in read-only mode.
    strings = sum(e.file_size for e in entries if e.filename.endswith("sharedStrings.xml"))
    if total > setting("IMPORT_MAX_UNZIPPED") or strings > 100 * 2 ** 20:
        raise ImportFileError(str(REFUSALS["bomb"]))
    return max((e.file_size for e in sheets), default=0), declared


def read_rows(source: BinaryIO, kind: str) -> Iterator[list]:
    """The first sheet's (or the CSV's) rows as lists of cell values, blank rows included;
    `source` (a seekable binary file) is closed when they are read."""
    try:
        yield from _xlsx_rows(source) if kind == "xlsx" else _csv_rows(source)
    finally:
        source.close()


def _xlsx_rows(source: BinaryIO) -> Iterator[list]:
    import openpyxl  # defusedxml is installed, so openpyxl parses with it

    try:
        # data_only=False: a formula cell reads as its text ("=..."), never as a computed value.
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        log.info("unreadable xlsx: %s", exc)
        raise ImportFileError(str(UNREADABLE)) from None
    try:
        if not book.worksheets:
            raise ImportFileError(str(UNREADABLE))
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared size may lie; read what is there
        for cells in sheet.iter_rows(values_only=True):  # max_col would pad: twice as slow
            yield list(cells[:MAX_COLS])
    except ImportFileError:
        raise
    except Exception as exc:
        log.info("damaged xlsx: %s", exc)
        raise ImportFileError(str(UNREADABLE)) from None
    finally:
        book.close()


def _csv_rows(source: BinaryIO) -> Iterator[list]:
    try:
        text = source.read().decode("utf-8-sig")
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


def count_lines(source: BinaryIO) -> int:
    return sum(block.count(b"\n") for block in iter(lambda: source.read(2 ** 20), b"")) + 1
