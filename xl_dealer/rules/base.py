"""What every rule gets: the normalised table and a way to emit findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding
from xl_dealer.model.messages import message
from xl_dealer.read.header import col_letter
from xl_dealer.read.table import Table


@dataclass(slots=True)
class Checked:
    """A table with each mapped column normalised: ``values[key][i]`` is None when blank or bad."""

    table: Table
    values: dict[str, list[Any]]
    bad: dict[str, set[int]] = field(default_factory=dict)  # rows whose cell broke a format rule
    # columns derived from ``values`` once for every later reader (``shared.phone_keys``): name →
    # (the column it came from, the derived column), so a replaced column is derived again
    derived: dict[str, tuple[Any, list[Any]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return self.table.kind.key

    def col(self, key: str) -> list[Any]:
        """The column, or a column of None when the sheet lacks it (so rules need no branches)."""
        v = self.values.get(key)
        return v if v is not None else [None] * len(self.table.rows)

    def has(self, key: str) -> bool:
        return key in self.values


@dataclass(slots=True)
class Emitter:
    config: Config
    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    _severity: dict[str, str] = field(default_factory=dict)
    # rules across workbooks a sheet lacked the columns for: (table, missing header) -> [(rule, what, what_en)]
    skipped: dict[tuple[int, str], tuple[Table, list[tuple[str, str, str]]]] = field(default_factory=dict)

    def severity(self, rule: str) -> str:
        s = self._severity.get(rule)
        if s is None:
            s = self._severity[rule] = self.config.severity_of(rule)
        return s

    @property
    def lang(self) -> str:
        return self.config.lang

    @property
    def moment(self) -> dt.datetime:
        """The as-of moment a rule counting hours uses: now when checking as of today, else the
        start of the as-of day (that day is not over; as ``followup.late_submit`` treats it)."""
        if self.as_of == dt.date.today():
            return dt.datetime.now().replace(microsecond=0)
        return dt.datetime.combine(self.as_of, dt.time())

    def at(self, t: Table, i: int, key: str | None, rule: str, value: Any = None,
           cell_key: str | None = None, msg: str | None = None, **params: Any) -> None:
        """A finding on data row ``i``; the cell is ``cell_key``'s (default ``key``'s) column.
        ``msg`` picks a variant of the rule's message (``required.unsigned``)."""
        ck = cell_key or key
        if ck and ck in t.columns:
            cell = t.cell(ck, i)
        else:  # the field's column is absent (column.missing says so): point at the row's first cell
            cell = f"{col_letter(min(t.columns.values(), default=0))}{t.rows[i]}"
        column = t.headers.get(ck) if ck else None
        params.setdefault("column", display_header(column) if column else (t.kind.field(ck).header if ck and t.kind.has(ck) else ""))
        params.setdefault("value", show_value(value))
        params.setdefault("as_of", self.as_of.isoformat())
        self.findings.append(Finding(
            path=t.path, sheet=t.sheet, row=t.rows[i], cell=cell, field=key, column=column,
            rule=rule, severity=self.severity(rule), value=value,
            message=message(msg or rule, self.lang, **params),
        ))

    def sheet(self, t: Table, key: str | None, rule: str, column: str | None = None,
              cell: str | None = None, row: int | None = None, value: Any = None, **params: Any) -> None:
        params.setdefault("as_of", self.as_of.isoformat())
        self.findings.append(Finding(
            path=t.path, sheet=t.sheet, row=row, cell=cell, field=key, column=column,
            rule=rule, severity=self.severity(rule), value=value,
            message=message(rule, self.lang, column=display_header(column or ""), value=show_value(value), **params),
        ))

    def group(self, path: str, sheet: str | None, subject: str, rule: str, field_key: str | None = None,
              value: Any = None, **params: Any) -> None:
        self.findings.append(Finding(
            path=path, sheet=sheet, row=None, cell=None, field=field_key, column=None, rule=rule,
            severity=self.severity(rule), value=value,
            message=message(rule, self.lang, subject=subject, value=show_value(value), **params), subject=subject,
        ))


@lru_cache(maxsize=4096)
def display_header(text: str) -> str:
    """A header as a message shows it: without the * marks and line breaks clerks put in."""
    return "".join(text.replace("*", "").replace("＊", "").split())


def show_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        s = v.isoformat()
        return s[:5] if len(s) == 8 and s.endswith(":00") and s[2] == ":" else s
    return str(v)
