"""Moving values between a live xlwings book and the engine.

Only members of xlwings' open-source Book/Sheet/Range are used here (the contract
test in tests/test_excel_contract.py pins them to xlwings 0.37.8). Each sheet is
read with one ``used_range`` call, so a book of thousands of rows costs a few COM
calls, and unsaved edits are included because we read the open book, not the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xl_dealer.excel.grid import pad, tables_of
from xl_dealer.model.config import Config
from xl_dealer.read.table import Table

RESULTS_SHEET = "校验结果"
MARKS_SHEET = "xl_dealer_marks"  # hidden: which cells we coloured and noted, and their old colour
CONFIG_SHEET = "xlwings.conf"


def report_sheets() -> set[str]:
    """Names of the report sheets (a period's variants too: 季度满意度, …)."""
    from xl_dealer.reports import sheet_names

    return sheet_names()


def own_sheets() -> set[str]:
    """Sheets we write: never read back as data."""
    return {RESULTS_SHEET, MARKS_SHEET, CONFIG_SHEET, *report_sheets()}


def find_sheet(book: Any, name: str) -> Any | None:
    """The sheet of that name (Excel compares sheet names case-insensitively), or None."""
    low = name.lower()
    for s in book.sheets:
        if s.name.lower() == low:
            return s
    return None


def sheet_rows(sheet: Any) -> list[list[Any]]:
    """A sheet's values as rows from Excel row 1; formula errors as "#N/A" text, as headless reads them."""
    used = sheet.used_range
    values = used.options(ndim=2, err_to_str=True).value
    return pad(values, used.row, used.column)


def read_tables(book: Any, config: Config) -> list[Table]:
    """Every sheet of a known kind in the open book (hidden ones too, as the headless run does)."""
    skip = {n.lower() for n in own_sheets()}
    sheets = [(s.name, sheet_rows(s)) for s in book.sheets if s.name.lower() not in skip]
    return tables_of(sheets, book_path(book), config)


def book_path(book: Any) -> str:
    return book.fullname


def replace_sheet(book: Any, name: str) -> Any:
    """A fresh, empty sheet called ``name``: in the old one's place if it existed, else at the end.

    Deleting and re-adding (rather than clearing) also drops the old sheet's tables,
    charts and hyperlinks, which ``clear()`` would leave behind.
    """
    sheets = list(book.sheets)
    old = find_sheet(book, name)
    if old is None:
        return book.sheets.add(name, after=sheets[-1])
    if len(sheets) == 1:
        old.clear()
        return old
    i = [s.name for s in sheets].index(old.name)
    before = sheets[i + 1] if i + 1 < len(sheets) else None
    after = sheets[i - 1] if i > 0 else None
    old.delete()
    if before is not None:
        return book.sheets.add(name, before=before)
    return book.sheets.add(name, after=after)


def sheet_ref(name: str, cell: str = "A1") -> str:
    """An in-book link target: ``#'11月登记'!H12`` (quotes doubled as Excel wants)."""
    return "#'" + name.replace("'", "''") + "'!" + cell


@contextmanager
def quiet(book: Any) -> Iterator[Any]:
    """Screen updating off while we work; the clerk's setting back afterwards, even on an error."""
    app = book.app
    before = app.screen_updating
    app.screen_updating = False
    try:
        yield app
    finally:
        app.screen_updating = before


def address_chunks(cells: list[str], limit: int = 240) -> Iterator[str]:
    """Cells joined as "A1,B3,C5" in pieces Excel's Range() accepts (its address limit is 255)."""
    piece: list[str] = []
    size = 0
    for c in cells:
        if piece and size + len(c) + 1 > limit:
            yield ",".join(piece)
            piece, size = [], 0
        piece.append(c)
        size += len(c) + 1
    if piece:
        yield ",".join(piece)


def live_text(s: str) -> str:
    """Text as a live book must be given it: cleaned (``model.text``) and, when Excel would read
    it as a formula (``=HYPERLINK(…)``, ``+86 138…``), marked as text with a leading apostrophe
    (which Excel does not show)."""
    from xl_dealer.model.text import clean_text

    s = clean_text(s)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s
