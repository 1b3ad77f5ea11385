"""Reports as data: from checked tables to a ``data.Report`` (tables, title, period, footnotes,
charts). Nothing here reads a file or draws a sheet: ``render`` draws, the ``report``
operation reads and writes. Must not import ``render``, the operations, ``excel`` or xlwings.

``build_report`` is pure (normalised tables in, a Report out): the ``report`` operation,
the Excel macros and the tests all call it.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xl_dealer.model.config import Config
    from xl_dealer.reports.data import Report
    from xl_dealer.rules.base import Checked

# name → sheet name; the order of the sheets in ``report all``
REPORTS: dict[str, str] = {
    "morning": "晨会日报",
    "followups": "今日跟进",
    "funnel": "销售漏斗",
    "sales": "销售总结",
    "lost": "战败分析",
    "invites": "邀约到店",
    "calls": "今日回访清单",
    "daily": "回访日报",
    "weekly": "周回访报表",
    "monthly": "月度满意度",
    "churn": "客户流失",
    "reminders": "保养提醒",
    "prospects": "价格战败客户",
}

# name → "module:function" of its builder (imported on use, so the CLI starts fast)
_BUILDERS: dict[str, str] = {
    "morning": "morning:build",
    "followups": "followups:build",
    "funnel": "funnel:build",
    "sales": "sales:build",
    "lost": "lost:build",
    "invites": "invites:build",
    "calls": "calls:build",
    "daily": "daily:build",
    "weekly": "satisfaction:build_weekly",
    "monthly": "satisfaction:build_monthly",
    "churn": "churn:build",
    "reminders": "reminders:build",
    "prospects": "prospects:build",
}


def builder(name: str) -> Callable[..., Report]:
    from xl_dealer.model.errors import InputError
    from xl_dealer.model.language import said

    if name not in _BUILDERS:
        raise InputError(name, said(f"没有这个报表，可选：{choices_text()}",
                                    f"unknown report; choose one of: {', '.join(REPORTS)}, all"))
    module, func = _BUILDERS[name].split(":")
    return getattr(importlib.import_module(f"xl_dealer.reports.{module}"), func)


# reports that take ``--period`` (day, week, month, quarter, half, year), with their default;
# churn without one is measured at the as-of date itself
PERIODIC: dict[str, str | None] = {
    "funnel": "month", "sales": "month", "lost": "month", "invites": "month",
    "weekly": "week", "monthly": "month", "churn": None,
}

# the sheet a satisfaction report gets for a period other than its own
PERIOD_SHEETS: dict[str, dict[str, str]] = {
    "weekly": {"day": "日回访报表", "week": "周回访报表", "month": "月回访报表", "quarter": "季度回访报表",
               "half": "半年回访报表", "year": "年度回访报表"},
    "monthly": {"day": "日满意度", "week": "周满意度", "month": "月度满意度", "quarter": "季度满意度",
                "half": "半年满意度", "year": "年度满意度"},
}


def sheet_names() -> set[str]:
    """Every sheet name a report may be written to (the Excel side never reads them back as data)."""
    return set(REPORTS.values()) | {n for names in PERIOD_SHEETS.values() for n in names.values()}


def build_report(name: str, checked: list[Checked], *, as_of: dt.date, config: Config,
                 period: str | None = None) -> Report:
    """One report from normalised tables. ``period`` applies to the reports in ``PERIODIC``
    (the others have one period only: yesterday, today, the next 7 days) and is ignored by them."""
    from xl_dealer.reports.common import gc_paused

    fn = builder(name)
    with gc_paused():
        if name in PERIODIC:
            report = fn(checked, as_of=as_of, config=config, period=period or PERIODIC[name])
        else:
            report = fn(checked, as_of=as_of, config=config)
        return _masked(report)


def _masked(report: Report) -> Report:
    """Every text of every table masked as a manager report must be: ID numbers always, phones
    unless the report is a call list, also where a clerk typed them into free text (客户意见,
    处理结果, a name). One pass here, so no report can forget a column: the sheet, the JSON and
    the live book all show this."""
    from xl_dealer.read.values import mask_text

    phones = not report.call_list
    for table in report.tables:
        for row in [*table.rows, *([table.total_row] if table.total_row else [])]:
            for k, v in row.items():
                if isinstance(v, str):
                    row[k] = mask_text(v, phones)
    return report


ALL_NAMES = ("all", "全部")


def report_key(name: str) -> str:
    """A report named as people name it: its key (weekly), its sheet (周回访报表, 季度满意度), or
    ``all`` / 全部; unknown names are returned as given (``builder`` says what is known)."""
    n = name.strip()
    if n in ALL_NAMES:
        return "all"
    if n in REPORTS:
        return n
    for key, sheet in REPORTS.items():
        if n == sheet:
            return key
    for key, sheets in PERIOD_SHEETS.items():
        if n in sheets.values():
            return key
    return n


def choices_text() -> str:
    """The reports a person may ask for, as the help and the error say them."""
    return "、".join(f"{sheet}（{key}）" for key, sheet in REPORTS.items()) + "、全部（all）"


def names(name: str) -> list[str]:
    """``all`` → every report; a single name → itself (checked); Chinese names as ``report_key``."""
    name = report_key(name)
    if name == "all":
        return list(REPORTS)
    builder(name)
    return [name]
