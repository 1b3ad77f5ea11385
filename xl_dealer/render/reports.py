"""Reports onto openpyxl worksheets: title, period, real Excel tables, native charts, footnotes.

Layout, top to bottom: title, period/as-of line, notes (empty period, missing
inputs), each table (caption, ListObject with header style and totals row),
the charts, then the footnotes with the formula of every rate. Set up to print
landscape, one page wide.

Every string is written as a string (``data_type = "s"``): a clerk's remark
``=HYPERLINK(...)`` or ``+86 138…`` must never become a formula in a manager's
report. Phones are masked here too unless the report is a call list.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_dealer.model.text import clean_text, text_width
from xl_dealer.read.inputs import GENERATED_PROPERTY
from xl_dealer.read.values import mask_phone
from xl_dealer.render.outputs import atomic_write
from xl_dealer.reports.data import FORMATS_KEY, Chart, Column, Report, Table

NUMBER_FORMATS = {
    "int": "#,##0", "number": "#,##0.0", "percent": "0.0%",
    # a change of a rate, held in percentage points (24.0), shown with its unit: never "+24.0%"
    "pp": '+0.0"百分点";-0.0"百分点";0.0"百分点"', "delta": "+#,##0;-#,##0;0",
    "date": "yyyy-mm-dd", "time": "hh:mm", "text": "@", "phone": "@",
}
NUMERIC = frozenset({"int", "number", "percent", "pp", "delta"})
MIN_CHART_CM = 4.5  # a chart may shrink to this to share its page with the footnotes
SIDE_MIN_CM = 10.0  # a chart at least this wide fits right of its (narrow) table: drawn there
CHART_CM = 7.5
SLACK_CM = 1.5  # see _Layout.keep_together
SHRUNK_CHART_CM = 6.0  # any chart under a table may shrink to this to stay on the table's page
DASH = "—"  # a rate with nothing to divide by
MAX_WIDTH = 40
HELPER_GAP = 24  # hidden chart data starts this many columns right of the tables, clear of any chart
WRAP_HEADER = 12  # a heading wider than this (6 CJK characters) may wrap onto a second line
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody sized
PT_CM = 2.54 / 72
# Every row gets an explicit height: Excel (15 pt) and LibreOffice (12.75 pt) disagree on the
# default, and page breaks before charts are only right if the height is known.
ROW_PT = 16
ROW_CM = ROW_PT * PT_CM
UNIT_CM = (0.196, 0.178)  # one column-width unit, printed: Excel (7 px + 5 a column), LibreOffice with Carlito
PAGE_W_CM, PAGE_H_CM = 29.7 - 2 * 0.4 * 2.54, 21.0 - 2 * 0.7 * 2.54 - 0.6  # A4 landscape inside the margins

BLUE = "1F4E78"
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_BORDER = Border(left=THIN, right=THIN, bottom=THIN, top=Side(style="double", color=BLUE))
TOTAL_FONT = Font(bold=True)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_ALIGNS: dict[tuple[Any, Any, Any], Alignment] = {}


def _align(horizontal: Any = None, vertical: Any = None, wrap_text: Any = None) -> Alignment:
    """One Alignment object per combination: equal ones are one style in the file anyway."""
    key = (horizontal, vertical, wrap_text)
    a = _ALIGNS.get(key)
    if a is None:
        a = _ALIGNS[key] = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap_text)
    return a


class _Styles:
    """Each shared style object's index in the workbook's style lists, looked up once.

    Setting ``cell.border = BOX`` makes openpyxl hash the Border (recursively, every Side)
    to find its index: per cell that was a third of writing the reports. The first use of
    an object registers it exactly as the descriptor would (so the file's style lists come
    out in the same order); later uses set the cached index on the cell's style array.
    """

    __slots__ = ("wb", "ids", "formats", "arrays")

    def __init__(self, ws: Worksheet) -> None:
        self.wb = ws.parent
        self.ids: dict[tuple[str, int], tuple[int, Any]] = {}
        self.formats: dict[str, int] = {}
        self.arrays: dict[tuple[str | None, int], StyleArray] = {}

    def _id(self, collection: str, obj: Any) -> int:
        hit = self.ids.get((collection, id(obj)))
        if hit is None or hit[1] is not obj:
            hit = self.ids[(collection, id(obj))] = (getattr(self.wb, collection).add(obj), obj)
        return hit[0]

    def set(self, cell: Any, font: Font | None = None, fill: PatternFill | None = None,
            border: Border | None = None, alignment: Alignment | None = None) -> None:
        st = cell._style
        if st is None:  # a cell no style was set on yet (as the descriptors start it)
            st = cell._style = StyleArray()
        if font is not None:
            st.fontId = self._id("_fonts", font)
        if fill is not None:
            st.fillId = self._id("_fills", fill)
        if border is not None:
            st.borderId = self._id("_borders", border)
        if alignment is not None:
            st.alignmentId = self._id("_alignments", alignment)

    def number_format(self, cell: Any, fmt: str) -> None:
        """``cell.number_format = fmt``: the format's index found once (the descriptor's way,
        which adds a format the workbook has not seen to its list)."""
        i = self.formats.get(fmt)
        if i is None:
            cell.number_format = fmt
            self.formats[fmt] = cell._style.numFmtId
            return
        st = cell._style
        if st is None:
            st = cell._style = StyleArray()
        st.numFmtId = i


    def body_cell(self, ws: Worksheet, row: int, column: int, value: Any, number_format: str | None,
                  alignment: Alignment | None) -> Any:
        """A table cell in its box, with this number format (None: a text's) and alignment: as
        :func:`_put`, ``number_format`` and ``set`` make it, their style array copied from the first
        such cell of the sheet (a list of 2,000 rows has a handful of cell styles)."""
        if number_format is None and not isinstance(value, str):
            cell = _put(ws, row, column, value)  # its own format (a date's, say): as it comes
            self.set(cell, border=BOX, alignment=alignment)
            return cell
        key = (number_format, id(alignment))
        made = self.arrays.get(key)
        if made is None:
            cell = _put(ws, row, column, value)
            if number_format is not None:
                self.number_format(cell, number_format)
            self.set(cell, border=BOX, alignment=alignment)
            self.arrays[key] = StyleArray(cell._style)
            return cell
        cell = Cell(ws, row=row, column=column)
        ws._add_cell(cell)
        if isinstance(value, str):
            cell._value = clean_text(value)  # as _put stores a text
            cell.data_type = "s"
        elif value is not None:
            cell.value = value  # openpyxl's own bookkeeping (a date's format registered) as for the first
        cell._style = StyleArray(made)  # the number format set over whatever the value set
        return cell


def _shown(v: Any, fmt: str) -> str:
    """Roughly what the cell will show, to size its column."""
    if v is None:
        return DASH if fmt in NUMERIC else ""
    if fmt == "percent" and isinstance(v, int | float):
        return f"{v:.1%}"
    if fmt == "pp" and isinstance(v, int | float):
        return f"{v:+.1f}百分点"
    if fmt == "delta" and isinstance(v, int | float):
        return f"{v:+,.0f}"
    if fmt == "date" and hasattr(v, "isoformat"):
        return "2026-01-01"
    if fmt == "time":
        return "00:00"
    if fmt in ("int", "number") and isinstance(v, int | float):
        return f"{v:,.0f}" if fmt == "int" else f"{v:,.1f}"
    return str(v)


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one value; strings stay strings, whatever they start with, and are cleaned
    (``model.text``: a vertical tab from pasted text made openpyxl refuse the whole report)."""
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column)
        # stored as openpyxl's value setter would, without its per-string checks: a cleaned text has
        # nothing it refuses (control characters) or cuts (past 32,767), and it stays a string
        cell._value = clean_text(value)
        cell.data_type = "s"
        return cell
    return ws.cell(row=row, column=column, value=value)


def _table_name(ws: Worksheet, report: Report, table: Table) -> str:
    """A valid, workbook-unique ListObject name (ASCII, starts with a letter, never a cell address)."""
    base = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in f"tbl_{report.name}_{table.key}")
    taken = {n.lower() for sheet in (ws.parent.worksheets if ws.parent else [ws]) for n in sheet.tables}
    name, i = base, 2
    while name.lower() in taken:
        name, i = f"{base}_{i}", i + 1
    return name


def _header_width(header: str) -> float:
    """Width a heading asks of its column: a long one wraps onto two lines instead of widening it."""
    w = text_width(header)
    return w + 2 if w <= WRAP_HEADER else math.ceil(w / 2) + 3


def _headers(columns: list[Column]) -> list[str]:
    """Column headings, made unique (a ListObject requires it)."""
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        h = c.header or c.key
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}{seen[h]}")
    return out


class _Layout:
    """Tracks the next free row and each column's needed width."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}
        self.caps: dict[int, float] = {}
        self.ncols = 1
        self.page_top = 1
        self.print_cols = 1  # columns in the print area: the tables', or more for a wide chart
        self.helper_col = 0  # next hidden column for chart data, right of the print area
        self.placed = False  # has a table been written yet (else only the title is above)
        self.styles = _Styles(ws)

    def need(self, column: int, text: str, cap: float | None = None, width: float | None = None) -> None:
        self.widths[column] = max(self.widths.get(column, 0), width if width is not None else text_width(text) + 2)
        if cap:
            self.caps[column] = max(self.caps.get(column, 0), cap)

    def y_cm(self, start: int, end: int) -> float:
        """Printed height of rows [start, end) at 100 %."""
        dims = self.ws.row_dimensions
        return sum((dims[r].height if r in dims and dims[r].height else ROW_PT) for r in range(start, end)) * PT_CM

    def scale(self, unit_cm: float) -> float:
        """The fit-to-width print scale: content wider than the page is shrunk."""
        content = sum(self.width(c) if c <= self.ncols else DEFAULT_WIDTH
                      for c in range(1, max(self.ncols, self.print_cols) + 1)) * unit_cm
        return min(1.0, PAGE_W_CM / content) if content else 1.0

    def keep_together(self, height_cm: float) -> None:
        """A page break before the next row if a block this high would straddle pages.

        Excel and LibreOffice print a column-width unit differently wide, so the
        fit-to-width scale differs; break if the block would straddle in either. A block
        that would start just past an estimated page end gets the break too: LibreOffice's
        page holds a row or two more than the estimate, and would print its caption alone
        at the foot of the page before.
        """
        if not self.placed:  # only the title and notes above: a page holding nothing else is worse than a split
            return
        for unit in UNIT_CM:
            page = PAGE_H_CM / self.scale(unit)
            pos = self.y_cm(self.page_top, self.row) % page
            if pos and (pos + height_cm > page or (pos < SLACK_CM and self.row > self.page_top + 1)):
                self.ws.row_breaks.append(Break(id=self.row - 1))
                self.page_top = self.row
                return

    def room_cm(self) -> float:
        """What is left of the current page from the next row down (the less of Excel's and LibreOffice's)."""
        out = []
        for unit in UNIT_CM:
            page = PAGE_H_CM / self.scale(unit)
            out.append(page - self.y_cm(self.page_top, self.row) % page)
        return min(out)

    def width(self, column: int) -> float:
        return min(max(self.widths.get(column, 8), 6), self.caps.get(column, MAX_WIDTH))

    def page_cm(self) -> float:
        """Printed page height in sheet centimetres (at 100 %), the shorter of Excel's and LibreOffice's."""
        return min(PAGE_H_CM / self.scale(unit) for unit in UNIT_CM)

    def crosses_page(self, start: int, end: int) -> bool:
        """Do rows [start, end) run over a page break (in Excel or LibreOffice)?"""
        for unit in UNIT_CM:
            page = PAGE_H_CM / self.scale(unit)
            top = self.y_cm(self.page_top, start) % page
            if top + self.y_cm(start, end) > page:
                return True
        return False

    def cover(self, width_cm: float, narrow: bool = False) -> None:
        """Widen the print area (with empty columns) until it holds something this wide
        (``narrow``: as LibreOffice prints columns, the narrower, for a chart right of a table)."""
        cols, cm = 0, 0.0
        while cm < width_cm:
            cols += 1
            w = self.width(cols) if cols <= self.ncols else DEFAULT_WIDTH
            cm += w * UNIT_CM[1] if narrow else (7 * w + 5) / 96 * 2.54
        self.print_cols = max(self.print_cols, cols)

    def content_cm(self) -> float:
        """Printed width of the print area at 100 %, the narrower of Excel's and LibreOffice's.

        Excel: a column of width w is 7w + 5 pixels at 96 dpi; LibreOffice prints it wider.
        A chart drawn wider than this is cut off at the print area's right edge.
        """
        return sum((7 * self.width(c) + 5) / 96 * 2.54 for c in range(1, self.ncols + 1))


def write_report(report: Report, ws: Worksheet) -> None:
    """Render one report onto an (empty) worksheet."""
    lay = _Layout(ws)
    lay.ncols = max([len(t.columns) for t in report.tables] + [6])
    ws.sheet_view.showGridLines = False
    for table in report.tables:  # every column's width first: page breaks depend on the print scale
        _measure(report, table, lay)

    _put(ws, 1, 1, report.title).font = Font(bold=True, size=16, color=BLUE)
    ws.row_dimensions[1].height = 26
    stamp = report.as_of.strftime("%Y-%m-%d %H:%M") if report.as_of.time() != report.as_of.min.time() \
        else report.as_of.date().isoformat()
    period = report.period_start.isoformat() if report.period_start == report.period_end \
        else f"{report.period_start.isoformat()} 至 {report.period_end.isoformat()}"
    _put(ws, 2, 1, f"统计期间：{period}　　截至：{stamp}　　xl-dealer").font = Font(color="595959")
    # the widest chart widens the print area: notes and footnotes wrap to that width
    drawn = [c for c in report.charts if _drawable(report, c)]
    for c in drawn:
        lay.cover(_chart_width(c, len(report.table(c.table).rows), lay) + 0.3)
    lay.row = 3
    for note in report.notes:
        _text_row(ws, lay, note, Font(bold=True, color="C00000"), 11)
    lay.row += 1

    foot_cm = _footnotes_cm(report, lay)
    # the last block (the last chart, else the last table) keeps the footnotes on its page
    final_chart = next((c for c in reversed(drawn) if c.table == report.tables[-1].key), None)
    first_data_row: int | None = None
    print_titles: int | None = None
    for table in report.tables:
        mine = [c for c in drawn if c.table == table.key]
        side = _side_width(table, mine, lay)
        final = table is report.tables[-1] and (final_chart is None or side is not None)
        # a table that fits on a page is not split; a longer one at least starts with its
        # caption, header and a few rows together
        lines = sum(_row_lines(report, table.columns, r) for r in table.rows) or 1
        block = (ROW_PT + 20 + ROW_PT * (lines + bool(table.totals))) * PT_CM
        if side is not None:  # the chart beside it: the block is as tall as the taller of the two
            block = max(block, _side_height(block) + ROW_CM)
        if final and block + foot_cm < lay.page_cm():
            lay.keep_together(block + foot_cm)
        else:
            lay.keep_together(block if block < lay.page_cm() else (ROW_PT + 20 + 3 * ROW_PT) * PT_CM)
        header_row = _write_table(report, table, ws, lay)
        lay.placed = True
        last_listing = table is report.tables[-1] and all(c.table != table.key for c in report.charts)
        if last_listing and lay.crosses_page(header_row, lay.row):
            print_titles = header_row
        if final and foot_cm and _keep_tail_with(lay, header_row, foot_cm + ROW_CM) and last_listing:
            print_titles = header_row
        where = (header_row, header_row + max(len(table.rows), 1), len(table.rows))
        if first_data_row is None:
            first_data_row = header_row + 1
        lay.row += 1
        for chart in mine:  # each chart beside the table it draws, else right under it
            # from the header row down: a chart whose top is on a page break prints a stray line
            # (its top edge) at the foot of the page before, in LibreOffice
            beside = (len(table.columns) + 2, header_row, side) if side is not None else None
            _write_chart(report, chart, ws, lay, where, foot_cm if chart is final_chart else 0.0, beside)

    if report.footnotes:
        _put(ws, lay.row, 1, "注：").font = Font(bold=True, color="595959")
        lay.row += 1
        for i, text in enumerate(report.footnotes, start=1):
            _text_row(ws, lay, f"{i}. {text}", Font(size=9, color="595959"), 9)

    for c in range(1, lay.ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = lay.width(c)
    for r in range(1, lay.row + 1):
        if not ws.row_dimensions[r].height:
            ws.row_dimensions[r].height = ROW_PT
    if first_data_row:
        ws.freeze_panes = ws.cell(row=first_data_row, column=1)
    if print_titles:
        # the listing at the foot of a sheet repeats its header on every page it runs onto.
        # Print titles repeat on every page after them, so only the last table may have them
        # (only footnotes come after it), never one with more tables or charts below.
        ws.print_title_rows = f"{print_titles}:{print_titles}"
    _page_setup(ws, lay)


def _text_width_units(lay: _Layout) -> float:
    """Column-width units across the print area: what a merged note or footnote wraps to."""
    return sum(lay.width(c) if c <= lay.ncols else DEFAULT_WIDTH for c in range(1, max(lay.ncols, lay.print_cols) + 1))


def _text_lines(text: str, lay: _Layout, size: int) -> int:
    # a CJK character of 9 pt takes about 0.9 of a width unit's two halves; 11 pt about 1.1
    return max(1, math.ceil(text_width(text) * size / 10 / max(_text_width_units(lay), 1)))


def _text_row(ws: Worksheet, lay: _Layout, text: str, font: Font, size: int) -> None:
    """A line of text across the print area (merged, wrapped, as tall as its lines)."""
    cell = _put(ws, lay.row, 1, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=lay.row, start_column=1, end_row=lay.row, end_column=max(lay.ncols, lay.print_cols))
    ws.row_dimensions[lay.row].height = (size + 3) * _text_lines(text, lay, size) + 3
    lay.row += 1


def _footnotes_cm(report: Report, lay: _Layout) -> float:
    """Printed height of the footnote block (注： and every line), as :func:`_text_row` makes it."""
    if not report.footnotes:
        return 0.0
    pts = ROW_PT + sum(12 * _text_lines(f"{i}. {t}", lay, 9) + 3 for i, t in enumerate(report.footnotes, start=1))
    return pts * PT_CM


def _keep_tail_with(lay: _Layout, header_row: int, need_cm: float) -> bool:
    """A long last table whose end leaves no room for the footnotes hands its last rows to the
    next page, so the footnotes never print alone there. True if it did."""
    if lay.room_cm() >= need_cm or need_cm >= lay.page_cm():
        return False
    last = lay.row - 1
    if last - header_row < 6:
        return False
    lay.ws.row_breaks.append(Break(id=last - 3))
    lay.page_top = last - 2
    return True


def _side_height(table_cm: float) -> float:
    """A chart beside a table is as tall as the table, between the shrunk and the usual height."""
    return min(CHART_CM, max(SHRUNK_CHART_CM, table_cm))


def _measure(report: Report, table: Table, lay: _Layout) -> None:
    """Ask for each column's width as :func:`_write_table` will, before anything is placed."""
    for j, (c, h) in enumerate(zip(table.columns, _headers(table.columns), strict=True), start=1):
        lay.need(j, h, c.width, _header_width(h))
        for row in [*table.rows, *([table.total_row] if table.totals and table.total_row else [])]:
            v = row.get(c.key)
            if c.format == "phone" and not report.call_list and isinstance(v, str):
                v = mask_phone(v)
            lay.need(j, _shown("是" if v is True else "否" if v is False else v, _format(row, c)), c.width)


def _write_table(report: Report, table: Table, ws: Worksheet, lay: _Layout) -> int:
    cap = _put(ws, lay.row, 1, table.title)
    cap.font = Font(bold=True, size=12, color=BLUE)
    lay.row += 1
    header_row = lay.row
    headers = _headers(table.columns)
    for j, h in enumerate(headers, start=1):  # the columns' widths: measured (_measure)
        lay.styles.set(_put(ws, header_row, j, h), HEADER_FONT, HEADER_FILL, BOX, HEADER_ALIGN)
    r = header_row
    for row in table.rows:
        r += 1
        _write_row(report, table.columns, row, ws, r, lay)
    if not table.rows:
        r += 1
        _put(ws, r, 1, table.empty_text).font = Font(italic=True, color="808080")
        n = len(table.columns)
        for j in range(1, n + 1):  # one box round the row: the text runs on over the empty cells
            ws.cell(row=r, column=j).border = Border(left=THIN if j == 1 else None, right=THIN if j == n else None,
                                                     top=THIN, bottom=THIN)
    last_data = r
    has_totals = bool(table.totals and table.total_row and table.rows)
    if has_totals:
        r += 1
        assert table.total_row is not None
        _write_row(report, table.columns, table.total_row, ws, r, lay)
        for j in range(1, len(table.columns) + 1):
            lay.styles.set(ws.cell(row=r, column=j), TOTAL_FONT, TOTAL_FILL, TOTAL_BORDER)

    ref = f"A{header_row}:{get_column_letter(len(table.columns))}{r}"
    xl = XlTable(displayName=_table_name(ws, report, table), ref=ref)
    xl.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    for j, h in enumerate(headers, start=1):
        tc = TableColumn(id=j, name=h)
        if has_totals and j == 1:
            tc.totalsRowLabel = str(table.total_row.get(table.columns[0].key) or "合计")  # type: ignore[union-attr]
        xl.tableColumns.append(tc)
    from openpyxl.worksheet.filters import AutoFilter

    xl.autoFilter = AutoFilter(ref=f"A{header_row}:{get_column_letter(len(table.columns))}{last_data}")
    if has_totals:
        xl.totalsRowCount = 1
    ws.add_table(xl)
    two_lines = any(text_width(h) + 1 > lay.width(j) for j, h in enumerate(headers, start=1))
    ws.row_dimensions[header_row].height = 32 if two_lines else 20
    lay.row = r + 1
    return header_row


def _write_row(report: Report, columns: list[Column], row: dict[str, Any], ws: Worksheet, r: int, lay: _Layout) -> None:
    """One row of a table, each cell as :func:`_measure` measured it (its column is wide enough)."""
    lines = 1
    formats = row.get(FORMATS_KEY) or {}  # as _format
    mask = not report.call_list
    styles = lay.styles
    for j, c in enumerate(columns, start=1):
        v = row.get(c.key)
        fmt = formats.get(c.key, c.format)
        if c.format == "phone" and mask and isinstance(v, str):
            v = mask_phone(v)  # a second guard: only call lists show numbers
        if v is None and fmt in NUMERIC:
            v = DASH
        if isinstance(v, bool):
            v = "是" if v else "否"
        number = NUMBER_FORMATS.get(fmt) if not isinstance(v, str) else None
        if v == DASH or fmt in ("date", "time"):
            styles.body_cell(ws, r, j, v, number, CENTER)
        elif isinstance(v, str) and text_width(v) + 2 > (c.width or MAX_WIDTH):
            styles.body_cell(ws, r, j, v, number, WRAP_TOP)
            lines = max(lines, wrap_lines(v, c.width or MAX_WIDTH))
        else:
            styles.body_cell(ws, r, j, v, number, None)
    ws.row_dimensions[r].height = ROW_PT * lines
    if lines > 1:  # a row of several lines reads from its top line, every cell of it
        for j in range(1, len(columns) + 1):
            cell = ws.cell(row=r, column=j)
            now = cell.alignment
            lay.styles.set(cell, alignment=_align(now.horizontal, "top", now.wrap_text))


def _row_lines(report: Report, columns: list[Column], row: dict[str, Any]) -> int:
    """How many lines a row will be printed on: its longest text wraps in its column (as
    :func:`_write_row` lays it out), so a long list is known to run over pages before it is written."""
    lines = 1
    for c in columns:
        v = row.get(c.key)
        if not isinstance(v, str) or (c.format == "phone" and not report.call_list):
            continue
        if text_width(v) + 2 > (c.width or MAX_WIDTH):
            lines = max(lines, wrap_lines(v, c.width or MAX_WIDTH))
    return lines


def wrap_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column this wide. A line breaks between words, so a Latin
    word (a file name) that does not fit moves down whole: count a tenth of each line as lost."""
    return math.ceil((text_width(text) + 2) / (width * 0.9 if any(ch.isascii() and ch.isalpha() for ch in text)
                                                else width))


def _format(row: dict[str, Any], c: Column) -> str:
    """A cell's format: its column's, unless the row says otherwise (a rate in a table of counts)."""
    return (row.get(FORMATS_KEY) or {}).get(c.key, c.format)


def _chart_data(ws: Worksheet, lay: _Layout, table: Table, spec: Chart, header_row: int, last: int) -> list[int]:
    """The sheet column of each series' values.

    The table shows a missing rate as "—", which a chart would draw as 0. A series with
    any missing value is therefore copied to a hidden column beside the print area, the
    missing ones left empty, so the chart shows a gap there (``dispBlanksAs="gap"``).
    """
    keys = [c.key for c in table.columns]
    out = []
    for key in spec.series:
        values = [r.get(key) for r in table.rows]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out.append(keys.index(key) + 1)
            continue
        lay.helper_col = max(lay.helper_col, lay.ncols + HELPER_GAP)
        c = lay.helper_col
        lay.helper_col += 1
        fmt = NUMBER_FORMATS.get(table.columns[keys.index(key)].format)
        _put(ws, header_row, c, ws.cell(row=header_row, column=keys.index(key) + 1).value)
        for r, v in zip(range(header_row + 1, last + 1), values, strict=False):
            if isinstance(v, int | float) and not isinstance(v, bool):
                cell = ws.cell(row=r, column=c, value=v)
                if fmt:
                    cell.number_format = fmt
        ws.column_dimensions[get_column_letter(c)].hidden = True
        out.append(c)
    return out


def _drawable(report: Report, spec: Chart) -> bool:
    """Will the chart be drawn? Not for an empty table, nor one of nothing but zeros and dashes
    (a chart would only show empty axes)."""
    table = report.table(spec.table)
    keys = [c.key for c in table.columns]
    if not table.rows or spec.category not in keys or not all(s in keys for s in spec.series):
        return False
    return any(isinstance(r.get(s), int | float) and r.get(s) for r in table.rows for s in spec.series)


def _bars(spec: Chart, n_rows: int) -> float:
    return n_rows * (len(spec.series) + 0.6) if spec.type != "line" else n_rows * 1.6


def _chart_width(spec: Chart, n_rows: int, lay: _Layout) -> float:
    """Wide enough for its bars, never wider than the printed columns (it would be cut off there;
    LibreOffice draws columns a little narrower than Excel: keep 8 % to spare)."""
    return min(max(14.0, 0.9 * _bars(spec, n_rows) + 6), 0.92 * max(lay.content_cm(), PAGE_W_CM))


def _side_width(table: Table, charts: list[Chart], lay: _Layout) -> float | None:
    """The width a table's one chart gets right of the table, if that leaves it wide enough."""
    if len(charts) != 1:
        return None
    x = sum((7 * lay.width(c) + 5) / 96 * 2.54 for c in range(1, len(table.columns) + 2))  # and a gap column
    # up to the page's edge (the print area is widened to hold it, see _write_chart)
    width = min(_chart_width(charts[0], len(table.rows), lay), 0.98 * max(lay.content_cm(), PAGE_W_CM) - x)
    return width if width >= SIDE_MIN_CM else None


def _chart_rows(height_cm: float) -> int:
    """Rows a chart takes: a spacer row, the chart, two rows below."""
    return 1 + math.ceil(height_cm / ROW_CM) + 2


def _write_chart(report: Report, spec: Chart, ws: Worksheet, lay: _Layout, where: tuple[int, int, int],
                 footnotes_cm: float = 0.0, beside: tuple[int, int, float] | None = None) -> None:
    """Draw ``spec`` under its table, or ``beside`` it: (anchor column, top row, width in cm)."""
    table = report.table(spec.table)
    header_row, last, _ = where
    keys = [c.key for c in table.columns]
    chart: BarChart | LineChart
    if spec.type == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.type == "bar" else "col"
        chart.gapWidth = 60
        if spec.type == "bar":  # first stage on top, as a funnel reads
            chart.x_axis.scaling.orientation = "maxMin"
    chart.title = spec.title
    chart.style = 10
    n_cat, n_ser = last - header_row, len(spec.series)
    bars = _bars(spec, n_cat)
    chart.width = beside[2] if beside else _chart_width(spec, n_cat, lay)
    if beside:
        lay.cover(sum(lay.width(c) * UNIT_CM[1] for c in range(1, beside[0])) + chart.width + 0.3, narrow=True)
    else:
        lay.cover(chart.width + 0.3)
    chart.height = CHART_CM
    if beside:
        chart.height = _side_height(lay.y_cm(header_row - 1, last + 2))
    else:
        # shrink a chart a little rather than leave most of a page empty above it, or (the
        # last chart) the footnotes alone on the next page
        # whole rows, as the chart takes them (_chart_rows), so the shrunk one surely fits
        room = (math.floor((lay.room_cm() - footnotes_cm) / ROW_CM) - _chart_rows(0)) * ROW_CM - 0.05
        if (MIN_CHART_CM if footnotes_cm else SHRUNK_CHART_CM) <= room < chart.height:
            chart.height = room
    for c in _chart_data(ws, lay, table, spec, header_row, last):
        chart.add_data(Reference(ws, min_col=c, min_row=header_row, max_row=last), titles_from_data=True)
    cat = keys.index(spec.category) + 1
    chart.set_categories(Reference(ws, min_col=cat, min_row=header_row + 1, max_row=last))
    chart.display_blanks = "gap"
    chart.visible_cells_only = False  # the gap-aware copies live in hidden columns
    if spec.percent:
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
        if not spec.open_top:
            chart.y_axis.scaling.max = 1
    # a value label per bar only where bars are wide enough to hold one: side-by-side
    # series of equal value otherwise print their labels over each other ("66.7%66.7%")
    bar_cm = chart.width * 0.85 / max(bars, 1)
    if n_ser == 1 or bar_cm >= 1.3:
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
            setattr(chart.dataLabels, flag, False)
        chart.dataLabels.position = "t" if spec.type == "line" else "outEnd"
        small = CharacterProperties(sz=800)
        chart.dataLabels.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=small), endParaRPr=small)])
    chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False
    chart.legend.position = "b"
    if len(spec.series) == 1:
        chart.legend = None
    if isinstance(chart, LineChart):
        for series in chart.series:
            series.smooth = False  # a trend must not swing below 0 % between months
            series.marker.symbol = "circle"
    if beside:  # the table's block was kept together with the chart's height already
        col, top, _ = beside
        ws.add_chart(chart, f"{get_column_letter(col)}{top}")
        end = top
        while lay.y_cm(top, end) < chart.height + 0.2:
            end += 1
        lay.row = max(lay.row, end + 1)
        return
    block = _chart_rows(chart.height) * ROW_CM
    lay.keep_together(block + footnotes_cm if block + footnotes_cm < lay.page_cm() else block)
    # one spacer row between a page break and the chart: LibreOffice otherwise draws the
    # chart's top edge as a stray line at the foot of the previous page
    lay.row += 1
    ws.add_chart(chart, f"A{lay.row}")
    lay.row += _chart_rows(chart.height) - 1


def _page_setup(ws: Worksheet, lay: _Layout) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{get_column_letter(max(lay.ncols, lay.print_cols))}{max(lay.row, 1)}"


# ---------------------------------------------------------------- files

def workbook_of(reports: list[Report]) -> Workbook:
    from openpyxl.packaging.custom import StringProperty

    wb = Workbook()
    wb.remove(wb.active)
    # marks the file as ours, so a later validate/report over the same folder skips it
    wb.custom_doc_props.append(StringProperty(name=GENERATED_PROPERTY, value="report"))
    for report in reports:
        name, i = report.sheet[:31], 2
        while name in wb.sheetnames:
            name, i = f"{report.sheet[:28]}_{i}", i + 1
        write_report(report, wb.create_sheet(name))
    return wb


def save_reports(reports: list[Report], path: str | os.PathLike[str]) -> Path:
    """One sheet per report, in order; written atomically."""
    from xl_dealer.render.sheetdata import save_workbook

    wb = workbook_of(reports)
    path = Path(path)
    atomic_write(path, lambda tmp: save_workbook(wb, tmp))
    return path
