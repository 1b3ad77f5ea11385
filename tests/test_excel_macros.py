"""The macros against an in-memory book: marks, notes, 校验结果, clearing, status bar."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fake_xlwings import Book
from xl_dealer.excel import clear_marks, validate
from xl_dealer.excel.book import MARKS_SHEET, RESULTS_SHEET, find_sheet
from xl_dealer.excel.marks import COLOURS, NOTE_PREFIX
from xl_dealer.model.config import Config

AS_OF = dt.date(2026, 11, 27)
HEADER = ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别", "销售顾问", "是否建卡"]
D = dt.datetime


def _book() -> Book:
    book = Book()
    book._sheet("说明", [["本表说明：每位来店客户一行。"]])
    book._sheet("11月", [
        ["XX汽车4S店来店(来电)客户登记表 2026年11月"],
        [],
        HEADER,
        [D(2026, 11, 3), D(1899, 12, 30, 9, 30), "来店", "王先生", 13812345678, "A6", "网络", "H", "张三", "是"],
        [D(2026, 11, 3), D(1899, 12, 30, 10, 0), "来店", "李女士", "12345", "A6", "网络", "A", "张三", "是"],  # E5 bad
        [D(2026, 11, 4), D(1899, 12, 30, 11, 0), "来电", None, 13912345678, "A4", "朋友介绍", "B", "李四", "否"],
    ])
    return book


@pytest.fixture()
def book() -> Book:
    return _book()


def _run(book: Book):
    return validate(book, as_of=AS_OF, config=Config())


def test_validate_marks_bad_cells_by_severity_with_our_notes(book: Book) -> None:
    findings = _run(book)
    got = {(f.cell, f.rule) for f in findings}
    assert got == {("E5", "format.phone"), ("D6", "required"), ("J6", "card.required")}
    sheet = book.sheets["11月"]
    for cell in ("E5", "D6", "J6"):
        assert sheet.range(cell).color == COLOURS["error"]
        assert sheet.range(cell).note.text.startswith(NOTE_PREFIX)
    assert "12345" in sheet.range("E5").note.text
    assert sheet.range("E4").color is None and sheet.range("E4").note is None
    assert not find_sheet(book, MARKS_SHEET).visible
    assert book.app.screen_updating is True  # given back
    assert "错误 3，警告 0，提示 0" in book.app.status_bar


def test_results_sheet_links_each_row_to_its_cell(book: Book) -> None:
    _run(book)
    res = book.sheets[RESULTS_SHEET]
    assert book.sheets.active is res
    top = [r[0] for r in res.range("A1:A5").options(ndim=2).value]
    assert top[0] == "校验结果：registration.xlsm"
    assert top[1].startswith("检查日 2026-11-27") and top[2] == "共 3 条问题：错误 3 条，警告 0 条，提示 0 条"
    assert top[3] == ("已检查：11月（来店(来电)客户登记表，3 行）。未检查：说明（不是已知的表）。这次没有做的跨表核对"
                      "（所需的表不在这次检查中）：没有跟进卡（card.missing，要和客户跟进卡一起检查）。")
    assert "再按「校验」" in top[4]
    assert res._merged == [(r, 1, r, 8) for r in range(1, 6)]
    rows = res.range("A6:H9").options(ndim=2).value
    assert rows[0] == ["工作表", "单元格", "列", "级别", "问题", "说明", "值", "规则编号"]
    assert [r[1] for r in rows[1:]] == ["E5", "D6", "J6"]
    assert [r[3] for r in rows[1:]] == ["错误"] * 3
    assert [r[4] for r in rows[1:]] == ["电话号码不对", "必填项为空", "留电话未建卡"]
    assert [r[7] for r in rows[1:]] == ["format.phone", "required", "card.required"]
    assert rows[1][6] == "12345" and res.range("G7").number_format == "@"  # the value as text
    assert res.range("D7:D9").color == COLOURS["error"]
    links = {addr for addr, _, _ in res._links.values()}
    assert links == {"#'11月'!E5", "#'11月'!D6", "#'11月'!J6"}
    assert [t.name for t in res._tables] == ["xl_dealer_findings"]
    # every text wraps in a readable width, centred vertically and off the left border, and each
    # row is as tall as its text plus padding
    whole = res.range("A1:H9")
    assert whole.wrap_text is True and whole.vertical_alignment == "center" and whole.horizontal_alignment == "left"
    assert {a.get("indent") for a in res._align.values()} == {1}
    assert res.range("F6").column_width >= 30
    assert all(res._heights[r] >= 21 for r in range(6, 10))


def test_a_clerks_note_is_never_touched_and_the_finding_goes_to_results_only(book: Book) -> None:
    sheet = book.sheets["11月"]
    sheet.range("E5").add_note("客户说这是座机分机")
    findings = _run(book)
    assert sheet.range("E5").note.text == "客户说这是座机分机"
    assert sheet.range("E5").color == COLOURS["error"]
    assert "E5" in [f.cell for f in findings]
    clear_marks(book)
    assert sheet.range("E5").note.text == "客户说这是座机分机"


def test_validating_again_after_a_fix_drops_the_old_marks(book: Book) -> None:
    _run(book)
    sheet = book.sheets["11月"]
    sheet.range("E5").value = "13612345678"
    findings = _run(book)  # no "already has a note", no duplicate table name
    assert "E5" not in [f.cell for f in findings]
    assert sheet.range("E5").color is None and sheet.range("E5").note is None
    assert sheet.range("D6").note.text.startswith(NOTE_PREFIX)
    assert len([s for s in book.sheets if s.name == RESULTS_SHEET]) == 1


def test_clear_marks_restores_exactly_what_we_changed(book: Book) -> None:
    sheet = book.sheets["11月"]
    sheet.range("D6").color = (198, 239, 206)  # the clerk's own green on a cell we will mark
    sheet.range("A1").add_note("月度登记表")  # a clerk's note elsewhere
    _run(book)
    assert sheet.range("D6").color == COLOURS["error"]
    sheet.range("J6").color = "#00ff00"  # recoloured by the clerk after our run: theirs now
    n = clear_marks(book)
    assert n == 2
    assert sheet.range("D6").color == (198, 239, 206)
    assert sheet.range("J6").color == (0, 255, 0)
    assert sheet.range("E5").color is None
    assert [note.text for note in sheet.notes] == ["月度登记表"]
    assert find_sheet(book, RESULTS_SHEET) is None and find_sheet(book, MARKS_SHEET) is None
    assert "已清除2个单元格" in book.app.status_bar
    assert clear_marks(book) == 0  # nothing left, nothing touched


def test_our_notes_are_swept_even_if_the_marks_sheet_was_deleted(book: Book) -> None:
    _run(book)
    book.sheets[MARKS_SHEET].delete()
    clear_marks(book)
    assert len(book.sheets["11月"].notes) == 0


def test_a_clean_book_gets_a_results_sheet_saying_so() -> None:
    book = _book()
    sheet = book.sheets["11月"]
    sheet.range("E5").value = "13612345678"
    sheet.range("D6").value = "赵先生"
    sheet.range("J6").value = "是"
    assert _run(book) == []
    res = book.sheets[RESULTS_SHEET]
    assert res.range("A3").value == "没有发现问题。"
    assert "没有发现问题" in res.range("A7:H7").options(ndim=2).value[0]
    assert find_sheet(book, MARKS_SHEET) is None


def test_status_bar_and_screen_updating_survive_an_error(monkeypatch, book: Book) -> None:
    import xl_dealer.excel.macros as macros

    def boom(*a, **k):
        raise RuntimeError("COM went away")

    monkeypatch.setattr(macros, "check_tables", boom)
    with pytest.raises(RuntimeError):
        _run(book)
    assert book.app.screen_updating is True


def test_scripts_run_on_the_calling_book(monkeypatch, book: Book) -> None:
    import xl_dealer.excel.scripts as scripts

    monkeypatch.setattr(scripts, "_book", lambda: book)
    monkeypatch.setenv("XL_DEALER_AS_OF", AS_OF.isoformat())
    scripts.validate_active()
    assert find_sheet(book, RESULTS_SHEET) is not None
    scripts.clear_marks_active()
    assert find_sheet(book, RESULTS_SHEET) is None
