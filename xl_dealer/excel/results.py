"""The 校验结果 sheet: one row per finding, each linking to the cell it is about."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from xl_dealer.excel.book import RESULTS_SHEET, address_chunks, live_text, replace_sheet, sheet_ref
from xl_dealer.excel.grid import SEVERITY_ZH
from xl_dealer.excel.marks import COLOURS
from xl_dealer.model.findings import Finding, count_by_severity, json_value

HEADER = ["序号", "工作表", "单元格", "行", "列", "规则", "级别", "说明", "值"]
FIRST_ROW = 4  # title, summary, blank, then the header
LINK_COL = 3  # 单元格
MESSAGE_COL, VALUE_COL = 8, 9  # 说明, 值


def summary_text(counts: dict[str, int]) -> str:
    return f"错误 {counts.get('error', 0)}，警告 {counts.get('warning', 0)}，提示 {counts.get('info', 0)}"


def _row(i: int, f: Finding) -> list[Any]:
    value = json_value(f.value)
    return [i, live_text(f.sheet or ""), live_text(f.cell or f.subject or "整表"), f.row or "",
            live_text(f.column or f.field or ""), f.rule, SEVERITY_ZH.get(f.severity, f.severity),
            live_text(f.message), "" if value is None else live_text(value) if isinstance(value, str) else value]


def write_results(book: Any, findings: list[Finding], as_of: dt.date) -> Any:
    """Write (or replace) 校验结果; values go in one block, then a link per finding."""
    sheet = replace_sheet(book, RESULTS_SHEET)
    counts = count_by_severity(findings)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    sheet.range("A1").value = [
        [f"校验结果（检查日 {as_of.isoformat()}，生成于 {now}）"],
        [summary_text(counts) + "。点击「单元格」列可跳到该单元格；改正后再按「校验」，标记会更新。"],
    ]
    sheet.range("A1").font.bold = True
    rows = [_row(i, f) for i, f in enumerate(findings, start=1)]
    if not rows:
        rows = [["", "", "", "", "", "", "", "没有发现问题", ""]]
    sheet.range((FIRST_ROW, 1)).value = [HEADER, *rows]
    body = sheet.range((FIRST_ROW, 1), (FIRST_ROW + len(rows), len(HEADER)))
    sheet.tables.add(source=body, name="xl_dealer_findings", table_style_name="TableStyleLight9")
    by_sev: dict[str, list[str]] = defaultdict(list)
    for i, f in enumerate(findings):
        r = FIRST_ROW + 1 + i
        if f.sheet:
            shown = f.cell or "整表"
            sheet.range((r, LINK_COL)).add_hyperlink(
                sheet_ref(f.sheet, f.cell or "A1"), text_to_display=shown,
                screen_tip=f"跳到 {f.sheet}!{shown}")
        by_sev[f.severity].append(f"G{r}")
    for sev, cells in by_sev.items():
        for addr in address_chunks(cells):
            sheet.range(addr).color = COLOURS.get(sev, COLOURS["info"])
    body.columns.autofit()
    # 说明 (and a long 值) wrap within a readable width, and each row grows to its text:
    # without this a long message was cut off at the 值 column, or ran past the page
    sheet.range((FIRST_ROW, MESSAGE_COL)).column_width = 60
    value_col = sheet.range((FIRST_ROW, VALUE_COL))
    if (value_col.column_width or 0) > 30:
        value_col.column_width = 30
    last = FIRST_ROW + len(rows)
    sheet.range((FIRST_ROW + 1, MESSAGE_COL), (last, VALUE_COL)).wrap_text = True
    body.rows.autofit()
    return sheet
