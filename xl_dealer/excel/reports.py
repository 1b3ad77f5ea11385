"""A report (``xl_dealer.reports.data.Report``) written onto a live sheet with xlwings.

Layout, top to bottom: title, period and as-of line, then each table (caption, one
block of header + rows + totals written in a single ``.value``, number formats per
column, an Excel table), footnotes (the formula of every rate), charts to the right.
The numbers come from the model untouched, so the sheet shows what the JSON shows;
phones are already masked in the model's rows unless the report is a call list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xl_dealer.reports.data import FORMATS_KEY, Column, Report, Table

FORMATS: dict[str, str | None] = {
    "text": "@", "phone": "@", "int": "0", "number": "0.0", "percent": "0.0%",
    "pp": '+0.0"百分点";-0.0"百分点";0.0"百分点"', "delta": "+0;-0;0",  # changes: points, counts
    "date": "yyyy-mm-dd", "time": "hh:mm",
}
DASHED = frozenset({"number", "percent", "pp", "delta"})  # a missing value of these is a dash
CHART_TYPES = {"bar": "bar_clustered", "col": "column_clustered", "line": "line", "pie": "pie"}
NO_RATE = "—"  # a rate with nothing answered: shown, never divided by zero
TOTAL_LABEL = "合计"


@dataclass(slots=True)
class Placed:
    """Where a table landed: header row, first/last body row (Excel rows), column count."""

    table: Table
    header_row: int
    first: int
    last: int

    def column_range(self, sheet: Any, key: str) -> Any:
        j = [c.key for c in self.table.columns].index(key) + 1
        return sheet.range((self.header_row, j), (self.last, j))


def cell_value(v: Any, col: Column, charted: bool = False, fmt: str | None = None) -> Any:
    """A model value as Excel takes it: times as fractions of a day, missing rates as —
    (left blank in a column a chart draws: Excel plots text as 0, a blank as a gap)."""
    if v is None:
        return None if charted else NO_RATE if (fmt or col.format) in DASHED else ""
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second) / 86400
    if isinstance(v, dt.datetime | dt.date) or isinstance(v, bool | int | float):
        return v
    from xl_dealer.excel.book import live_text

    return live_text(str(v))


def totals_of(table: Table) -> dict[str, Any]:
    """The builder's totals when it gives them, else sums of the ``total="sum"`` columns."""
    given = getattr(table, "total_row", None)
    if given:
        return dict(given)
    out: dict[str, Any] = {}
    for c in table.columns:
        if c.total == "sum":
            out[c.key] = sum(v for r in table.rows if isinstance(v := r.get(c.key), int | float))
    return out


def table_name(report: Report, table: Table) -> str:
    return f"xl_dealer_{report.name}_{table.key}"


def render_table(sheet: Any, report: Report, table: Table, top: int) -> Placed:
    cols = table.columns
    sheet.range((top, 1)).value = table.title
    sheet.range((top, 1)).font.bold = True
    header_row = top + 1
    charted = {k for ch in report.charts if ch.table == table.key for k in ch.series}
    body = [[cell_value(r.get(c.key), c, c.key in charted, _format(r, c)) for c in cols] for r in table.rows]
    if not body:
        body = [[table.empty_text] + [""] * (len(cols) - 1)]
    block = [[c.header for c in cols], *body]
    total: list[Any] | None = None
    if table.totals and table.rows:
        t = totals_of(table)
        total = [cell_value(t.get(c.key), c) if c.key in t else "" for c in cols]
        if total[0] in ("", None):
            total[0] = TOTAL_LABEL
        block.append(total)
    sheet.range((header_row, 1)).value = block  # one write for the whole table
    last = header_row + len(body)
    end = last + (1 if total else 0)
    for j, c in enumerate(cols, start=1):
        fmt = FORMATS.get(c.format)
        if fmt:
            sheet.range((header_row + 1, j), (end, j)).number_format = fmt
    for i, r in enumerate(table.rows, start=header_row + 1):  # a rate row in a table of counts
        for j, c in enumerate(cols, start=1):
            own = (r.get(FORMATS_KEY) or {}).get(c.key)
            if own and own != c.format and FORMATS.get(own):
                sheet.range((i, j)).number_format = FORMATS[own]
    sheet.tables.add(source=sheet.range((header_row, 1), (last, len(cols))),
                     name=table_name(report, table), table_style_name="TableStyleMedium2")
    if total:
        sheet.range((end, 1), (end, len(cols))).font.bold = True
    sheet.range((header_row, 1), (end, len(cols))).columns.autofit()
    for j, c in enumerate(cols, start=1):
        if c.width:
            sheet.range((header_row, j)).column_width = c.width
    return Placed(table, header_row, header_row + 1, last)


def render_report(sheet: Any, report: Report) -> list[Placed]:
    """Write ``report`` onto an empty ``sheet``; returns where each table went."""
    sheet.range("A1").value = [
        [report.title],
        [f"统计期间：{report.period_start.isoformat()} 至 {report.period_end.isoformat()}　"
         f"生成时间：{report.as_of:%Y-%m-%d %H:%M}" + ("　（拨打清单，电话未遮蔽）" if report.call_list else "")],
    ]
    sheet.range("A1").font.bold = True
    sheet.range("A1").font.size = 14
    row = 3
    if report.notes:  # what is missing or empty, in red, before any number
        sheet.range((row, 1)).value = [[n] for n in report.notes]
        sheet.range((row, 1), (row + len(report.notes) - 1, 1)).font.color = (192, 0, 0)
        row += len(report.notes)
    placed: list[Placed] = []
    row += 1
    for table in report.tables:
        p = render_table(sheet, report, table, row)
        placed.append(p)
        row = p.last + (2 if table.totals and table.rows else 1) + 2
    if report.footnotes:
        sheet.range((row, 1)).value = [["注："], *[[f] for f in report.footnotes]]
    width = max((len(t.columns) for t in report.tables), default=1)
    for i, chart in enumerate(report.charts):
        _chart(sheet, chart, placed, anchor=sheet.range((4 + i * 18, width + 2)))
    if placed:
        _freeze(sheet, placed[0].header_row)
    return placed


def _format(row: dict[str, Any], c: Column) -> str:
    return (row.get(FORMATS_KEY) or {}).get(c.key, c.format)


def _chart(sheet: Any, spec: Any, placed: list[Placed], anchor: Any) -> None:
    where = next((p for p in placed if p.table.key == spec.table), None)
    if where is None or not where.table.rows:
        return
    parts = [where.column_range(sheet, k).address for k in (spec.category, *spec.series)]
    chart = sheet.charts.add(anchor=anchor, width=480, height=260)
    chart.chart_type = CHART_TYPES.get(spec.type, "column_clustered")
    chart.set_source_data(sheet.range(",".join(parts)))
    chart.title = spec.title


def _freeze(sheet: Any, rows: int) -> None:
    """Freeze the title and the first table's header.

    ``Sheet.freeze_panes`` is in xlwings' open-source API, but its Windows engine has no
    implementation in 0.37.8, so fall back to the window object there. Cosmetic: a
    failure here must not lose the report.
    """
    try:
        sheet.freeze_panes.freeze_at(f"1:{rows}")
        return
    except (AttributeError, NotImplementedError):
        pass
    try:  # pragma: no cover - Windows Excel only
        sheet.activate()
        window = sheet.book.app.api.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True
    except Exception:  # noqa: BLE001
        pass
