"""What every sample generator shares: the sheet being built, the planted mistakes, messy cells,
names and phones, and writing a workbook as a clerk keeps it.

The generators record every mistake they plant (sheet, row, field, rule), so a
test can check that ``validate`` finds exactly those: no more, no fewer.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_dealer.model.text import text_width

CONSULTANTS = ("王强", "李娜", "张伟", "刘洋", "陈静", "赵磊")
MODELS = ("凯美瑞", "卡罗拉", "RAV4荣放", "汉兰达", "亚洲龙", "雷凌", "威兰达", "bZ3")
SOURCES = ("汽车之家", "懂车帝", "易车", "朋友介绍", "老客户推荐", "路过", "网络", "车展", "外拓", "电话", "户外广告")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力宇浩然子轩梓涵欣怡佳琪晨阳"


@dataclass(frozen=True, slots=True)
class Planted:
    sheet: str
    row: int | None  # Excel row; None for a group finding (a consultant's day)
    field: str | None
    rule: str
    subject: str | None = None  # names the group of a row-less finding ("王强 2026-11-25")


@dataclass(slots=True)
class SheetData:
    name: str
    headers: dict[str, str]  # field key -> header text, in column order
    rows: list[dict[str, Any]]
    title: str | None = None  # a merged title row above the header
    extra_columns: tuple[str, ...] = ("微信号",)  # columns nobody asked for
    total_row: bool = True
    planted: list[tuple[int, str | None, str]] = field(default_factory=list)  # (row index, field, rule)
    planted_groups: list[tuple[str, str | None, str]] = field(default_factory=list)  # (subject, field, rule)

    @property
    def header_row(self) -> int:
        return 3 if self.title else 1

    def excel_row(self, i: int) -> int:
        return self.header_row + 1 + i

    def planted_cells(self) -> list[Planted]:
        return ([Planted(self.name, self.excel_row(i), f, r) for i, f, r in self.planted]
                + [Planted(self.name, None, f, r, subject) for subject, f, r in self.planted_groups])


def by_month(sheet: SheetData, until: dt.date, date_key: str = "date") -> list[SheetData]:
    """The sheet cut into one sheet per calendar month ("2026年11月"), as clerks keep a log,
    its planted mistakes going with their rows. A row whose date cannot be read, or is after
    ``until`` (a planted future date), stays in the month of the row before it."""
    from xl_dealer.read.values import to_date

    months: dict[tuple[int, int], SheetData] = {}
    where: list[tuple[tuple[int, int], int]] = []
    current: tuple[int, int] | None = None
    for r in sheet.rows:
        day = to_date(r[date_key])[0] if isinstance(r[date_key], str | dt.date) else None
        day = day if day is not None and day <= until else None
        if day is not None or current is None:
            current = (day.year, day.month) if day is not None else (0, 0)
        if current not in months:
            y, m = current
            prefix = (sheet.title or "").split(" ")[0]
            months[current] = SheetData(f"{y}年{m}月", sheet.headers, [], f"{prefix} {y}年{m}月" if prefix else None,
                                        sheet.extra_columns, sheet.total_row)
        where.append((current, len(months[current].rows)))
        months[current].rows.append(r)
    for i, f, rule in sheet.planted:
        key, j = where[i]
        months[key].planted.append((j, f, rule))
    out = [months[k] for k in sorted(months)]
    if out:
        out[-1].planted_groups = list(sheet.planted_groups)
    return out


def id_number(rng: random.Random, birth: dt.date, area: str = "440106") -> str:
    body = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    s = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[s % 11]


class Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()

    def person(self) -> str:
        r = self.rng
        if r.random() < 0.15:
            return r.choice(SURNAMES) + r.choice(("先生", "女士"))
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def phone(self) -> str:
        while True:
            p = self.rng.choice(("13", "15", "18", "17", "19")) + f"{self.rng.randint(0, 999_999_999):09d}"
            if p not in self.phones:
                self.phones.add(p)
                return p


def messy_phone(rng: random.Random, p: str) -> Any:
    x = rng.random()
    if x < 0.35:
        return int(p)  # typed as a number
    if x < 0.40:
        return f"{p[:3]} {p[3:7]} {p[7:]}"
    if x < 0.43:
        return "+86 " + p
    if x < 0.45:
        return p.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return p


def messy_date(rng: random.Random, d: dt.date) -> Any:
    x = rng.random()
    if x < 0.7:
        return d
    if x < 0.8:
        return f"{d.year}/{d.month}/{d.day}"
    if x < 0.9:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def messy_time(rng: random.Random, t: dt.time) -> Any:
    x = rng.random()
    if x < 0.75:
        return t
    if x < 0.9:
        return f"{t.hour}:{t.minute:02d}"
    return f"{t.hour}点{t.minute}" if t.minute else f"{t.hour}点"


def yes(rng: random.Random, v: bool) -> Any:
    return rng.choice(("是", "是", "是", "√", "Y")) if v else rng.choice(("否", "否", "", "×", "N"))


# ---------------------------------------------------------------- writing


def write_workbook(path: Path, sheets: list[SheetData], instructions: str | None = None,
                   write_only: bool = False, generated: str | None = None) -> None:
    """Write sheets as a clerk would keep them: a merged title row, starred headers, a 合计 row,
    an extra column, and (optionally) a 说明 sheet first. ``generated`` marks the file as ours
    (the demo's: ``demo DIR`` again replaces only its own files)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=write_only)
    if generated:
        from openpyxl.packaging.custom import StringProperty

        from xl_dealer.read.inputs import GENERATED_PROPERTY

        wb.custom_doc_props.append(StringProperty(name=GENERATED_PROPERTY, value=generated))
    if not write_only:
        wb.remove(wb.active)
    if instructions:
        ws = wb.create_sheet("说明")
        for line in instructions.splitlines():
            ws.append([line])
        if not write_only:
            ws.column_dimensions["A"].width = max(text_width(line) for line in instructions.splitlines()) + 2
            # its longest line is wider than a portrait page: printed, its last words were a page of their own
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for s in sheets:
        ws = wb.create_sheet(s.name)
        keys = list(s.headers)
        ncols = len(keys) + len(s.extra_columns)
        if s.title:
            ws.append([s.title])
            ws.append([])
            if not write_only:
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
                ws["A1"].font = Font(bold=True, size=14)
                ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([s.headers[k] for k in keys] + list(s.extra_columns))
        if not write_only:
            fill = PatternFill("solid", fgColor="DDEBF7")
            for c in ws[s.header_row]:
                c.font = Font(bold=True)
                c.fill = fill
        for n, r in enumerate(s.rows, start=s.header_row + 1):
            vals = [r.get(k) for k in keys] + [None] * len(s.extra_columns)
            ws.append([text_cell(ws, v) for v in vals] if write_only else vals)
            if not write_only:
                # the row just appended, by number: ws[ws.max_row] scans every cell (quadratic)
                for j, v in enumerate(vals, start=1):
                    if isinstance(v, str) and v.startswith("="):  # a remark typed as "=..." is the clerk's text
                        ws.cell(row=n, column=j).data_type = "s"
        if s.total_row:
            ws.append(["合计", f"{len(s.rows)}条"])
        if not write_only:
            ws.freeze_panes = ws.cell(row=s.header_row + 1, column=1)
            for i, k in enumerate(keys, start=1):
                from openpyxl.utils import get_column_letter

                widest = text_width(s.headers[k])
                for row in ws.iter_rows(min_row=s.header_row + 1, max_row=s.header_row + len(s.rows),
                                        min_col=i, max_col=i):
                    for c in row:
                        if isinstance(c.value, dt.date):
                            c.number_format = "yyyy-mm-dd"
                            widest = max(widest, 10)
                        elif isinstance(c.value, dt.time):
                            c.number_format = "hh:mm"
                        elif c.value is not None:
                            widest = max(widest, text_width(str(c.value)))
                ws.column_dimensions[get_column_letter(i)].width = min(widest + 2, 40)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def text_cell(ws: Any, v: Any) -> Any:
    """In write-only mode, a string starting with '=' must still be written as a string."""
    if isinstance(v, str) and v.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws, v)
        c.data_type = "s"
        return c
    return v
