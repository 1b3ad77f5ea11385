"""The formula error cells of an .xls (#N/A, #DIV/0!, #REF!), which calamine reads as blanks.

A blank where a clerk's VLOOKUP failed would be a wrong `required` finding ("不能为空") instead
of the `cell.error` an .xlsx gets for the same cell; so, as for .xlsx
(``workbook._xlsx_error_cells``), the error cells are found apart and given to the table.

Cheap first: the BIFF8 workbook stream is searched, in C, for the two records that can hold an
error, a FORMULA whose cached result is an error and a BOOLERR that is one (about 25 ms on a
full 13 MB .xls that calamine reads in 0.4 s). A match may be bytes inside another record, so it
only says "look": xlrd then reads the file and names the error cells exactly. Nearly every file
has no match and pays the search alone; one that has pays xlrd's read too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ErrorCells = dict[tuple[int, int], str]  # (Excel row, 0-based column) -> "#N/A"

# xlrd's error codes (BIFF) as the text Excel shows
XLRD_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

# FORMULA (0x0006): row, col, xf, then the cached result, an error when its byte 0 is 2 and its
# bytes 6-7 are FFFF (a number there would be a NaN, which Excel never stores)
_FORMULA_ERROR = re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff", re.S)
# BOOLERR (0x0205, 8 bytes): row, col, xf, the value, then 1 when the value is an error
_BOOLERR_ERROR = re.compile(rb"\x05\x02\x08\x00.{7}\x01", re.S)


def xls_error_cells(p: Path) -> dict[str, ErrorCells]:
    """The error cells of each sheet, by sheet name; {} when there are none or xlrd cannot say."""
    try:
        data = p.read_bytes()
    except OSError:
        return {}
    if not may_hold_errors(data):
        return {}
    del data
    try:
        return _read_errors(p)
    except Exception:  # xlrd cannot read what calamine could: the cells stay as calamine gave them
        return {}


def may_hold_errors(data: bytes) -> bool:
    """Whether the file's workbook stream has a record that may be an error cell (or the stream
    cannot be found, when only xlrd can tell)."""
    from xlrd.compdoc import CompDoc

    try:
        with open(os.devnull, "w") as log:
            mem, base, size = CompDoc(data, logfile=log).locate_named_stream("Workbook")
    except Exception:  # no BIFF8 stream where xlrd looks for one (BIFF5 "Book", a damaged directory)
        return True
    if mem is None:
        return True
    end = base + size
    return bool(_FORMULA_ERROR.search(mem, base, end) or _BOOLERR_ERROR.search(mem, base, end))


def _read_errors(p: Path) -> dict[str, ErrorCells]:
    import xlrd

    out: dict[str, ErrorCells] = {}
    with open(os.devnull, "w") as log:
        book = xlrd.open_workbook(str(p), on_demand=True, ragged_rows=True, logfile=log)
        try:
            for i in range(book.nsheets):
                sh = book.sheet_by_index(i)
                cells: ErrorCells = {}
                for r in range(sh.nrows):
                    types = sh.row_types(r)
                    if xlrd.XL_CELL_ERROR not in types:
                        continue
                    values = sh.row_values(r)
                    for c, ty in enumerate(types):
                        if ty == xlrd.XL_CELL_ERROR:
                            cells[(r + 1, c)] = XLRD_ERRORS.get(int(values[c]), "#N/A")
                if cells:
                    out[sh.name] = cells
                book.unload_sheet(i)
        finally:
            book.release_resources()
    return out
