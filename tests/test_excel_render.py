"""A report model rendered onto a live sheet, and the report macro around it."""

from __future__ import annotations

import datetime as dt

import pytest

import xl_dealer.reports
from tests.fake_xlwings import Book
from tests.test_excel_macros import _book
from xl_dealer.excel import build_report
from xl_dealer.excel.reports import render_report
from xl_dealer.model.config import Config
from xl_dealer.reports.data import Chart, Column, Report, Table

AS_OF = dt.date(2026, 11, 27)


def _report() -> Report:
    by_dept = Table("by_department", "各部门满意率", [
        Column("department", "部门"),
        Column("answered", "有效回答", "int", total="sum"),
        Column("satisfied", "满意", "int", total="sum"),
        Column("rate", "满意率", "percent", total="rate"),
    ], [
        {"department": "服务接待", "answered": 40, "satisfied": 36, "rate": 0.9},
        {"department": "钣喷", "answered": 0, "satisfied": 0, "rate": None},
    ], totals=True)
    calls = Table("problems", "问题客户", [
        Column("customer", "客户"), Column("phone", "电话", "phone"),
        Column("called", "回访日期", "date"), Column("time", "回访时刻", "time", width=9),
    ], [{"customer": "王先生", "phone": "138****5678", "called": dt.date(2026, 11, 20), "time": dt.time(10, 30)}])
    empty = Table("complaints", "投诉处理", [Column("case", "编号"), Column("state", "状态")], [])
    return Report("weekly", "周回访报表", "周回访报表 2026-11-16 至 2026-11-22", dt.date(2026, 11, 16),
                  dt.date(2026, 11, 22), dt.datetime(2026, 11, 23, 8, 0), [by_dept, calls, empty],
                  footnotes=["满意率 = 满意及以上的回答数 ÷ 有效回答数（空白不计）"],
                  charts=[Chart("bar", "by_department", "department", ["rate"], "各部门满意率", percent=True)])


def test_render_writes_title_tables_formats_totals_and_chart() -> None:
    book = Book()
    sheet = book._sheet("周回访报表")
    placed = render_report(sheet, _report())
    assert sheet._value("A1") == "周回访报表 2026-11-16 至 2026-11-22"
    assert "2026-11-16 至 2026-11-22" in sheet._value("A2") and "2026-11-23 08:00" in sheet._value("A2")
    dept = placed[0]
    assert sheet._value("A4") == "各部门满意率"
    rows = sheet.range((dept.header_row, 1), (dept.last + 1, 4)).options(ndim=2).value
    # the chart draws 满意率: a missing rate stays blank (a gap), not "—", which Excel would plot as 0
    assert rows == [["部门", "有效回答", "满意", "满意率"], ["服务接待", 40.0, 36.0, 0.9],
                    ["钣喷", 0.0, 0.0, None], ["合计", 40.0, 36.0, None]]
    assert sheet.range((dept.first, 4)).number_format == "0.0%"
    assert sheet.range((dept.first, 2)).number_format == "0"
    assert sheet.range((dept.last + 1, 1)).font.bold is True
    assert [t.name for t in sheet._tables] == ["xl_dealer_weekly_by_department", "xl_dealer_weekly_problems",
                                               "xl_dealer_weekly_complaints"]
    assert sheet._tables[0].range.address == f"$A${dept.header_row}:$D${dept.last}"  # totals outside the table
    calls = placed[1]
    assert sheet.range((calls.first, 2)).number_format == "@"
    assert sheet.range((calls.first, 3)).number_format == "yyyy-mm-dd"
    assert sheet._value(f"C{calls.first}") == dt.datetime(2026, 11, 20)
    assert sheet._value(f"D{calls.first}") == pytest.approx(10.5 / 24)  # a time is a fraction of a day
    assert sheet.range((calls.first, 4)).column_width == 9
    assert sheet._value(f"A{placed[2].first}") == "本期无数据"
    assert any(v == "满意率 = 满意及以上的回答数 ÷ 有效回答数（空白不计）" for v in sheet._values.values())
    (chart,) = sheet._charts
    assert chart.chart_type == "bar_clustered" and chart.title == "各部门满意率"
    assert chart._source.address == f"$A${dept.header_row}:$A${dept.last},$D${dept.header_row}:$D${dept.last}"
    assert sheet._frozen == f"1:{dept.header_row}"
    assert sheet._autofit


def test_builder_totals_win_over_computed_sums() -> None:
    class WithTotals(Table):  # the model gains ``total_row`` with the report builders (issue 4)
        pass

    report = _report()
    t = report.tables[0]
    report.tables[0] = WithTotals(t.key, t.title, t.columns, t.rows, t.totals)
    report.tables[0].total_row = {"department": "合计", "answered": 40, "satisfied": 36, "rate": 0.9}
    book = Book()
    sheet = book._sheet("周回访报表")
    dept = render_report(sheet, report)[0]
    assert sheet.range((dept.last + 1, 1), (dept.last + 1, 4)).options(ndim=2).value == [["合计", 40.0, 36.0, 0.9]]


def test_report_macro_reads_the_book_and_adds_or_replaces_the_sheet(monkeypatch) -> None:
    seen = {}

    def fake_build(name, checked, *, as_of, config, period=None):
        seen.update(name=name, kinds=[c.kind for c in checked], as_of=as_of, rows=sum(len(c.table.rows) for c in checked),
                    period=period)
        return _report()

    monkeypatch.setattr(xl_dealer.reports, "build_report", fake_build, raising=False)
    book = _book()
    build_report(book, "weekly", as_of=AS_OF, config=Config())
    assert seen == {"name": "weekly", "kinds": ["registration"], "as_of": AS_OF, "rows": 3, "period": None}
    names = [s.name for s in book.sheets]
    assert names == ["说明", "11月", "周回访报表"]
    assert book.sheets.active.name == "周回访报表"
    book.sheets["说明"].activate()
    build_report(book, "weekly", as_of=AS_OF, config=Config())  # replaced in place, no clash of table names
    assert [s.name for s in book.sheets] == names
    assert book.app.screen_updating is True and "周回访报表" in book.app.status_bar


def test_a_missing_rate_not_drawn_by_a_chart_shows_a_dash() -> None:
    report = _report()
    report.charts = []
    book = Book()
    placed = render_report(book._sheet("周回访报表"), report)
    sheet = book.sheets["周回访报表"]
    assert sheet.range((placed[0].first + 1, 4)).value == "—"


def test_report_macro_passes_the_period_and_refuses_a_bad_one(monkeypatch) -> None:
    from xl_dealer.model.errors import InputError

    seen = {}

    def fake_build(name, checked, *, as_of, config, period=None):
        seen.update(name=name, period=period)
        return _report()

    monkeypatch.setattr(xl_dealer.reports, "build_report", fake_build, raising=False)
    build_report(_book(), "sales", as_of=AS_OF, config=Config(), period="quarter")
    assert seen == {"name": "sales", "period": "quarter"}
    with pytest.raises(InputError):
        build_report(_book(), "sales", as_of=AS_OF, config=Config(), period="decade")
    with pytest.raises(InputError):
        build_report(_book(), "morning", as_of=AS_OF, config=Config(), period="week")


def test_report_sheet_shows_the_notes_in_red_under_the_title() -> None:
    report = _report()
    report.notes = ["未提供售后回访记录：输入中没有这类工作表。", "上期没有回访记录。"]
    book = Book()
    placed = render_report(book._sheet("周回访报表"), report)
    sheet = book.sheets["周回访报表"]
    assert sheet.range("A3").value == report.notes[0] and sheet.range("A4").value == report.notes[1]
    assert sheet.range("A3").font.color == (192, 0, 0)
    assert placed[0].header_row > 5  # the tables start below the notes


def test_changes_in_points_and_a_rate_row_in_a_table_of_counts() -> None:
    from xl_dealer.reports.data import FORMATS_KEY

    t = Table("summary", "合计", [Column("measure", "指标"), Column("current", "本期", "int"),
                                 Column("change", "变化", "delta")], [
        {"measure": "订单", "current": 12, "change": -3},
        {"measure": "成交率", "current": 0.25, "change": 4.5, FORMATS_KEY: {"current": "percent", "change": "pp"}},
        {"measure": "战败", "current": 3, "change": None},
    ])
    report = Report("sales", "销售总结", "销售总结", AS_OF, AS_OF, dt.datetime(2026, 11, 27), [t])
    book = Book()
    (placed,) = render_report(book._sheet("销售总结"), report)
    sheet = book.sheets["销售总结"]
    first = placed.first
    assert sheet.range((first, 2)).number_format == "0" and sheet.range((first, 3)).number_format == "+0;-0;0"
    assert sheet.range((first + 1, 2)).number_format == "0.0%"
    assert "百分点" in sheet.range((first + 1, 3)).number_format and sheet._value(f"C{first + 1}") == 4.5
    assert sheet._value(f"C{first + 2}") == "—"  # no change to show: a dash, not 0
