"""What the reports take from the delivery step: the day's deliveries per consultant (晨会日报)
and the cars sold here with their first maintenance (首保: 保养提醒, 客户流失).

A car sold here is a row of the delivery register, or a row of the customer file whose
购车类型 is 本店 with a 购车日期 (one car once, by VIN). Its 首保 is due on the 首保日期
typed in the register, else ``first_service_months`` after the sale; it came back when the
after-service log has a visit other than the 新车交付 call (or a free campaign visit) after the
sale, matched by VIN, plate or phone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from xl_dealer.model.config import Config
from xl_dealer.model.language import said
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import (
    add_months,
    col,
    records,
    records_where,
    shared,
    tables_of,
    with_totals,
)
from xl_dealer.reports.data import Table
from xl_dealer.rules.cadence import NEW_CAR
from xl_dealer.rules.delivery import thanks_moment


def deliveries_table(checked: list, day: dt.date, config: Config) -> Table:
    """The day's deliveries per consultant: thank-you calls within the hour, late, not recorded,
    after-sales person introduced."""
    limit = dt.timedelta(minutes=config.delivery_thanks_minutes)
    per: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("deliveries", "on_time", "late", "missing", "introduced"), 0))
    for r in records(checked, "delivery"):
        if r["delivered"] != day:
            continue
        s = per[r["consultant"] or "（未填）"]
        s["deliveries"] += 1
        s["introduced"] += r["service_intro"] is not False and r["advisor"] is not None
        start = dt.datetime.combine(day, r["delivery_time"]) if r["delivery_time"] else None
        call = thanks_moment(day, r["delivery_time"], r["thanks_at"])
        if call is None:
            s["missing"] += 1
        elif start is not None and call - start > limit:
            s["late"] += 1
        elif start is not None:
            s["on_time"] += 1
    rows = [{"consultant": k, **v, "rate": v["on_time"] / v["deliveries"] if v["deliveries"] else None}
            for k, v in sorted(per.items())]
    return with_totals(Table("deliveries", "昨日交车及感谢电话", [
        col("consultant", "销售顾问"), col("deliveries", "交车台数", "int", "sum"),
        col("on_time", "感谢电话及时", "int", "sum"), col("late", "感谢电话超时", "int", "sum"),
        col("missing", "未记录感谢电话", "int", "sum"), col("introduced", "已介绍售后", "int", "sum"),
        col("rate", "感谢电话及时率", "percent", "rate"),
    ], rows, empty_text=said("昨日没有交车", "no deliveries that day")), "consultant", {"rate": ("on_time", "deliveries")})


@dataclass(frozen=True, slots=True)
class SoldCar:
    sold: dt.date
    due: dt.date  # the 首保
    km: float | None
    vin: str | None
    plate: str | None
    customer: str | None
    phone: str | None
    advisor: str | None
    member: bool | None
    came_back: bool  # a service visit after the sale (not the 新车交付 call)

    @property
    def key(self) -> str | None:
        """The customer as the reports count them: plate, else phone (``common.customer_key``)."""
        return self.plate or phone_key(self.phone)


@shared
def sold_cars(checked: list, config: Config) -> list[SoldCar]:
    visits: list[tuple[dt.date, str | None, str | None, str | None]] = []
    from xl_dealer.reports.customers import campaign_visit

    campaign: dict[tuple[str | None, dt.date], bool] = {}  # (维修类型, day) → a campaign visit: pairs repeat
    for c in tables_of(checked, "service_callback"):
        for d, stype, vin, plate, phone in zip(c.col("delivered"), c.col("service_type"), c.col("vin"),
                                               c.col("plate"), c.col("phone"), strict=True):
            if d is None or stype == NEW_CAR:
                continue
            free = campaign.get((stype, d))
            if free is None:
                free = campaign[(stype, d)] = campaign_visit(stype, d, config)
            if not free:
                visits.append((d, vin, plate, phone_key(phone)))
    # a car came back when any visit of it is after the sale: its latest visit is, by VIN, plate or phone
    by_vin: dict[str, dt.date] = {}
    by_plate: dict[str, dt.date] = {}
    by_phone: dict[str, dt.date] = {}
    for d, vin, plate, phone in visits:
        for index, k in ((by_vin, vin), (by_plate, plate), (by_phone, phone)):
            if k and (k not in index or d > index[k]):
                index[k] = d

    def came_back(sold: dt.date, vin: str | None, plate: str | None, phone: str | None) -> bool:
        return any(k in index and index[k] > sold
                   for index, k in ((by_vin, vin), (by_plate, plate), (by_phone, phone_key(phone))) if k)

    out: list[SoldCar] = []
    seen: set[str] = set()
    months = config.first_service_months
    for r in records(checked, "delivery", ("delivered", "vin", "first_service_date", "first_service_km", "plate",
                                           "customer", "phone", "advisor", "member")):
        d = r["delivered"]
        if d is None or (r["vin"] and r["vin"] in seen):
            continue
        if r["vin"]:
            seen.add(r["vin"])
        out.append(SoldCar(d, r["first_service_date"] or add_months(d, months),
                           r["first_service_km"] or config.first_service_km, r["vin"], r["plate"], r["customer"],
                           r["phone"], r["advisor"], r["member"], came_back(d, r["vin"], r["plate"], r["phone"])))
    for r in records_where(checked, "customer_file", "buy_type", lambda v: v == "本店",
                           ("bought", "buy_type", "vin", "plate", "customer", "phone", "member")):
        d = r["bought"]
        if d is None or (r["vin"] and r["vin"] in seen):
            continue
        if r["vin"]:
            seen.add(r["vin"])
        out.append(SoldCar(d, add_months(d, months), config.first_service_km, r["vin"], r["plate"], r["customer"],
                           r["phone"], None, r["member"], came_back(d, r["vin"], r["plate"], r["phone"])))
    return out
