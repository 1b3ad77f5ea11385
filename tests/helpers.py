"""Workbooks built in code for the tests: the messy shapes clerks really make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REG_HEADER = ["*日期", "*来店时间", "离店时间", "来店/来电", "*客户姓名", "*联系电话", "意向车型",
              "信息来源", "意向级别", "销售顾问", "是否试驾", "是否建卡", "备注"]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merge: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> Path:
    """Write sheets of rows (row 1 first); strings starting with '=' stay text."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
        for rng in (merge or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def reg_row(**over: Any) -> list[Any]:
    """A clean registration row; keyword overrides by header key."""
    import datetime as dt

    base = {
        "date": dt.date(2026, 11, 20), "arrive": dt.time(10, 0), "leave": dt.time(11, 0), "type": "来店",
        "name": "王先生", "phone": "13812345678", "model": "凯美瑞", "source": "汽车之家", "level": "A",
        "consultant": "李娜", "drive": "否", "card": "是", "remark": None,
    }
    base.update(over)
    return list(base.values())
