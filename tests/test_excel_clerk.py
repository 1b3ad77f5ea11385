"""The information clerk's buttons inside Excel (今日回访清单, 回访日报, 价格战败客户), on an open book
holding the clerk's sheets, against the same reports headless; and the validate button on the
定期保养一览表."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.fake_xlwings import book_from_xlsx
from xl_dealer.excel import validate as validate_book
from xl_dealer.excel.book import find_sheet
from xl_dealer.model.config import Config
from xl_dealer.samples import generate, write_workbook
from xl_dealer.samples.followup import generate_followup
from xl_dealer.samples.maintenance import generate_maintenance_list
from xl_dealer.samples.service import generate_after_service, generate_service_history
from xl_dealer.validate import validate

DAY = dt.date(2026, 11, 27)


def _clerks_book(tmp_path: Path) -> Path:
    reg, _ = generate(days=30, per_day=6, end=DAY, seed=7)
    cards, _ = generate_followup(reg, DAY)
    callbacks, cases = generate_after_service(DAY)
    history = generate_service_history(DAY)
    maintenance = generate_maintenance_list(DAY, callbacks, history)
    path = tmp_path / "clerk.xlsx"
    write_workbook(path, [reg, cards, callbacks, history, cases, maintenance])
    return path


def test_the_clerks_buttons_build_the_same_reports_as_headless(tmp_path: Path, monkeypatch) -> None:
    import xl_dealer.excel.scripts as scripts
    from xl_dealer.report import report as headless

    path = _clerks_book(tmp_path)
    book = book_from_xlsx(path)
    monkeypatch.setattr(scripts, "_book", lambda: book)
    monkeypatch.setenv("XL_DEALER_AS_OF", DAY.isoformat())
    for button, name, sheet in ((scripts.report_calls, "calls", "今日回访清单"), (scripts.report_daily, "daily", "回访日报"),
                                (scripts.report_prospects, "prospects", "价格战败客户")):
        button()
        live = find_sheet(book, sheet)
        assert live is not None and book.sheets.active is live
        assert "已生成" in book.app.status_bar and sheet in book.app.status_bar
        (file_report,) = headless(name, [path], as_of=DAY, config=Config(), json_path=tmp_path / f"{name}.json")
        assert file_report.table(file_report.tables[0].key).rows, name  # the samples give each something to list
        from xl_dealer.excel import build_report

        again = build_report(book, name, as_of=DAY, config=Config())  # pressed again: replaced, the same tables
        assert again.to_json()["tables"] == file_report.to_json()["tables"]
        assert [s.name for s in book.sheets].count(sheet) == 1
    # a call list shows phones in the open book too; the daily report masks them
    calls = find_sheet(book, "今日回访清单")
    assert any(isinstance(v, str) and v.isdigit() and len(v) == 11 for v in _values(calls))
    daily = find_sheet(book, "回访日报")
    assert not any(isinstance(v, str) and v.isdigit() and len(v) == 11 for v in _values(daily))


def _values(sheet) -> list:
    return list(sheet._values.values())


def test_the_validate_button_knows_the_maintenance_list(tmp_path: Path) -> None:
    path = _clerks_book(tmp_path)
    config = Config()
    headless = validate([path], as_of=DAY, config=config)
    live = validate_book(book_from_xlsx(str(path), fullname=str(path)), as_of=DAY, config=config)
    assert {"reminder.not_called", "reminder.no_result"} <= {f.rule for f in headless.findings}
    key = lambda f: (f.sheet, f.cell, f.rule, f.message)  # noqa: E731
    assert [key(f) for f in live] == [key(f) for f in headless.findings]
