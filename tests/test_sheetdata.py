"""The report workbook's writer (``render.sheetdata``) writes the bytes openpyxl's own writer
writes: every part of the package, for every kind of cell a report holds and the odd ones
(texts with spaces, markup characters, line breaks, ``=`` in front; numbers large, small,
negative, NaN; dates; datetimes, times, booleans, rich text, formulas, hyperlinks and
comments left to openpyxl), styled and not, with merges, a table and a chart."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from benchmarks.data import _write_report_set
from xl_dealer.model.config import Config
from xl_dealer.render import reports as render
from xl_dealer.render.sheetdata import save_workbook
from xl_dealer.reports import build_report, names
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)

TEXTS = ["客户", "  leading", "trailing  ", "   ", "", "a & b < c > d \"q\" 'a'", "line\nbreak", "\ttab",
         "=HYPERLINK(\"x\")", "+86 138", "#N/A", "中文 和 English", "x" * 300, "🚗", "é\r\nx"]
NUMBERS = [0, 1, -1, 12345678901234567, 0.1, 1 / 3, -2.5e-12, 1e300, 0.0, -0.0, 3.0, float("nan"),
           float("inf"), True, False]
DATES = [dt.date(2026, 11, 27), dt.date(1900, 1, 1), dt.date(1900, 3, 1), dt.datetime(2026, 1, 2, 3, 4, 5),
         dt.time(10, 30), dt.timedelta(hours=5)]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A small store of every kind (the report benchmark's generator): each report has rows."""
    d = tmp_path_factory.mktemp("store")
    _write_report_set(d, 400, 3)
    return validate([d], as_of=AS_OF, config=Config()).checked


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml: the time written


def _book() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    box = Border(left=Side(style="thin"), right=Side(style="thin"))
    for r, v in enumerate([*TEXTS, *NUMBERS, *DATES, None], start=1):
        plain = ws.cell(row=r, column=1, value=v)
        styled = ws.cell(row=r, column=2, value=v)
        styled.font = Font(bold=r % 2 == 0)
        styled.border = box
        if isinstance(v, str):
            plain.data_type = styled.data_type = "s"  # as the reports write every text
        if isinstance(v, int | float) and not isinstance(v, bool):
            styled.number_format = "0.0%" if r % 3 else "#,##0"
        ws.cell(row=r, column=4 + r % 3, value=v)  # rows of several lengths, gaps between cells
    ws.cell(row=40, column=1).fill = PatternFill("solid", fgColor="DDEBF7")  # styled, empty
    ws.cell(row=41, column=1, value="=SUM(B1:B3)")  # a formula
    ws.cell(row=42, column=1, value=CellRichText(["a", TextBlock(InlineFont(b=True), "b")]))
    link = ws.cell(row=43, column=1, value="网站")
    link.hyperlink = "https://example.com/"
    ws.cell(row=44, column=2, value="有批注").comment = Comment("批注", "xl-dealer")
    ws.cell(row=45, column=3, value=5).alignment = Alignment(wrap_text=True)
    ws.merge_cells("A46:D46")
    ws["A46"] = "merged"
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[60].height = 12  # a row with nothing but its height
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=16, max_row=20))
    ws.add_chart(chart, "H2")
    wb.create_sheet("空")
    return wb


def test_the_cells_of_every_kind_are_written_as_openpyxl_writes_them(tmp_path):
    _book().save(tmp_path / "openpyxl.xlsx")
    save_workbook(_book(), tmp_path / "ours.xlsx")
    a, b = _parts(tmp_path / "openpyxl.xlsx"), _parts(tmp_path / "ours.xlsx")
    assert a.keys() == b.keys()
    assert {n for n in a if a[n] != b[n]} == set()
    sheet = b["xl/worksheets/sheet1.xml"].decode()
    assert 'xml:space="preserve"> leading' not in sheet and 'xml:space="preserve">  leading' in sheet
    assert "a &amp; b &lt; c &gt; d" in sheet and "<f>SUM(B1:B3)</f>" in sheet
    assert math.isnan(NUMBERS[11])


def test_the_reports_are_written_as_openpyxl_writes_them(checked, tmp_path):
    config = Config()
    reports = [build_report(n, checked, as_of=AS_OF, config=config) for n in names("all")]
    render.workbook_of(reports).save(tmp_path / "openpyxl.xlsx")
    save_workbook(render.workbook_of(reports), tmp_path / "ours.xlsx")
    a, b = _parts(tmp_path / "openpyxl.xlsx"), _parts(tmp_path / "ours.xlsx")
    assert a == b
    assert sum(n.startswith("xl/worksheets/sheet") for n in b) == len(reports)


def test_a_write_only_book_is_saved_by_openpyxl(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("流")
    ws.append(["a", 1, dt.date(2026, 1, 1)])
    save_workbook(wb, tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        assert b"<t>a</t>" in z.read("xl/worksheets/sheet1.xml")


def _plain_body_cell(self, ws, row, column, value, number_format, alignment):
    """What ``_Styles.body_cell`` stands for: openpyxl's value setter and descriptors, per cell."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format is not None:
        cell.number_format = number_format
    cell.border = render.BOX
    if alignment is not None:
        cell.alignment = alignment
    return cell


def test_copied_cell_styles_write_what_openpyxl_descriptors_write(checked, tmp_path, monkeypatch):
    config = Config()
    reports = [build_report(n, checked, as_of=AS_OF, config=config) for n in names("all")]
    fast = render.save_reports(reports, tmp_path / "fast.xlsx")
    monkeypatch.setattr(render._Styles, "body_cell", _plain_body_cell)
    plain = render.save_reports(reports, tmp_path / "plain.xlsx")
    a, b = _parts(fast), _parts(plain)
    assert a == b
    assert b'numFmtId="164"' in a["xl/styles.xml"]  # the report's own formats (yyyy-mm-dd, #,##0…)
