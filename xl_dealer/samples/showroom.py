"""The showroom's samples: a visitor log and its test-drive register, with planted mistakes.

The generator records every mistake it plants (sheet, row, field, rule), so a
test can check that ``validate`` finds exactly those: no more, no fewer.
Rows are also messy in the ways real ones are (phones typed as numbers, text
dates, 9点30, full-width digits, √ for yes) without being wrong.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xl_dealer.samples.common import (
    CONSULTANTS,
    MODELS,
    SOURCES,
    Names,
    SheetData,
    id_number,
    messy_date,
    messy_phone,
    messy_time,
    yes,
)

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


def generate(
    days: int = 30, per_day: int = 10, end: dt.date | None = None, seed: int = 7, mistakes: float = 0.05,
) -> tuple[SheetData, SheetData]:
    """A visitor log and its test-drive register for ``days`` days ending the day before ``end``."""
    rng = random.Random(seed)
    names = Names(rng)
    end = end or dt.date.today()
    start = end - dt.timedelta(days=days)
    last = end - dt.timedelta(days=1)  # ``end`` is not in the log: on the 1st, the log is last month's
    one_month = (start.year, start.month) == (last.year, last.month)
    reg = SheetData(f"{last.year}年{last.month}月" if one_month else "登记表", REG_HEADERS, [],
                    title=f"XX汽车4S店来店(来电)客户登记表 {start:%Y年%m月%d日}—{last:%m月%d日}")
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
        "date": messy_date(rng, day),
        "arrive_time": messy_time(rng, arrive),
        "leave_time": leave if rng.random() < 0.8 else None,
        "visit_type": ("来电" if phone_in else rng.choice(("来店", "来店", "展厅"))),
        "visit_seq": rng.choice(("首次", "首次", "再次", "F", "S")),
        "customer": name,
        "gender": rng.choice(("男", "女", "")),
        "phone": messy_phone(rng, phone) if phone else None,
        "party_size": None if phone_in else rng.choice((1, 1, 2, 2, 3, 4)),
        "model": model,
        "source": "电话" if phone_in and rng.random() < 0.5 else rng.choice(SOURCES),
        "level": rng.choice(LEVEL_MIX) if rng.random() < 0.9 else rng.choice(LEVEL_MIX).lower(),
        "consultant": consultant,
        "test_drive": yes(rng, drove),
        "card": yes(rng, phone is not None),
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
            "phone": messy_phone(rng, phone), "address": "广州市" + rng.choice(DISTRICTS) + f"{rng.randint(1, 300)}号",
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
    from xl_dealer.read.values import to_date

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
