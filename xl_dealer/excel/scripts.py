"""Zero-argument entry points for buttons and Alt+F8, on the book that called them.

``@xw.script`` makes "Import Functions" generate a VBA ``Sub`` of the same name (they
are re-exported from the ``udfs`` package for that). Without the import they still
work through ``RunPython "import xl_dealer.excel.scripts as s; s.validate_active()"``.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from xl_dealer.excel import macros


def _book() -> Any:
    return xw.Book.caller()


@xw.script
def validate_active() -> None:
    """校验：检查整个工作簿，标出有问题的单元格，生成「校验结果」表。"""
    macros.validate(_book())


@xw.script
def clear_marks_active() -> None:
    """清除校验标记：去掉颜色、批注和「校验结果」表（员工自己的批注和颜色保留）。"""
    macros.clear_marks(_book())


@xw.script
def report_morning() -> None:
    """晨会日报"""
    macros.build_report(_book(), "morning")


@xw.script
def report_followups() -> None:
    """今日跟进清单"""
    macros.build_report(_book(), "followups")


@xw.script
def report_funnel() -> None:
    """销售漏斗"""
    macros.build_report(_book(), "funnel")


@xw.script
def report_sales() -> None:
    """销售总结（上月，各顾问与上期、目标对比）"""
    macros.build_report(_book(), "sales")


@xw.script
def report_lost() -> None:
    """战败分析（上月）"""
    macros.build_report(_book(), "lost")


@xw.script
def report_invites() -> None:
    """邀约到店（上月）"""
    macros.build_report(_book(), "invites")


def report(name: str, period: str | None = None) -> None:
    """Any report for any period, for a button made with RunPython:
    ``RunPython "import xl_dealer.excel.scripts as s; s.report('sales', 'quarter')"``."""
    macros.build_report(_book(), name, period=period)


@xw.script
def report_calls() -> None:
    """今日回访清单（信息员每天早上要打的电话）"""
    macros.build_report(_book(), "calls")


@xw.script
def report_daily() -> None:
    """回访日报（昨天的回访、问题客户、各部门满意率）"""
    macros.build_report(_book(), "daily")


@xw.script
def report_prospects() -> None:
    """价格战败客户（因价格未在本店购车的附近客户）"""
    macros.build_report(_book(), "prospects")


@xw.script
def report_weekly() -> None:
    """周回访报表"""
    macros.build_report(_book(), "weekly")


@xw.script
def report_monthly() -> None:
    """月度满意度"""
    macros.build_report(_book(), "monthly")


@xw.script
def report_churn() -> None:
    """客户流失"""
    macros.build_report(_book(), "churn")


@xw.script
def report_reminders() -> None:
    """保养提醒"""
    macros.build_report(_book(), "reminders")


SCRIPTS = ("validate_active", "clear_marks_active", "report_morning", "report_followups", "report_funnel",
           "report_sales", "report_lost", "report_invites", "report_calls", "report_daily",
           "report_weekly", "report_monthly", "report_churn", "report_reminders", "report_prospects")
