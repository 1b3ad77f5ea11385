"""Workbooks built in code for the tests, and ways to look at what ``validate`` found in them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding
from xl_dealer.rules.result import ValidationResult
from xl_dealer.validate import validate

REG_HEADER = ["*日期", "*来店时间", "离店时间", "来店/来电", "*客户姓名", "*联系电话", "意向车型",
              "信息来源", "意向级别", "销售顾问", "是否试驾", "是否建卡", "备注"]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merge: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> Path:
    """Write sheets of rows (row 1 first); strings starting with '=' stay text."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
        for rng in (merge or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


_XLS_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D,
                    "#NUM!": 0x24, "#N/A": 0x2A}


def write_xls(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write sheets of rows (row 1 first) as an .xls (BIFF8, xlwt). A cell "#N/A", "#DIV/0!"…
    is written as Excel saves a formula that failed: a FORMULA record whose cached result is that
    error (xlwt itself caches an empty string); dates and datetimes get a date format."""
    import struct

    import xlwt
    from xlwt.Cell import FormulaCell

    class _FailedFormula(FormulaCell):
        __slots__ = ()
        code = 0x2A

        def get_biff_data(self) -> bytes:
            data = bytearray(super().get_biff_data())
            data[10:18] = struct.pack("<Q", 0xFFFF000000000002 | self.code << 16)  # result: error
            return bytes(data)

    failed = {text: type("Failed", (_FailedFormula,), {"__slots__": (), "code": code})
              for text, code in _XLS_ERROR_CODES.items()}
    day, moment = xlwt.easyxf(num_format_str="yyyy-mm-dd"), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    hm = xlwt.easyxf(num_format_str="hh:mm")
    wb = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = wb.add_sheet(name, cell_overwrite_ok=True)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str) and v in failed:
                    formula = xlwt.Formula("NA()")
                    ws.write(r, c, formula)
                    ws.row(r).insert_cell(c, failed[v](r, c, wb.add_style(xlwt.Style.default_style), formula))
                elif isinstance(v, dt.datetime):
                    ws.write(r, c, v, moment)
                elif isinstance(v, dt.date):
                    ws.write(r, c, v, day)
                elif isinstance(v, dt.time):
                    ws.write(r, c, v, hm)
                else:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def reg_row(**over: Any) -> list[Any]:
    """A clean registration row; keyword overrides by header key."""
    import datetime as dt

    base = {
        "date": dt.date(2026, 11, 20), "arrive": dt.time(10, 0), "leave": dt.time(11, 0), "type": "来店",
        "name": "王先生", "phone": "13812345678", "model": "凯美瑞", "source": "汽车之家", "level": "A",
        "consultant": "李娜", "drive": "否", "card": "是", "remark": None,
    }
    base.update(over)
    return list(base.values())


_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def cell_xml(ref: str, v: Any) -> str:
    from xml.sax.saxutils import escape

    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


def raw_xlsx(path: Path, sheet_body: str | bytes | None = None, rows: dict[int, dict[str, Any]] | None = None,
             name: str = "登记", dimension: str | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .xlsx written by hand: for shapes no library writes (stray far cells, bombs)."""
    import zipfile

    if sheet_body is None:
        parts = []
        for r in sorted(rows or {}):
            cells = "".join(cell_xml(f"{c}{r}", v) for c, v in rows[r].items())
            parts.append(f'<row r="{r}">{cells}</row>')
        sheet_body = "".join(parts)
    body = sheet_body.encode() if isinstance(sheet_body, str) else sheet_body
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + dim + b"<sheetData>" + body + b"</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.format(name=name))
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return path


Sheet = tuple[list[str], list[list[Any]]]  # headers (row 1), data rows (from row 2)


def write_book(path: Path, sheets: dict[str, Sheet]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, (headers, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(headers)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def rows_of(headers: list[str], dicts: list[dict[str, Any]], defaults: dict[str, Any] | None = None) -> list[list[Any]]:
    """Rows given as {header: value} dicts on top of ``defaults``, in header order."""
    base = defaults or {}
    return [[{**base, **d}.get(h) for h in headers] for d in dicts]


def run(tmp_path: Path, books: dict[str, dict[str, Sheet]], as_of: str = "2026-11-27",
        **config: Any) -> ValidationResult:
    paths = [write_book(tmp_path / name, sheets) for name, sheets in books.items()]
    return validate(paths, as_of=as_of, config=Config(**config))


def cells(result: ValidationResult, *rules: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """(rule, sheet, cell, field) of the findings, only of ``rules`` when given, in order."""
    return sorted((f.rule, f.sheet, f.cell, f.field) for f in result.findings if not rules or f.rule in rules)


def groups(result: ValidationResult, rule: str) -> list[tuple[str | None, str | None, Any]]:
    return sorted((f.sheet, f.subject, f.value) for f in result.findings if f.rule == rule and f.row is None)


def of(result: ValidationResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def t(s: str) -> dt.time:
    return dt.time.fromisoformat(s)
