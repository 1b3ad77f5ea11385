"""A report as data: tables + title, period, footnotes (the formula of every rate), charts.

Both renderers (openpyxl for files, xlwings for a live book) and the JSON output
consume this one value, so a button and a headless run show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

# pp: a change of a rate, in percentage points (24.0 = +24.0 百分点, in the JSON too);
# delta: a signed change of a count (+3, −2)
ColumnFormat = Literal["text", "int", "number", "percent", "pp", "delta", "date", "time", "phone"]
FORMATS_KEY = "_formats"  # a row may carry {column key: format} for cells unlike their column (a rate row)


@dataclass(slots=True)
class Column:
    key: str  # JSON key of the row objects
    header: str  # Chinese header on the sheet
    format: ColumnFormat = "text"
    width: float | None = None  # None: fit to content
    total: Literal["sum", "rate", None] = None  # how the totals row fills this column


@dataclass(slots=True)
class Chart:
    type: Literal["bar", "col", "line", "pie"]
    table: str  # key of the table it draws
    category: str  # column key on the category axis
    series: list[str]  # column keys drawn
    title: str
    percent: bool = False
    open_top: bool = False  # a percent axis that may pass 100 % (a target's 完成率)


@dataclass(slots=True)
class Table:
    key: str  # JSON name (SPEC §7: e.g. "by_department", "overall")
    title: str  # caption above the table on the sheet
    columns: list[Column]
    rows: list[dict[str, Any]]  # JSON-ready row objects, keyed by Column.key
    totals: bool = False  # add a totals row
    empty_text: str = "本期无数据"
    total_row: dict[str, Any] | None = None  # the totals, computed by the builder (renderers only write them)


@dataclass(slots=True)
class Report:
    name: str  # morning, followups, funnel, weekly, monthly, churn, reminders
    sheet: str  # Chinese sheet name (晨会日报, ...)
    title: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.datetime
    tables: list[Table]
    footnotes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    call_list: bool = False  # phones shown unmasked only on call lists
    notes: list[str] = field(default_factory=list)  # shown under the title (and on stderr): empty period, missing inputs
    fed: bool = True  # False: no input of any kind it needs was given (the operation refuses to write it)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_json(self) -> dict[str, Any]:
        from xl_dealer.model.findings import json_value

        return {
            "report": self.name,
            "title": self.title,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "as_of": self.as_of.isoformat(timespec="minutes"),
            "tables": {t.key: [{k: json_value(v) for k, v in r.items() if not k.startswith("_")} for r in t.rows]
                       for t in self.tables},
            "totals": {t.key: {k: json_value(v) for k, v in t.total_row.items() if not k.startswith("_")}
                       for t in self.tables if t.totals and t.total_row is not None},
            "notes": list(self.notes),
            "footnotes": list(self.footnotes),
        }

    def frame(self, key: str) -> Any:
        """One table as a pandas DataFrame (pandas is imported only here: the ``reports`` extra)."""
        import pandas as pd

        t = self.table(key)
        return pd.DataFrame(t.rows, columns=[c.key for c in t.columns])
