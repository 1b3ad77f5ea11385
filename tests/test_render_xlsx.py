"""The openpyxl renderer: strings stay strings, real tables, masking, page setup, atomic saves."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.test_report_weekly import CALLS, CASES
from tests.workbooks import checked, write
from xl_dealer.config import Config
from xl_dealer.errors import InputError
from xl_dealer.render.xlsx import save_reports, text_width
from xl_dealer.reports import REPORTS, build_report

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture
def book(tmp_path):
    p = write(tmp_path / "cb.xlsx", {"回访": ("service_callback", CALLS), "快速处理": ("complaint", CASES)})
    ch = checked([p], AS_OF)
    reports = [build_report(n, ch, as_of=AS_OF, config=Config()) for n in REPORTS]
    out = save_reports(reports, tmp_path / "out.xlsx")
    return out, reports


def test_one_sheet_per_report_in_order(book):
    out, _ = book
    assert load_workbook(out).sheetnames == list(REPORTS.values())


def test_formula_like_remark_is_a_string_cell(book):
    out, _ = book
    ws = load_workbook(out)["周回访报表"]
    hits = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")']
    assert hits and all(c.data_type == "s" for c in hits)
    with zipfile.ZipFile(out) as z:  # and no formula anywhere in the file
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def test_real_tables_with_unique_valid_names(book):
    out, reports = book
    wb = load_workbook(out)
    names = [n for ws in wb.worksheets for n in ws.tables]
    assert len(names) == len(set(n.lower() for n in names)) == sum(len(r.tables) for r in reports)
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names)
    weekly = wb["周回访报表"]
    t = weekly.tables["tbl_weekly_by_department"]
    assert t.totalsRowCount == 1 and t.autoFilter.ref != t.ref  # the filter stops above the totals row
    header = weekly[t.ref.split(":")[0]]
    assert [c.value for c in weekly[header.row]][:4] == ["部门", "有效回答", "满意回答", "满意率"]


def test_formats_freeze_and_print_setup(book):
    out, _ = book
    ws = load_workbook(out)["周回访报表"]
    assert ws.freeze_panes is not None
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    rates = [c for row in ws.iter_rows() for c in row if c.number_format == "0.0%"]
    assert rates and all(isinstance(c.value, int | float) for c in rates)
    assert ws._charts  # satisfaction by department


def test_phones_masked_except_on_call_lists(book):
    out, _ = book
    wb = load_workbook(out)
    texts = [str(c.value) for row in wb["周回访报表"].iter_rows() for c in row if c.value]
    assert "138****0002" in texts and "13800000002" not in texts


def test_cjk_columns_are_wide_enough(book):
    out, _ = book
    ws = load_workbook(out)["周回访报表"]
    for row in ws.iter_rows(min_row=4):
        for c in row:
            if isinstance(c.value, str) and c.font.b and c.font.color and c.font.color.rgb == "00FFFFFF":
                assert ws.column_dimensions[c.column_letter].width >= text_width(c.value), c.value


def test_empty_report_renders(tmp_path):
    r = build_report("weekly", [], as_of=AS_OF, config=Config())
    out = save_reports([r], tmp_path / "empty.xlsx")
    texts = [c.value for row in load_workbook(out).active.iter_rows() for c in row if c.value]
    assert any("没有回访记录" in str(t) for t in texts)
    assert "—" in texts  # a rate with nothing to divide by is a dash, not 0 % or #DIV/0!


def test_unwritable_target_is_a_clear_error(tmp_path, book):
    _, reports = book
    assert save_reports(reports, tmp_path / "new" / "r.xlsx").exists()  # a missing folder is made
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write to this folder"):
        save_reports(reports, tmp_path / "file" / "r.xlsx")
    (tmp_path / "adir.xlsx").mkdir()
    with pytest.raises(InputError, match="cannot write"):
        save_reports(reports, tmp_path / "adir.xlsx")
    assert not list(tmp_path.glob(".*.tmp"))  # no temp file left behind


def test_text_width_counts_cjk_double():
    assert text_width("满意率") == 6 and text_width("RO1") == 3 and text_width("（）") == 4
