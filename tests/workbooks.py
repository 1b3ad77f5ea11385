"""Small workbooks built in code, with the kinds' own headers, for report tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.rules.base import Checked


def write(path: Path, sheets: dict[str, tuple[str, list[dict[str, Any]]]]) -> Path:
    """``{sheet name: (kind, rows)}``; columns are the union of the rows' keys, headed as declared."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (kind, rows) in sheets.items():
        ws = wb.create_sheet(name)
        k = KINDS[kind]
        keys = [f.key for f in k.fields if any(f.key in r for r in rows) or f.required]
        ws.append([k.field(key).header for key in keys])
        for r in rows:
            ws.append([r.get(key) for key in keys])
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
    wb.save(path)
    return path


def checked(paths: list[Path], as_of: dt.date, config: Config | None = None) -> list[Checked]:
    from xl_dealer.validate import validate

    return validate(paths, as_of=as_of, config=config or Config()).checked
