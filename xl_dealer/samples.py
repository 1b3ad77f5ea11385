"""Realistic sample workbooks with planted mistakes, for the demo, the tests and the benchmarks.

The generator records every mistake it plants (sheet, row, field, rule), so a
test can check that ``validate`` finds exactly those: no more, no fewer.
Rows are also messy in the ways real ones are (phones typed as numbers, text
dates, 9点30, full-width digits, √ for yes) without being wrong.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_dealer.values import text_width

CONSULTANTS = ("王强", "李娜", "张伟", "刘洋", "陈静", "赵磊")
MODELS = ("凯美瑞", "卡罗拉", "RAV4荣放", "汉兰达", "亚洲龙", "雷凌", "威兰达", "bZ3")
SOURCES = ("汽车之家", "懂车帝", "易车", "朋友介绍", "老客户推荐", "路过", "网络", "车展", "外拓", "电话", "户外广告")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力宇浩然子轩梓涵欣怡佳琪晨阳"
OCCUPATIONS = ("教师", "医生", "工程师", "个体经营", "公务员", "销售", "会计", "程序员", "司机", "自由职业")
DISTRICTS = ("天河区", "越秀区", "海珠区", "白云区", "番禺区", "黄埔区", "南沙区", "花都区")
ROUTES = ("A线 市区", "B线 快速路", "C线 综合")
LEVEL_MIX = ("H", "A", "A", "B", "B", "B", "C", "C", "N", "O")

REG_HEADERS = {  # the header text a clerk typed: stars, aliases, full-width brackets
    "date": "*日期", "arrive_time": "*来店时间", "leave_time": "离店时间", "visit_type": "来店/来电",
    "visit_seq": "首次/再次", "customer": "*客户姓名", "gender": "性别", "phone": "*联系电话",
    "party_size": "同行人数", "model": "意向车型", "source": "信息来源（渠道）", "level": "意向级别",
    "consultant": "接待顾问", "test_drive": "是否试驾", "card": "是否建卡", "region": "区域", "remark": "备注",
}
TD_HEADERS = {
    "date": "试驾日期", "customer": "客户姓名", "age": "年龄", "occupation": "职业", "license_no": "驾驶证号",
    "phone": "联系电话", "address": "联系地址", "model": "试驾车型", "route": "试驾路线",
    "customer_signed": "客户签名", "consultant_signed": "陪同人", "consultant": "销售顾问",
}


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


def id_number(rng: random.Random, birth: dt.date, area: str = "440106") -> str:
    body = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    s = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[s % 11]


class _Names:
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


def _messy_phone(rng: random.Random, p: str) -> Any:
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


def _messy_date(rng: random.Random, d: dt.date) -> Any:
    x = rng.random()
    if x < 0.7:
        return d
    if x < 0.8:
        return f"{d.year}/{d.month}/{d.day}"
    if x < 0.9:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def _messy_time(rng: random.Random, t: dt.time) -> Any:
    x = rng.random()
    if x < 0.75:
        return t
    if x < 0.9:
        return f"{t.hour}:{t.minute:02d}"
    return f"{t.hour}点{t.minute}" if t.minute else f"{t.hour}点"


def _yes(rng: random.Random, v: bool) -> Any:
    return rng.choice(("是", "是", "是", "√", "Y")) if v else rng.choice(("否", "否", "", "×", "N"))


def generate(
    days: int = 30, per_day: int = 10, end: dt.date | None = None, seed: int = 7, mistakes: float = 0.05,
) -> tuple[SheetData, SheetData]:
    """A visitor log and its test-drive register for ``days`` days ending the day before ``end``."""
    rng = random.Random(seed)
    names = _Names(rng)
    end = end or dt.date.today()
    start = end - dt.timedelta(days=days)
    reg = SheetData(f"{end.year}年{end.month}月" if days <= 31 else "登记表", REG_HEADERS, [],
                    title=f"XX汽车4S店来店(来电)客户登记表 {start:%Y年%m月%d日}—{end - dt.timedelta(days=1):%m月%d日}")
    td = SheetData("试驾登记", TD_HEADERS, [], title="试乘试驾登记表")
    for day_i in range(days):
        day = start + dt.timedelta(days=day_i)
        n = max(1, int(rng.gauss(per_day, per_day * 0.25)))
        slots = sorted(rng.randint(9 * 60, 19 * 60) for _ in range(n))
        for minute in slots:
            _registration_row(rng, names, reg, td, day, minute)
    _plant_registration(rng, reg, td, mistakes, end)
    _plant_test_drive(rng, td, mistakes)
    return reg, td


def _registration_row(rng, names, reg: SheetData, td: SheetData, day: dt.date, minute: int) -> None:
    phone_in = rng.random() < 0.25
    arrive = dt.time(minute // 60, minute % 60)
    stay = rng.randint(5, 25) if phone_in else rng.randint(20, 150)
    leave_m = min(minute + stay, 23 * 60 + 59)
    leave = dt.time(leave_m // 60, leave_m % 60)
    name = names.person()
    declined = rng.random() < 0.08
    phone = None if declined else names.phone()
    drove = (not phone_in) and phone is not None and rng.random() < 0.3
    consultant = rng.choice(CONSULTANTS)
    model = rng.choice(MODELS)
    row: dict[str, Any] = {
        "date": _messy_date(rng, day),
        "arrive_time": _messy_time(rng, arrive),
        "leave_time": leave if rng.random() < 0.8 else None,
        "visit_type": ("来电" if phone_in else rng.choice(("来店", "来店", "展厅"))),
        "visit_seq": rng.choice(("首次", "首次", "再次", "F", "S")),
        "customer": name,
        "gender": rng.choice(("男", "女", "")),
        "phone": _messy_phone(rng, phone) if phone else None,
        "party_size": None if phone_in else rng.choice((1, 1, 2, 2, 3, 4)),
        "model": model,
        "source": "电话" if phone_in and rng.random() < 0.5 else rng.choice(SOURCES),
        "level": rng.choice(LEVEL_MIX) if rng.random() < 0.9 else rng.choice(LEVEL_MIX).lower(),
        "consultant": consultant,
        "test_drive": _yes(rng, drove),
        "card": _yes(rng, phone is not None),
        "region": rng.choice(DISTRICTS),
        "remark": "客户不留电话" if declined else rng.choice(("", "", "", "比较价格", "=预算20万左右", "带家人来看车", "+关注优惠")),
    }
    reg.rows.append(row)
    if drove:
        birth = dt.date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        td.rows.append({
            "date": day, "customer": name, "age": age, "occupation": rng.choice(OCCUPATIONS),
            "license_no": id_number(rng, birth) if rng.random() < 0.9 else id_number(rng, birth).lower(),
            "phone": _messy_phone(rng, phone), "address": "广州市" + rng.choice(DISTRICTS) + f"{rng.randint(1, 300)}号",
            "model": model, "route": rng.choice(ROUTES), "customer_signed": name, "consultant_signed": consultant,
            "consultant": consultant,
        })


def _pick(rng: random.Random, rows: list[dict], used: set[int], ok=lambda r: True) -> int | None:
    """A random unused row that ``ok`` accepts.

    Random rows are tried first, so planting in a 500k-row log costs O(1) a mistake
    instead of a scan of every row (the scan made the benchmark's generator quadratic);
    only when acceptable rows are rare do we list the candidates.
    """
    if rows:
        for _ in range(64):
            i = rng.randrange(len(rows))
            if i not in used and ok(rows[i]):
                used.add(i)
                return i
    candidates = [i for i in range(len(rows)) if i not in used and ok(rows[i])]
    if not candidates:
        return None
    i = rng.choice(candidates)
    used.add(i)
    return i


def _plant_registration(rng: random.Random, reg: SheetData, td: SheetData, rate: float, end: dt.date) -> None:
    rows = reg.rows
    used: set[int] = set()
    per_kind = max(1, int(len(rows) * rate / 10))
    has_phone = lambda r: r["phone"] is not None and r["test_drive"] not in ("是", "√", "Y")  # noqa: E731
    drove_phones = {str(r["phone"]) for r in td.rows}

    def plant(field_key: str | None, rule: str, change, ok=has_phone) -> None:
        for _ in range(per_kind):
            i = _pick(rng, rows, used, ok)
            if i is None:
                return
            change(rows[i], i)
            reg.planted.append((i, field_key, rule))

    plant("phone", "format.phone", lambda r, i: r.update(phone=str(r["phone"]).replace(" ", "")[:10] if not isinstance(r["phone"], int) else r["phone"] // 10))
    plant("phone", "required", lambda r, i: r.update(phone=None, card=rng.choice(("否", ""))))
    plant("date", "format.date", lambda r, i: r.update(date=rng.choice(("2026-13-05", "昨天", "11/31"))))
    plant("arrive_time", "format.time", lambda r, i: r.update(arrive_time=rng.choice(("25:70", "上午", "9点70"))))
    plant("leave_time", "time.order", lambda r, i: r.update(arrive_time=dt.time(15, 0), leave_time=dt.time(14, 10)))
    plant("source", "enum", lambda r, i: r.update(source=rng.choice(("不详", "随便看看"))))
    plant("level", "enum", lambda r, i: r.update(level=rng.choice(("X", "高", "Z"))))
    plant("consultant", "required", lambda r, i: r.update(consultant=None))
    plant("card", "card.required", lambda r, i: r.update(card=rng.choice(("否", "", "N"))))
    plant("date", "date.future", lambda r, i: r.update(date=end + dt.timedelta(days=rng.randint(3, 40))))
    plant("test_drive", "testdrive.missing", lambda r, i: r.update(test_drive="是"),
          ok=lambda r: has_phone(r) and r["visit_type"] != "来电" and str(r["phone"]) not in drove_phones)

    # the same phone twice on one day: the later row is flagged
    def same_day_pairs() -> list[tuple[int, int]]:
        return [(i - 1, i) for i in range(1, len(rows)) if is_pair(i)]

    def is_pair(i: int) -> bool:
        a, b = rows[i - 1], rows[i]
        return (i - 1 not in used and i not in used and has_phone(a) and has_phone(b)
                and _day(a["date"]) is not None and _day(a["date"]) == _day(b["date"]))

    def random_pair() -> tuple[int, int] | None:
        for _ in range(64):  # as in _pick: random tries first, the full scan only when pairs are rare
            i = rng.randrange(1, len(rows)) if len(rows) > 1 else 0
            if i and is_pair(i):
                return i - 1, i
        pairs = same_day_pairs()
        return rng.choice(pairs) if pairs else None

    for _ in range(per_kind):
        pair = random_pair()
        if pair is None:
            break
        a, b = pair
        used.update((a, b))
        rows[b]["phone"] = rows[a]["phone"]
        reg.planted.append((b, "phone", "duplicate"))


def _day(v: Any) -> dt.date | None:
    from xl_dealer.values import to_date

    return to_date(v)[0]


def _plant_test_drive(rng: random.Random, td: SheetData, rate: float) -> None:
    rows = td.rows
    used: set[int] = set()
    per_kind = max(1, int(len(rows) * rate / 4))

    def plant(findings: list[tuple[str, str]], change) -> None:
        for _ in range(per_kind):
            i = _pick(rng, rows, used)
            if i is None:
                return
            change(rows[i])
            td.planted.extend((i, f, r) for f, r in findings)

    def bad_check(r):
        s = str(r["license_no"]).upper()
        r["license_no"] = s[:17] + ("0" if s[17] != "0" else "1")

    plant([("license_no", "format.id"), ("license_no", "testdrive.license")], bad_check)
    plant([("license_no", "required"), ("license_no", "testdrive.license")], lambda r: r.update(license_no=None))
    plant([("age", "testdrive.age")], lambda r: r.update(age=r["age"] + rng.choice((-9, 7, 12))))
    plant([("customer_signed", "required")], lambda r: r.update(customer_signed=None))


# ---------------------------------------------------------------- writing


def write_workbook(path: Path, sheets: list[SheetData], instructions: str | None = None,
                   write_only: bool = False) -> None:
    """Write sheets as a clerk would keep them: a merged title row, starred headers, a 合计 row,
    an extra column, and (optionally) a 说明 sheet first."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    if instructions:
        ws = wb.create_sheet("说明")
        for line in instructions.splitlines():
            ws.append([line])
        if not write_only:
            ws.column_dimensions["A"].width = max(text_width(line) for line in instructions.splitlines()) + 2
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
        for r in s.rows:
            vals = [r.get(k) for k in keys] + [None] * len(s.extra_columns)
            ws.append([text_cell(ws, v) for v in vals] if write_only else vals)
            if not write_only:
                for c in ws[ws.max_row]:
                    if c.data_type == "f":  # a remark typed as "=..." is the clerk's text, not a formula
                        c.data_type = "s"
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
