"""The openpyxl renderer: strings stay strings, real tables, masking, page setup, atomic saves."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.test_report_weekly import CALLS, CASES
from tests.workbooks import checked, write
from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.render.reports import save_reports, text_width
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
    wrapped = 0
    for row in ws.iter_rows(min_row=4):
        for c in row:
            if isinstance(c.value, str) and c.font.b and c.font.color and c.font.color.rgb == "00FFFFFF":
                # a long heading wraps onto a second line (its row is tall enough) rather than widen its column
                lines = 2 if ws.row_dimensions[c.row].height >= 30 else 1
                width = ws.column_dimensions[c.column_letter].width
                assert width * lines >= text_width(c.value) + lines, c.value
                wrapped += width < text_width(c.value)
    assert wrapped  # 不满意回答(≤2分) is on two lines


def test_empty_report_renders(tmp_path):
    r = build_report("weekly", [], as_of=AS_OF, config=Config())
    out = save_reports([r], tmp_path / "empty.xlsx")
    texts = [c.value for row in load_workbook(out).active.iter_rows() for c in row if c.value]
    assert any("未提供售后回访记录" in str(t) for t in texts) and not r.fed
    assert "—" in texts  # a rate with nothing to divide by is a dash, not 0 % or #DIV/0!


def test_unwritable_target_is_a_clear_error(tmp_path, book):
    _, reports = book
    assert save_reports(reports, tmp_path / "new" / "r.xlsx").exists()  # a missing folder is made
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="无法写入该文件夹"):
        save_reports(reports, tmp_path / "file" / "r.xlsx")
    (tmp_path / "adir.xlsx").mkdir()
    with pytest.raises(InputError, match="无法写入"):
        save_reports(reports, tmp_path / "adir.xlsx")
    assert not list(tmp_path.glob(".*.tmp"))  # no temp file left behind


def test_text_width_counts_cjk_double():
    assert text_width("满意率") == 6 and text_width("RO1") == 3 and text_width("（）") == 4


def _sheet(report):
    from openpyxl import Workbook

    from xl_dealer.render.reports import write_report

    ws = Workbook().active
    write_report(report, ws)
    return ws


def _report(tables, charts=()):
    from xl_dealer.reports.data import Report

    return Report("monthly", "月度满意度", "t", AS_OF, AS_OF, dt.datetime(2026, 11, 30), tables, charts=list(charts))


def test_a_month_without_data_is_a_gap_in_the_trend_not_zero():
    from openpyxl.utils import column_index_from_string

    from xl_dealer.reports.data import Chart, Column, Table

    rows = [{"month": f"2026-0{m}", "rate": r} for m, r in ((5, None), (6, None), (7, 0.8), (8, 0.9))]
    t = Table("trend", "趋势", [Column("month", "月份"), Column("rate", "满意率", "percent")], rows)
    ws = _sheet(_report([t], [Chart("line", "trend", "month", ["rate"], "趋势", percent=True)]))
    chart, = ws._charts
    ref = chart.series[0].val.numRef.f  # e.g. 'Sheet'!$AA$5:$AA$9
    col_letter, first, last = re.search(r"\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref).groups()
    values = [ws.cell(row=r, column=column_index_from_string(col_letter)).value
              for r in range(int(first), int(last) + 1)]
    assert values == [None, None, 0.8, 0.9]  # empty cells, not "—" (which a chart draws as 0)
    assert ws.column_dimensions[col_letter].hidden and chart.display_blanks == "gap"
    assert not chart.visible_cells_only
    shown = [ws.cell(row=r, column=2).value for r in range(int(first), int(last) + 1)]
    assert shown == ["—", "—", 0.8, 0.9]  # the table itself still shows the dash


def test_charts_fit_the_print_area_and_crowded_bars_carry_no_labels():
    from openpyxl.utils import column_index_from_string

    from xl_dealer.reports.data import Chart, Column, Table

    rows = [{"source": f"来源{i}", "a": 0.5, "b": 0.5, "c": 0.25} for i in range(10)]
    t = Table("by_source", "按来源", [Column("source", "信息来源"), *(Column(k, k, "percent") for k in "abc")], rows)
    ws = _sheet(_report([t], [Chart("col", "by_source", "source", ["a", "b", "c"], "转化率", percent=True)]))
    chart, = ws._charts
    last = column_index_from_string(re.search(r":\$?([A-Z]+)\$?\d+$", str(ws.print_area)).group(1))
    printed_cm = sum((7 * (ws.column_dimensions[chr(64 + c)].width or 8.43) + 5) / 96 * 2.54 for c in range(1, last + 1))
    assert chart.width <= printed_cm
    assert chart.dataLabels is None  # 30 bars: equal neighbours' labels would print over each other


def test_a_long_listing_at_the_foot_repeats_its_header_on_every_page():
    from xl_dealer.reports.data import Column, Table

    small = Table("summary", "汇总", [Column("n", "数", "int")], [{"n": 1}])
    listing = Table("lost", "清单", [Column("plate", "车牌号")], [{"plate": f"粤B{i:05d}"} for i in range(120)])
    ws = _sheet(_report([small, listing]))
    header = next(c.row for c in ws["A"] if c.value == "车牌号")
    assert ws.print_title_rows == f"${header}:${header}"
    assert _sheet(_report([small])).print_title_rows is None


# ---------------------------------------------------------------- pages, as printed

@pytest.fixture(scope="module")
def demo_sheets(tmp_path_factory):
    """Every report of the demo's two months, drawn, with the targets set."""
    from xl_dealer.demo import demo

    folder = tmp_path_factory.mktemp("demo")
    paths = demo(folder / "demo", as_of="2026-12-03", echo=lambda s: None)
    books = [p for k, p in paths.items() if k not in ("findings", "reports")]
    cfg = Config(targets={"orders": 8, "test_drives": 20})
    ch = checked(books, dt.date(2026, 12, 3), cfg)
    reports = [build_report(n, ch, as_of=dt.date(2026, 12, 3), config=cfg) for n in REPORTS]
    from xl_dealer.render.reports import workbook_of

    wb = workbook_of(reports)  # in memory: a chart read back from a file forgets its size
    return [(r, wb[r.sheet]) for r in reports]


def _excel_cm(ws, first: int, last: int) -> float:
    from openpyxl.utils import get_column_letter

    return sum((7 * (ws.column_dimensions[get_column_letter(c)].width or 8.43) + 5) / 96 * 2.54
               for c in range(first, last + 1))


def page_tops(ws) -> list[int]:
    """The first row of every printed page, as Excel and LibreOffice paginate (fit to width,
    A4 landscape): the manual breaks, and a new page wherever the rows outgrow one. Both
    programs' column widths are tried; the rows of either's page starts are returned."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    from xl_dealer.render.reports import PAGE_H_CM, PAGE_W_CM, PT_CM, UNIT_CM

    last_col = column_index_from_string(re.search(r":\$?([A-Z]+)\$?\d+$", str(ws.print_area)).group(1))
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, last_col + 1)]
    manual = {b.id for b in ws.row_breaks.brk}
    tops: set[int] = set()
    for unit in UNIT_CM:
        page = PAGE_H_CM / min(1.0, PAGE_W_CM / (sum(widths) * unit))
        y, tops_here = 0.0, [1]
        for r in range(1, ws.max_row + 1):
            h = (ws.row_dimensions[r].height or 15) * PT_CM
            if r - 1 in manual or y + h > page:
                if r > 1 and r != tops_here[-1]:
                    tops_here.append(r)
                y = 0.0
            y += h
        tops.update(tops_here)
    return sorted(tops)


def _footnotes_have_company(ws) -> bool:
    notes_row = next(c.row for c in ws["A"] if c.value == "注：")
    top = max(t for t in page_tops(ws) if t <= notes_row)  # the first row of the footnotes' page
    charts = [int(re.search(r"\d+", c.anchor).group(0)) for c in ws._charts]
    content = [r for r in range(top, notes_row) if any(ws.cell(r, j).value is not None for j in range(1, 4))]
    return bool(content) or any(top <= r < notes_row for r in charts)


def test_footnotes_never_print_alone_on_a_page(demo_sheets):
    for report, ws in demo_sheets:
        assert _footnotes_have_company(ws), report.sheet


def test_every_chart_is_inside_the_print_area_and_clear_of_its_table(demo_sheets):
    from openpyxl.utils import column_index_from_string

    for report, ws in demo_sheets:
        last_col = column_index_from_string(re.search(r":\$?([A-Z]+)\$?\d+$", str(ws.print_area)).group(1))
        for chart in ws._charts:
            col = column_index_from_string(re.match(r"[A-Z]+", chart.anchor).group(0))
            assert _excel_cm(ws, 1, col - 1) + chart.width <= _excel_cm(ws, 1, last_col) + 0.01, report.sheet
            if col > 1:  # beside its table: no cell of the rows it covers is filled right of the anchor
                row = int(re.search(r"\d+", chart.anchor).group(0))
                for r in range(row, row + 10):
                    assert all(ws.cell(r, j).value is None for j in range(col, last_col + 1)), (report.sheet, r)
            assert chart.height >= 4.5


def test_a_change_of_a_rate_prints_in_percentage_points(demo_sheets):
    ws = dict((r.name, w) for r, w in demo_sheets)["sales"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, int | float) and "百分点" in c.number_format]
    assert cells and all(abs(c.value) <= 100 for c in cells)
    ws = dict((r.name, w) for r, w in demo_sheets)["monthly"]
    change = next(c for c in ws[next(c.row for c in ws["A"] if c.value == "部门")] if c.value == "变化")
    below = ws.cell(change.row + 1, change.column)
    assert "百分点" in below.number_format and "%" not in below.number_format


def test_notes_wrap_across_the_print_area(tmp_path):
    r = build_report("weekly", [], as_of=AS_OF, config=Config())
    r.notes.append("一条很长的说明" * 30)
    ws = load_workbook(save_reports([r], tmp_path / "n.xlsx")).active
    cell = next(c for c in ws["A"] if c.value == r.notes[-1])
    merged = next(m for m in ws.merged_cells.ranges if m.min_row == cell.row)
    assert merged.max_col > 3 and cell.alignment.wrap_text and ws.row_dimensions[cell.row].height > 30


@pytest.mark.parametrize("n", range(14, 34, 2))
def test_footnotes_stay_with_a_last_table_of_any_length(n):
    """Whatever the length of the last table, the footnotes' page also holds some of its rows."""
    from xl_dealer.reports.data import Column, Table

    t = Table("list", "清单", [Column("a", "客户"), Column("b", "数", "int")], [{"a": f"客户{i}", "b": i} for i in range(n)])
    report = _report([t])
    report.footnotes = ["这是一条说明比率怎么算的脚注，" * 8] * 5
    assert _footnotes_have_company(_sheet(report)), n
