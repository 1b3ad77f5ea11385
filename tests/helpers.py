"""Building small workbooks in code and looking at what ``validate`` found in them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xl_dealer.config import Config
from xl_dealer.findings import Finding
from xl_dealer.validate import ValidationResult, validate

Sheet = tuple[list[str], list[list[Any]]]  # headers (row 1), data rows (from row 2)


def write_book(path: Path, sheets: dict[str, Sheet]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, (headers, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(headers)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def rows_of(headers: list[str], dicts: list[dict[str, Any]], defaults: dict[str, Any] | None = None) -> list[list[Any]]:
    """Rows given as {header: value} dicts on top of ``defaults``, in header order."""
    base = defaults or {}
    return [[{**base, **d}.get(h) for h in headers] for d in dicts]


def run(tmp_path: Path, books: dict[str, dict[str, Sheet]], as_of: str = "2026-11-27",
        **config: Any) -> ValidationResult:
    paths = [write_book(tmp_path / name, sheets) for name, sheets in books.items()]
    return validate(paths, as_of=as_of, config=Config(**config))


def cells(result: ValidationResult, *rules: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """(rule, sheet, cell, field) of the findings, only of ``rules`` when given, in order."""
    return sorted((f.rule, f.sheet, f.cell, f.field) for f in result.findings if not rules or f.rule in rules)


def groups(result: ValidationResult, rule: str) -> list[tuple[str | None, str | None, Any]]:
    return sorted((f.sheet, f.subject, f.value) for f in result.findings if f.rule == rule and f.row is None)


def of(result: ValidationResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def t(s: str) -> dt.time:
    return dt.time.fromisoformat(s)
