"""The 校验结果 sheet of a live book: the same block and rows as a marked copy's (``render.results``),
each row linking to the cell it is about."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from xl_dealer.excel.book import (
    RESULTS_SHEET,
    address_chunks,
    live_text,
    own_sheets,
    replace_sheet,
    sheet_ref,
)
from xl_dealer.excel.marks import COLOURS
from xl_dealer.model.findings import Finding
from xl_dealer.read.table import Table
from xl_dealer.render.results import (
    COLUMNS,
    NO_FINDINGS,
    NO_FINDINGS_COLUMN,
    SheetChecked,
    Summary,
    block_height,
    column_widths,
    headers,
    not_run_text,
    result_rows,
    row_height,
    summary_lines,
)
from xl_dealer.rules.cross import not_run_among
from xl_dealer.xlsx.sheet import col_letters

AGAIN = "怎么改：点「单元格」列跳到该单元格，按批注改正；改好后再按「校验」，标记会按新内容更新。"
LINK_COL = [k for k, *_ in COLUMNS].index("cell") + 1
SHEET_COL = [k for k, *_ in COLUMNS].index("sheet") + 1
SEVERITY_COL = [k for k, *_ in COLUMNS].index("severity") + 1


def summary_text(counts: dict[str, int]) -> str:
    return f"错误 {counts.get('error', 0)}，警告 {counts.get('warning', 0)}，提示 {counts.get('info', 0)}"


def summary_of(book: Any, tables: list[Table], as_of: dt.date) -> Summary:
    """The summary block's facts for an open book: the sheets checked, and the others by name."""
    own = {n.lower() for n in own_sheets()}
    checked = {t.sheet for t in tables}
    sheets = [SheetChecked(t.sheet, t.kind.title, len(t.rows)) for t in tables]
    sheets += [SheetChecked(s.name, None) for s in book.sheets if s.name not in checked and s.name.lower() not in own]
    # the button checks this book alone: what it could not check against the other workbooks
    untold = not_run_text(not_run_among((t.kind.key, t.has) for t in tables), "zh", advice=False)
    return Summary(book.name, as_of, sheets, AGAIN, untold)


def write_results(book: Any, findings: list[Finding], as_of: dt.date, tables: list[Table] | None = None) -> Any:
    """Write (or replace) 校验结果: the summary block, then the findings in one block of values,
    a link per finding, colours per severity; every text wrapped, centred vertically and indented."""
    summary = summary_of(book, tables or [], as_of)
    title, lines = summary_lines(summary, findings, "zh")
    head = len(lines) + 2
    sheet = replace_sheet(book, RESULTS_SHEET)
    items = result_rows(findings, "zh")
    widths = column_widths(items, "zh")
    ncol = len(COLUMNS)
    last = col_letters(ncol - 1)
    rows = [[live_text(v) for v in item.values] for item in items]
    if not rows:
        rows = [["" if i != NO_FINDINGS_COLUMN else NO_FINDINGS["zh"] for i in range(ncol)]]
    body = sheet.range((head, 1), (head + len(rows), ncol))
    body.number_format = "@"  # text stays text: a phone, a sheet named 2026, a date typed as text
    sheet.range("A1").value = [[live_text(title)], *[[live_text(line)] for line in lines]]
    sheet.range((head, 1)).value = [headers("zh"), *rows]
    for i, width in enumerate(widths, start=1):
        sheet.range((head, i)).column_width = width
    sheet.range("A1").font.size = 14
    sheet.range("A1").font.bold = True
    sheet.range("A3").font.bold = True
    total = sum(widths)
    for r, text in enumerate([title, *lines], start=1):
        block = sheet.range(f"A{r}:{last}{r}")
        block.merge()
        block.row_height = 26 if r == 1 else block_height(text, total)
    sheet.tables.add(source=body, name="xl_dealer_findings", table_style_name="TableStyleLight9")
    by_sev: dict[str, list[str]] = defaultdict(list)
    for i, item in enumerate(items):
        f = item.finding
        r = head + 1 + i
        if f.sheet:
            col = LINK_COL if f.row else SHEET_COL
            shown = item.values[col - 1]
            sheet.range((r, col)).add_hyperlink(sheet_ref(f.sheet, f.cell or "A1"), text_to_display=live_text(shown),
                                                screen_tip=f"跳到 {f.sheet}!{f.cell or 'A1'}")
        by_sev[f.severity].append(f"{col_letters(SEVERITY_COL - 1)}{r}")
    for sev, cells in by_sev.items():
        for addr in address_chunks(cells):
            sheet.range(addr).color = COLOURS.get(sev, COLOURS["info"])
    whole = sheet.range((1, 1), (head + len(rows), ncol))
    whole.wrap_text = True
    whole.vertical_alignment = "center"
    whole.horizontal_alignment = "left"
    _indent(whole)
    # each row as tall as its wrapped text plus padding, one call per height
    by_height: dict[float, list[str]] = defaultdict(list)
    for r, values in enumerate([headers("zh"), *[item.values for item in items]], start=head):
        by_height[row_height(tuple(values), widths)].append(f"A{r}")
    for height, cells in by_height.items():
        for addr in address_chunks(cells):
            sheet.range(addr).row_height = height
    return sheet


def _indent(rng: Any) -> None:
    """Text off the cell's left border, as the marked copy's ``indent="1"``. xlwings has no
    portable setter: Excel's own ``IndentLevel`` (Windows); elsewhere the text stays unindented."""
    try:
        rng.api.IndentLevel = 1
    except Exception:  # a Mac's appscript object, or no Excel object model at all
        pass
