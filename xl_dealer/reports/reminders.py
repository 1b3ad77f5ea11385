"""保养提醒: customers whose next maintenance falls in the next 7 days, with the call windows (SPEC §2.6, §4).

A call list: phones are shown in full, club members first and marked. Each customer (plate,
else phone) counts once, with the 下次保养日期 and 下次保养项目 of their latest service: a later
visit replaces an older reminder. The 定期保养一览表 adds the cars on it that are due, with where
its letter and phone reminder stand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.reports.common import (
    col,
    date_of,
    drop_empty_columns,
    fed_by,
    missing_note,
    period_text,
    phone_keys,
    records,
    records_at,
    tables_of,
    within,
)
from xl_dealer.reports.customers import members
from xl_dealer.reports.data import Report, Table
from xl_dealer.rules.base import Checked

DAYS = 7
WEEKDAYS = "一二三四五六日"


def windows_text(config: Config) -> str:
    return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in config.callback_windows)


def _first_services(checked: list, config: Config, start: dt.date, end: dt.date, listed: set,
                    windows: str) -> list[dict[str, Any]]:
    """Cars sold here whose 首保 falls in the window and that have not been back since."""
    from xl_dealer.reports.deliveries import sold_cars

    out = []
    for car in sold_cars(checked, config):
        if car.came_back or not within(car.due, start, end) or (car.plate or car.phone) in listed:
            continue
        out.append({
            "due": car.due, "weekday": "周" + WEEKDAYS[car.due.weekday()], "plate": car.plate, "customer": car.customer,
            "phone": car.phone, "member": "会员" if car.member else None, "next_km": car.km, "items": None,
            "mileage": None, "last_service": car.sold, "service_type": "首保（新车）", "advisor": car.advisor,
            "list_status": None, "windows": windows, "_vin": car.vin,
        })
    return out


def list_status(r: dict[str, Any]) -> str:
    """Where a 定期保养一览表 row stands: the letter, the phone reminder and its result."""
    parts = []
    if r["letter_sent"]:
        parts.append(f"{r['letter_sent']:%m-%d}已发信")
    if r["reminded"]:
        parts.append(f"{r['reminded']:%m-%d}电话提醒" + (f"：{r['contact_result']}" if r["contact_result"] else ""))
    elif r["contact_result"]:
        parts.append(r["contact_result"])
    if r["booked"]:
        parts.append(f"预约{r['booked']:%m-%d}")
    return "，".join(parts) or "未发信未提醒"


def _from_list(checked: list, start: dt.date, end: dt.date, listed: set, windows: str) -> list[dict[str, Any]]:
    """The 定期保养一览表's cars due in the window that the callbacks did not already list."""
    out = []
    for r in records(checked, "maintenance_list"):
        due = r["next_service_date"]
        if not within(due, start, end) or (r["plate"] or r["phone"]) in listed:
            continue
        listed.add(r["plate"] or r["phone"])
        out.append({
            "due": due, "weekday": "周" + WEEKDAYS[due.weekday()], "plate": r["plate"], "customer": r["customer"],
            "phone": r["phone"], "member": None, "next_km": r["next_service_km"], "items": r["next_service_items"],
            "mileage": r["last_km"], "last_service": r["last_service"], "service_type": "保养", "advisor": None,
            "list_status": list_status(r), "windows": windows, "_vin": None,
        })
    return out


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    start, end = as_of, as_of + dt.timedelta(days=DAYS - 1)
    # each customer's (``customer_key``) latest visit, down the columns; a record only of those due
    latest: dict[str, tuple[tuple[dt.date, dt.date], Checked, int]] = {}
    next_dates: dict[int, list[Any]] = {}  # a sheet's 下次保养日期 column, asked for once
    for c in tables_of(checked, "service_callback"):
        next_dates[id(c)] = c.col("next_service_date")
        for i, (plate, phone, d, called) in enumerate(zip(c.col("plate"), phone_keys(c), c.col("delivered"),
                                                          c.col("called"), strict=True)):
            k = plate or phone
            if not k or d is None or d > as_of:
                continue
            o = (d, called or dt.date.min)
            if k not in latest or o >= latest[k][0]:
                latest[k] = (o, c, i)
    windows = windows_text(config)
    rows = []
    fields = ["plate", "phone", "delivered", "called", "next_service_date", "customer", "member", "next_service_km",
              "next_service_items", "mileage", "service_type", "advisor", "vin"]
    for _, c, i in latest.values():
        due = next_dates[id(c)][i]
        if not within(due, start, end):
            continue
        [r] = records_at(c, [i], fields)
        rows.append({
            "due": due, "weekday": "周" + WEEKDAYS[due.weekday()], "plate": r["plate"], "customer": r["customer"],
            "phone": r["phone"], "member": "会员" if r["member"] else None, "next_km": r["next_service_km"],
            "items": r["next_service_items"], "mileage": r["mileage"], "last_service": r["delivered"],
            "service_type": r["service_type"], "advisor": r["advisor"], "list_status": None, "windows": windows,
            "_vin": r["vin"],
        })
    listed = {r["plate"] or r["phone"] for r in rows}
    on_list = {(r["plate"] or r["phone"]): r for r in records(checked, "maintenance_list")}
    for x in rows:  # a customer the callbacks list who is on the 一览表 too: where its letter stands
        hit = on_list.get(x["plate"] or x["phone"])
        if hit is not None:
            x["list_status"] = list_status(hit)
            x["items"] = x["items"] or hit["next_service_items"]
    rows += _from_list(checked, start, end, listed, windows)
    rows += _first_services(checked, config, start, end, listed, windows)
    club = members(checked)
    for x in rows:
        if club.of(x["plate"], x["phone"], x["_vin"]):
            x["member"] = "会员"
    rows.sort(key=lambda x: (x["member"] is None, x["due"], x["plate"] or ""))
    table = Table("due", "本周应保养客户（会员在前）", [
        col("due", "下次保养日期", "date"), col("weekday", "星期"), col("member", "会员"), col("plate", "车牌号"),
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"),
        col("next_km", "下次保养里程", "int"), col("items", "下次保养项目", width=24), col("mileage", "上次里程", "int"),
        col("last_service", "上次进厂", "date"), col("service_type", "上次维修类型"),
        col("advisor", "服务顾问"), col("list_status", "一览表状态", width=32), col("windows", "建议致电时段"),
    ], rows, empty_text="未来7天没有到期保养的客户")
    drop_empty_columns(table, ["items", "list_status"])
    sold_given = tables_of(checked, "delivery") or tables_of(checked, "customer_file") or tables_of(
        checked, "maintenance_list")
    notes = [] if sold_given else missing_note(checked, "service_callback")
    return Report(
        name="reminders", sheet="保养提醒", title=f"保养提醒 {period_text(start, end)}",
        period_start=start, period_end=end, as_of=date_of(as_of), tables=[table], call_list=True,
        notes=notes, fed=fed_by(checked, "service_callback", "delivery", "customer_file", "maintenance_list"),
        footnotes=[
            f"对象：下次保养日期在今天起 {DAYS} 天内（{period_text(start, end)}）的客户，按车牌去重（无车牌按电话），取最近一次进厂记录的下次保养日期。",
            f"首保：本店售出的车（交车登记表，或客户信息卡中购车类型为本店的）购车后还没回厂保养的，首保日期取交车登记表的首保日期，"
            f"未填时为交车日期 + {config.first_service_months} 个月，里程 {config.first_service_km} 公里。",
            "定期保养一览表中下次保养日期在这7天内、回访记录没有列出的车也列入，一览表状态写出邀请信和电话提醒到了哪一步。",
            f"建议致电时段 {windows}；会员排在前面，按会员方式联系。本表为拨打清单，电话完整显示，请勿外传。",
        ],
    )
