"""Workbooks laid out as dealers really keep them (the brands' 三表一卡 and service forms,
re-typed in a store), built in code: their own header words, titles with the day in them,
day-per-sheet forms, range cells, totals typed anywhere, signatures refused in words.

Each builder writes one workbook from rows given by field key and returns what the
seeded mistakes must give: ``(sheet, cell, rule)``. ``template_book`` writes the same
rows laid out as our templates, for the comparison the issue asks for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xl_dealer.model.kinds import KINDS

Row = dict[str, Any]
Expected = tuple[str, str | None, str]  # (sheet, cell or None for a sheet finding, rule)


@dataclass
class Form:
    """One sheet of a dealer's form: title rows, its own headers (field key → header; a
    header may also be a function of the row, for cells holding two fields) and rows."""

    name: str
    kind: str
    headers: list[tuple[str, Any]]  # (header text, field key | callable(row) -> cell value | None)
    rows: list[Row]
    title: list[list[Any]] = field(default_factory=list)
    total: tuple[int, list[Any]] | None = None  # (column index of the label, the total row's cells)
    expected: list[tuple[int, str | None, str]] = field(default_factory=list)  # (row index, header, rule)
    expected_sheet: list[str] = field(default_factory=list)  # rules of findings on the whole sheet

    @property
    def header_row(self) -> int:
        return len(self.title) + 1

    def cell(self, i: int, header: str) -> str:
        col = [h for h, _ in self.headers].index(header)
        return f"{get_column_letter(col + 1)}{self.header_row + 1 + i}"

    def findings(self) -> list[Expected]:
        return ([(self.name, self.cell(i, h) if h else None, rule) for i, h, rule in self.expected]
                + [(self.name, None, rule) for rule in self.expected_sheet])


def _value(spec: Any, row: Row) -> Any:
    if spec is None:
        return None
    if callable(spec):
        return spec(row)
    return row.get(spec)


def write_forms(path: Path, forms: list[Form]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for f in forms:
        ws = wb.create_sheet(f.name)
        width = len(f.headers)
        for r in f.title:
            ws.append(r)
        if f.title:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.append([h for h, _ in f.headers])
        for row in f.rows:
            ws.append([_value(spec, row) for _, spec in f.headers])
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
        if f.total is not None:
            ws.append(f.total[1])
    wb.save(path)
    return path


def template_book(path: Path, sheets: dict[str, tuple[str, list[Row]]]) -> Path:
    """The rows under our templates' headers: every field of the kind, in declaration order."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (kind, rows) in sheets.items():
        ws = wb.create_sheet(name)
        k = KINDS[kind]
        ws.append([f.header for f in k.fields])
        for r in rows:
            ws.append([r.get(f.key) for f in k.fields])
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
    wb.save(path)
    return path


def span(start: str, end: str, sep: str = "-") -> Any:
    """A 在店时段 cell from a row's arrive and leave times, as the clerk typed them."""
    return lambda r: f"{r[start]}{sep}{r[end]}" if r.get(end) else r.get(start)


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)
