"""What the buttons do, as functions of an open book (an ``xlwings.Book``).

They read the open book (unsaved edits included), run exactly the rules the headless
``xl-dealer validate`` runs, and write marks, 校验结果 and report sheets back. No
xlwings import here: the book is passed in, so tests drive these with a fake book.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xl_dealer.excel import marks
from xl_dealer.excel.book import RESULTS_SHEET, find_sheet, quiet, read_tables, replace_sheet
from xl_dealer.excel.results import summary_text, write_results
from xl_dealer.model.config import Config, load_config
from xl_dealer.model.findings import Finding, count_by_severity
from xl_dealer.rules import check_tables

STATUS_PREFIX = "xl_dealer："


def _setup(as_of: dt.date | str | None, config: Config | None) -> tuple[Config, dt.date]:
    from xl_dealer.validate import as_of_day

    config = config or load_config()
    return config, as_of_day(as_of, config)


def validate(book: Any, *, as_of: dt.date | str | None = None, config: Config | None = None) -> list[Finding]:
    """Check every sheet of the open book; colour and note bad cells, write 校验结果.

    Earlier marks are cleared first, so a fixed cell loses its colour.
    """
    config, day = _setup(as_of, config)
    with quiet(book) as app:
        app.status_bar = f"{STATUS_PREFIX}正在校验…"
        marks.clear_marks(book)
        tables = read_tables(book, config)
        _, findings = check_tables(tables, config, day)
        findings.sort(key=Finding.sort_key)
        marks.mark(book, findings)
        results = write_results(book, findings, day, tables)
        results.activate()
        rows = sum(len(t.rows) for t in tables)
        app.status_bar = (f"{STATUS_PREFIX}校验完成，{len(tables)}张表{rows}行：" +
                          summary_text(count_by_severity(findings)))
    return findings


def clear_marks(book: Any) -> int:
    """Remove our colours, our notes and the 校验结果 sheet; the clerk's own are kept."""
    with quiet(book) as app:
        n = marks.clear_marks(book)
        results = find_sheet(book, RESULTS_SHEET)
        if results is not None:
            results.delete()
        app.status_bar = f"{STATUS_PREFIX}已清除{n}个单元格的校验标记"
    return n


def build_report(book: Any, name: str, *, as_of: dt.date | str | None = None,
                 config: Config | None = None, period: str | None = None) -> Any:
    """Build report ``name`` (morning, followups, …) from the open book into its own sheet.

    ``period`` (day … year) for the reports that have one; a book that holds nothing the
    report needs still gets the sheet, whose red lines under the title say what is missing,
    and the status bar says so too (a button has no exit code).
    """
    from xl_dealer.excel.reports import render_report
    from xl_dealer.report import check_period
    from xl_dealer.reports import build_report as build  # the builders of issue 4

    config, day = _setup(as_of, config)
    check_period(name, period)
    with quiet(book) as app:
        app.status_bar = f"{STATUS_PREFIX}正在生成报表…"
        checked, _ = check_tables(read_tables(book, config), config, day)
        report = build(name, checked, as_of=day, config=config, period=period)
        sheet = replace_sheet(book, report.sheet)
        render_report(sheet, report)
        sheet.activate()
        done = f"{STATUS_PREFIX}已生成「{report.sheet}」"
        app.status_bar = done + (f"，但{report.notes[0]}" if not report.fed and report.notes else "")
    return report
