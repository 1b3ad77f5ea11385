"""Saving a report workbook: openpyxl's own writer, but each sheet's cells written as text.

openpyxl builds an ElementTree element per cell (three for a text) and serialises each
through et_xmlfile: about three quarters of saving ``report all`` (65k cells). Here each
``<row>`` and the ``<c>`` elements of the common cells (text, a number, a date, an empty styled
cell) are formatted straight into the sheet's stream, byte for byte as openpyxl writes them: the same
attributes in the same order, the same escaping, ``xml:space`` as its ``whitespace()`` sets
it, numbers by its ``safe_string``, dates by its ``to_excel``, and each cell's style looked up
(``style_id``) in the same order, so the style list comes out the same. Any other cell
(a formula, rich text, a datetime, a hyperlink, a comment) goes through openpyxl's own
``write_cell``; so does every cell when openpyxl writes with lxml (its stream then is
another). Everything else of the package (styles, tables, charts, the zip) is openpyxl's.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # what et_xmlfile escapes with
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.cell._writer import write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter


def save_workbook(wb: Workbook, path: str | os.PathLike[str]) -> None:
    """``wb.save(path)``, with :class:`_SheetWriter` for the sheets (as ``openpyxl.writer.excel.save_workbook``)."""
    if wb.write_only or wb.read_only:  # their sheets are written (or refused) as they go
        wb.save(path)
        return
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    _BookWriter(wb, archive).save()


class _BookWriter(ExcelWriter):
    def write_worksheet(self, ws: Any) -> None:
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


class _SheetWriter(WorksheetWriter):
    def __init__(self, ws: Any, out: Any = None) -> None:
        super().__init__(ws, out)
        self.style_ids: dict[bytes, int] = {}  # a cell style's bytes → its index in the workbook's list

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        raw = getattr(xf, "_file", None) if type(xf).__module__ == "et_xmlfile.xmlfile" else None
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                if raw is None:
                    self.write_row(xf, row, row_idx)
                else:
                    self._write_row(xf, raw, row, row_idx)
        self.xf.send(None)

    def _write_row(self, xf: Any, raw: Any, row: list[Any], row_idx: int) -> None:
        """``WorksheetWriter.write_row``, the row and its common cells formatted here, in one write."""
        attrs = {"r": f"{row_idx}"}
        attrs.update(self.ws.row_dimensions.get(row_idx, {}))
        wb = self.ws.parent
        epoch, iso = wb.epoch, wb.iso_dates
        ids = self.style_ids
        # the row's tags as et_xmlfile writes an element (its attributes in order, escaped; never
        # self-closed), so a row costs no element of its own either
        parts: list[str] = ["<row", *(f' {k}="{_escape_attrib(v)}"' for k, v in attrs.items()), ">"]
        for cell in row:
            if cell._comment is not None:
                self.ws._comments.append(CommentRecord.from_cell(cell))
            styled = cell.has_style
            if cell._value is None and not styled and not cell._comment:
                continue
            text = None
            if cell._comment is None and not cell.hyperlink:
                if styled:  # the style's index, as ``cell.style_id`` finds it (and adds a new one)
                    key = cell._style.tobytes()
                    s = ids.get(key)
                    if s is None:
                        s = ids[key] = cell.style_id
                    text = _cell(cell, f'<c r="{cell.coordinate}" s="{s}"', epoch, iso)
                else:
                    text = _cell(cell, f'<c r="{cell.coordinate}"', epoch, iso)
            if text is None:
                raw("".join(parts))
                parts.clear()
                write_cell(xf, self.ws, cell, styled)
            else:
                parts.append(text)
        parts.append("</row>")
        raw("".join(parts))


def _cell(cell: Any, head: str, epoch: dt.datetime, iso_dates: bool) -> str | None:
    """A cell's ``<c>`` as openpyxl's ``etree_write_cell`` writes it, from ``head`` (its tag and
    ``r``, ``s`` attributes); None for a cell left to openpyxl."""
    kind, value = cell.data_type, cell._value
    if kind == "s":
        if value is None or value == "":
            return f'{head} t="inlineStr" />'
        if type(value) is not str:
            return None  # rich text
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        return f'{head} t="inlineStr"><is><t{space}>{_escape_cdata(value)}</t></is></c>'
    if kind == "n":
        if value is None or value == "":
            return f'{head} t="n" />'
        number = safe_string(value) if type(value) is int or type(value) is float else ""
    elif kind == "d" and type(value) is dt.date and not iso_dates:
        number = safe_string(to_excel(value, epoch))
    else:
        return None
    # "" (NaN, infinity) is written <v />: left to openpyxl
    return f'{head} t="n"><v>{_escape_cdata(number)}</v></c>' if number else None
