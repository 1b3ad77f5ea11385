"""A finding is a small value; rules make them, renderers consume them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.catalogue import SEVERITIES
from xl_dealer.model.text import clean_text


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
        return {"path": _clean(self.path), "sheet": _clean(self.sheet), "row": self.row, "cell": self.cell,
                "field": self.field, "column": _clean(self.column), "rule": self.rule, "severity": self.severity,
                "value": json_value(self.value), "message": clean_text(self.message), "subject": _clean(self.subject)}

    def sort_key(self) -> tuple:
        # column order without arithmetic: "C" < "AB" because shorter letters come first
        letters = self.cell.rstrip("0123456789") if self.cell else ""
        return (self.path, self.sheet or "", self.row or 0, len(letters), letters, self.rule)


def _clean(s: str | None) -> str | None:
    return None if s is None else clean_text(s)


def json_value(v: Any) -> Any:
    """Cell values as JSON: dates/times in ISO form, whole floats as ints, text cleaned
    (``model.text``); inf and nan, which JSON has no word for, as text ("inf")."""
    if v is None or isinstance(v, bool | int):
        return v
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return int(v) if v.is_integer() else v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
