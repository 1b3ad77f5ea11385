"""A finding is a small value; rules make them, renderers consume them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xl_dealer.model.catalogue import SEVERITIES


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    sheet: str | None
    row: int | None  # Excel row number as the clerk sees it; None for a sheet or group finding
    cell: str | None  # e.g. "H12"
    field: str | None
    column: str | None  # header text as written in the file
    rule: str
    severity: str
    value: Any
    message: str
    subject: str | None = None  # names the group for row-less findings ("王强 2026-11-25")

    def to_json(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies and costs 70 µs a finding
        return {"path": self.path, "sheet": self.sheet, "row": self.row, "cell": self.cell, "field": self.field,
                "column": self.column, "rule": self.rule, "severity": self.severity,
                "value": json_value(self.value), "message": self.message, "subject": self.subject}

    def sort_key(self) -> tuple:
        # column order without arithmetic: "C" < "AB" because shorter letters come first
        letters = self.cell.rstrip("0123456789") if self.cell else ""
        return (self.path, self.sheet or "", self.row or 0, len(letters), letters, self.rule)


def json_value(v: Any) -> Any:
    """Cell values as JSON: dates/times in ISO form, whole floats as ints."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
