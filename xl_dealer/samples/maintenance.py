"""Sample 定期保养一览表 (maintenance list), tied to the after-service samples.

The cars whose 下次保养日期 (from their last 保养) falls in the weeks around ``end`` are on the
list, as the information clerk keeps it: invitation letters sent in batches (this week, last
week, the week before), the phone reminders of last week's letters made this week with their
results, a customer who came in before the call. Planted, as a month of a real list has them:
a letter of an earlier week never phoned (``reminder.not_called``) and a reminder whose result
was not written down (``reminder.no_result``). Cells are messy the way clerks type them: phones
as numbers, dates as text, results in their own words (无人接听, 约好了).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import to_plate
from xl_dealer.rules.reminder import reminder_due, reminder_late
from xl_dealer.samples.common import MODELS, Names, SheetData, messy_date, messy_phone

ML_HEADERS = {
    "plate": "*车牌号", "customer": "*客户姓名", "phone": "*联系电话", "model": "车型", "last_service": "上次保养日期",
    "last_km": "上次里程", "next_service_date": "*下次保养日期", "next_service_km": "下次保养里程",
    "next_service_items": "下次保养项目", "letter_sent": "邀请信发出日期", "reminded": "电话提醒日期",
    "contact_result": "联系结果", "booked": "预约日期", "remark": "备注",
}
RESULTS = (("已预约", 40), ("约好了", 8), ("已到店", 10), ("拒绝", 10), ("未接通", 15), ("无人接听", 5), ("空号", 3))
REMARKS = {"已预约": ("周六上午来", "要求提前准备配件", "想做个全车检查"), "约好了": ("下周二来",),
           "已到店": ("已做保养",), "拒绝": ("说在外面做了", "车不常开，过段时间再说", "嫌贵"),
           "未接通": ("", "关机"), "无人接听": ("",), "空号": ("号码停机",)}


def generate_maintenance_list(end: dt.date, callbacks: SheetData, history: SheetData, seed: int = 31,
                              config: Config | None = None) -> SheetData:
    config = config or Config()
    rng = random.Random(seed)
    names = Names(rng)
    this_monday = end - dt.timedelta(days=end.weekday())
    last_monday = this_monday - dt.timedelta(days=7)
    sheet = SheetData(f"{end.month}月保养", ML_HEADERS, [], title=f"定期保养一览表 {end:%Y年%m月}")
    planted = {i for i, _, _ in callbacks.planted}
    latest: dict[str, dict[str, Any]] = {}
    for source, skip in ((history, set()), (callbacks, planted)):
        for i, r in enumerate(source.rows):
            plate = to_plate(r["plate"])[0]
            if i in skip or plate is None or r["service_type"] != "保养" or r.get("next_service_date") is None:
                continue
            if plate not in latest or r["delivered"] >= latest[plate]["delivered"]:
                latest[plate] = r
    due = [r for r in latest.values()
           if end - dt.timedelta(days=10) <= r["next_service_date"] <= end + dt.timedelta(days=24)]
    due.sort(key=lambda r: (r["next_service_date"], r["plate"]))
    rows: list[dict[str, Any]] = []
    for r in due:
        nxt: dt.date = r["next_service_date"]
        row = _row(rng, r["plate"], r["customer"], str(r["phone"]), r["delivered"], r.get("mileage"), nxt,
                   r.get("next_service_km"), r.get("next_service_items"))
        # the letter goes out about two weeks before the date, in the week's batch
        week = nxt - dt.timedelta(days=14)
        week -= dt.timedelta(days=week.weekday())
        letter = min(max(week, last_monday - dt.timedelta(days=7)), this_monday)
        letter += dt.timedelta(days=rng.randint(0, 2))
        if letter > end:
            letter = this_monday
        row["_letter"] = letter
        _progress(rng, row, letter, end, config)
        rows.append(row)
    # every list has a few customers who came in before the clerk phoned
    for _ in range(2):
        nxt = end + dt.timedelta(days=rng.randint(-3, 5))
        row = _row(rng, _plate(rng), names.person(), names.phone(), nxt - dt.timedelta(days=180),
                   rng.randint(20, 80) * 1000, nxt, None, "机油、机滤")
        row["_letter"] = last_monday + dt.timedelta(days=rng.randint(0, 3))
        row["contact_result"] = "已到店"
        row["remark"] = "客户自己来做了保养"
        rows.append(row)
    # planted: a letter of an earlier week that nobody phoned, and a reminder without its result
    letter = this_monday - dt.timedelta(days=16)
    assert reminder_late(letter, config) < end
    nxt = letter + dt.timedelta(days=14)
    row = _row(rng, _plate(rng), names.person(), names.phone(), nxt - dt.timedelta(days=180), 35000, nxt, 45000,
               "机油、机滤、空滤")
    row["_letter"] = letter
    rows.append(row)
    sheet.planted.append((len(rows) - 1, "reminded", "reminder.not_called"))
    letter = last_monday + dt.timedelta(days=1)
    nxt = letter + dt.timedelta(days=15)
    row = _row(rng, _plate(rng), names.person(), names.phone(), nxt - dt.timedelta(days=180), 52000, nxt, 62000,
               "机油、机滤")
    row["_letter"] = letter
    row["reminded"] = max(reminder_due(letter), end - dt.timedelta(days=3))
    rows.append(row)
    sheet.planted.append((len(rows) - 1, "contact_result", "reminder.no_result"))
    for row in rows:
        row["letter_sent"] = messy_date(rng, row.pop("_letter"))
        if isinstance(row["reminded"], dt.date):
            row["reminded"] = messy_date(rng, row["reminded"])
    sheet.rows = rows
    return sheet


def _row(rng: random.Random, plate: str, customer: str, phone: str, last: dt.date, km: Any, nxt: dt.date,
         next_km: Any, items: str | None) -> dict[str, Any]:
    return {"plate": plate, "customer": customer, "phone": messy_phone(rng, phone), "model": rng.choice(MODELS),
            "last_service": last, "last_km": km, "next_service_date": nxt, "next_service_km": next_km,
            "next_service_items": items, "reminded": None, "contact_result": None, "booked": None, "remark": None}


def _progress(rng: random.Random, row: dict[str, Any], letter: dt.date, end: dt.date, config: Config) -> None:
    """Where the clerk is with this letter: phoned in the week after it (a result each time), or not yet due."""
    due = reminder_due(letter)
    if due >= end:
        return  # this week's letter, or last week's on a Monday: its reminder is today or later
    last = min(reminder_late(letter, config), end - dt.timedelta(days=1))
    day = due + dt.timedelta(days=rng.randint(0, (last - due).days))
    result = rng.choices([r for r, _ in RESULTS], [w for _, w in RESULTS])[0]
    row["reminded"] = day
    row["contact_result"] = result
    row["remark"] = rng.choice(REMARKS[result]) or None
    if result in ("已预约", "约好了"):
        row["booked"] = row["next_service_date"] + dt.timedelta(days=rng.randint(-2, 3))


def _plate(rng: random.Random) -> str:
    from xl_dealer.samples.service import _plate as plate

    return plate(rng)
