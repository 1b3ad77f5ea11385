"""Rules of the delivery register (交车登记表), and the ones that tie a delivery to the
follow-up cards and the after-service log.

The seed: hand the car over by the delivery procedure, introduce the after-sales staff,
call the customer to thank them within one hour after the delivery, do the 一级回访, and
the information clerk calls delivered customers 7 days later (新车交付).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.table import Table
from xl_dealer.read.values import phone_key
from xl_dealer.rules.base import Checked, Emitter, display_header, show_value
from xl_dealer.rules.cadence import NEW_CAR, card_open
from xl_dealer.rules.cross import ready, usable
from xl_dealer.rules.shared import shared

for _rule in ("delivery.thanks_late", "delivery.thanks_missing", "delivery.service_intro", "delivery.first_callback",
              "delivery.new_car_call", "card.not_closed"):
    register(_rule, "{problem}", "{problem_en}")


def _header(t: Table, key: str) -> str:
    return display_header(t.headers.get(key) or t.kind.field(key).header)


def _hm(m: dt.datetime | dt.time) -> str:
    return m.strftime("%H:%M")


def thanks_moment(day: dt.date, start: dt.time | None, call: dt.time | dt.datetime | None) -> dt.datetime | None:
    """When the thank-you call was made: a date and time as written; a time alone is on the
    delivery day, or the next day when it is earlier than the delivery (交车 23:30, call 0:20)."""
    if call is None:
        return None
    if isinstance(call, dt.datetime):
        return call
    m = dt.datetime.combine(day, call)
    if start is not None and call < start:
        m += dt.timedelta(days=1)
    return m


def check_delivery(c: Checked, config: Config, em: Emitter) -> None:
    duplicate_vins(c, em)
    _thanks(c, config, em)
    _service_intro(c, em)
    _first_callback(c, config, em)


def duplicate_vins(c: Checked, em: Emitter) -> None:
    """The same car (VIN) twice in one sheet: flagged on the later rows."""
    t = c.table
    if "vin" not in t.columns:
        return
    seen: dict[str, int] = {}
    for i, v in enumerate(c.col("vin")):
        if v is None:
            continue
        if v in seen:
            em.at(t, i, "vin", "duplicate", v, first_row=t.rows[seen[v]], what=f"车架号「{v}」", what_en=f"VIN '{v}'")
        else:
            seen[v] = i


def _thanks(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    minutes = config.delivery_thanks_minutes
    limit = dt.timedelta(minutes=minutes)
    now = em.moment
    days, starts, calls = c.col("delivered"), c.col("delivery_time"), c.col("thanks_at")
    has_column = t.has("thanks_at")
    bad = c.bad.get("thanks_at", set())
    unseen = 0  # deliveries whose call the sheet cannot show: it has no 感谢电话时间 column
    head = _header(t, "thanks_at")
    for i, d in enumerate(days):
        if d is None or i in bad:
            continue
        start = starts[i]
        began = dt.datetime.combine(d, start) if start is not None else None
        call = thanks_moment(d, start, calls[i])
        if call is None:
            latest = began or dt.datetime.combine(d, dt.time(23, 59, 59))  # no time: the day's end at the latest
            if now - latest <= limit:
                continue
            if not has_column:
                unseen += 1
                continue
            when = f"{d.isoformat()} {_hm(began)}" if began else d.isoformat()
            em.at(t, i, "thanks_at", "delivery.thanks_missing", None,
                  problem=f"{when}交车，「{head}」没有记录：交车后{minutes}分钟内应给客户打感谢电话，打过请填写时间。",
                  problem_en=f"Delivered {when} with no thank-you call recorded (due within {minutes} minutes).")
            continue
        if began is None:
            continue
        if call < began:  # a date and time before the car was handed over
            em.at(t, i, "thanks_at", "time.order", calls[i], start_column=_header(t, "delivery_time"),
                  start=f"{d.isoformat()} {_hm(began)}")
            continue
        late = int((call - began).total_seconds() // 60)
        if call - began > limit:
            next_day = "（按次日计）" if not isinstance(calls[i], dt.datetime) and call.date() > d else ""
            em.at(t, i, "thanks_at", "delivery.thanks_late", calls[i],
                  problem=(f"感谢电话{_hm(call)}{next_day}打在交车（{_hm(began)}）后{_span(late)}，超过{minutes}分钟："
                           "交车完毕后一小时内应给客户打感谢电话。"),
                  problem_en=f"Thank-you call at {_hm(call)}, {late} minutes after the delivery at {_hm(began)} "
                             f"(due within {minutes}).")
    if unseen:
        em.sheet(t, "thanks_at", "delivery.thanks_missing", value=unseen,
                 problem=f"本表没有「感谢电话时间」列：{unseen}台交车无法确认是否在交车后{minutes}分钟内打了感谢电话，"
                         "请加上这一列并填写。",
                 problem_en=f"The sheet has no 感谢电话时间 column: for {unseen} deliveries the thank-you call "
                            "cannot be seen; add the column.")


def _span(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m}分钟"
    return f"{h}小时{m}分钟" if m else f"{h}小时"


def _service_intro(c: Checked, em: Emitter) -> None:
    """介绍售后 = 否, or no 服务顾问 (the after-sales person introduced) on the row."""
    t = c.table
    intro, advisor = c.col("service_intro"), c.col("advisor")
    bad = c.bad.get("advisor", set())
    for i, said in enumerate(intro):
        if said is False:
            em.at(t, i, "service_intro", "delivery.service_intro", said,
                  problem=f"「{_header(t, 'service_intro')}」为否：交车时应向客户介绍售后服务顾问，请介绍并填写服务顾问。",
                  problem_en="No after-sales person was introduced at the delivery (介绍售后 = 否).")
        elif "advisor" in t.columns and advisor[i] is None and i not in bad:
            em.at(t, i, "advisor", "delivery.service_intro", None,
                  problem=f"「{_header(t, 'advisor')}」为空：交车时应向客户介绍售后服务顾问，请填写介绍的服务顾问。",
                  problem_en="No after-sales person introduced: 服务顾问 is blank.")


def _first_callback(c: Checked, config: Config, em: Emitter) -> None:
    """The consultant's 一级回访 within ``delivery_first_callback_days`` of the delivery."""
    t = c.table
    n = config.delivery_first_callback_days
    days, done = c.col("delivered"), c.col("first_callback")
    bad = c.bad.get("first_callback", set())
    head = _header(t, "first_callback")
    has_column = t.has("first_callback")
    due_unseen = 0
    for i, d in enumerate(days):
        if d is None or i in bad:
            continue
        f = done[i]
        if f is None:
            if (em.as_of - d).days <= n:
                continue
            if not has_column:
                due_unseen += 1
                continue
            em.at(t, i, "first_callback", "delivery.first_callback", None,
                  problem=f"{d.isoformat()}交车已{(em.as_of - d).days}天，还没有一级回访（要求{n}天内）：请回访客户并填写「{head}」。",
                  problem_en=f"Delivered {d.isoformat()}, {(em.as_of - d).days} days ago, and no 一级回访 yet "
                             f"(due within {n} days).")
        elif f < d:
            em.at(t, i, "first_callback", "time.order", f, start_column=_header(t, "delivered"), start=d.isoformat())
        elif (f - d).days > n:
            em.at(t, i, "first_callback", "delivery.first_callback", f,
                  problem=f"一级回访在交车（{d.isoformat()}）后第{(f - d).days}天才做，超过{n}天的要求。",
                  problem_en=f"The 一级回访 came {(f - d).days} days after the delivery on {d.isoformat()} "
                             f"(due within {n}).")
    if due_unseen:
        em.sheet(t, "first_callback", "delivery.first_callback", value=due_unseen,
                 problem=f"本表没有「一级回访日期」列：{due_unseen}台交车超过{n}天，无法确认是否做了一级回访，请加上这一列并填写。",
                 problem_en=f"The sheet has no 一级回访日期 column: {due_unseen} deliveries older than {n} days "
                            "cannot show their 一级回访; add the column.")


# ---------------------------------------------------------------- across workbooks


@shared  # followup.overdue, card.not_closed and 今日跟进
def deliveries_by_phone(checked: list[Checked]) -> dict[str, tuple[dt.date, Checked, int]]:
    """phone key → the latest delivery of a car to that customer (day, sheet, row)."""
    out: dict[str, tuple[dt.date, Checked, int]] = {}
    for c in checked:
        if c.kind != "delivery":
            continue
        for i, (d, p) in enumerate(zip(c.col("delivered"), c.col("phone"), strict=True)):
            k = phone_key(p)
            if d is None or k is None:
                continue
            if k not in out or d > out[k][0]:
                out[k] = (d, c, i)
    return out


def delivered_card(phone: str | None, made: dt.date | None, delivered: dict[str, tuple[dt.date, Checked, int]],
                   as_of: dt.date) -> tuple[dt.date, Checked, int] | None:
    """The delivery that closes a card: the customer's car was delivered on or after the day the
    card was made (a card opened after a delivery is a new intent: a second car)."""
    hit = delivered.get(phone_key(phone) or "")
    if hit is None or hit[0] > as_of or (made is not None and made > hit[0]):
        return None
    return hit


def where(c: Checked, i: int) -> str:
    """A row as a clerk finds it: 交车登记.xlsx「11月」第12行."""
    t = c.table
    return f"{Path(t.path).name}「{t.sheet}」第{t.rows[i]}行"


def check_card_not_closed(checked: list[Checked], config: Config, em: Emitter) -> None:
    """A delivered customer (by phone) whose follow-up card is still open: they still count
    in 今日跟进 and the overdue lists (which leave them out: this rule says it once)."""
    deliveries = [c for c in checked if c.kind == "delivery"]
    cards = [c for c in checked if c.kind == "followup_card"]
    if not deliveries or not cards:
        return
    what, what_en = "已交车客户的跟进卡是否已关闭", "whether delivered customers' cards are closed"
    if not ready(em, "card.not_closed", deliveries, ("phone", "delivered"), what, what_en):
        return
    delivered = deliveries_by_phone(checked)
    for c in usable(em, "card.not_closed", cards, ("phone",), what, what_en):
        t = c.table
        cols = zip(c.col("phone"), c.col("card_date"), c.col("level"), c.col("status"), strict=True)
        for i, (phone, made, level, status) in enumerate(cols):
            if not card_open(level, status, config):
                continue
            hit = delivered_card(phone, made, delivered, em.as_of)
            if hit is None:
                continue
            d, src, j = hit
            state = "、".join(x for x in (status, f"{level}级" if level else None) if x)
            em.at(t, i, "status", "card.not_closed", status, cell_key="status" if "status" in t.columns else "level",
                  problem=f"客户已于{d.isoformat()}交车（{where(src, j)}），跟进卡仍是「{state}」：请把状态改为成交、级别改为D。",
                  problem_en=f"The customer took delivery on {d.isoformat()} ({where(src, j)}), but the card is still "
                             f"'{state}': close it (成交, level D).")


def check_new_car_call(checked: list[Checked], config: Config, em: Emitter) -> None:
    """A car delivered more than ``callback_new_car_days`` ago with no 新车交付 callback in the
    after-service log, matched by VIN, else plate, else phone. Only deliveries the log covers
    count (delivered on or after its first call), so a log kept from this month on does not
    make last month's deliveries look uncalled."""
    deliveries = [c for c in checked if c.kind == "delivery"]
    calls = [c for c in checked if c.kind == "service_callback"]
    if not deliveries or not calls:
        return
    what, what_en = "交车7天后的新车回访是否已做", "whether each delivered car got its 新车交付 callback"
    keys = (("vin", "plate", "phone"),)
    if not ready(em, "delivery.new_car_call", calls, ("service_type", "called", *keys), what, what_en):
        return
    vins: set[str] = set()
    plates: set[str] = set()
    phones: set[str] = set()
    first_call: dt.date | None = None
    for c in calls:
        cols = zip(c.col("service_type"), c.col("vin"), c.col("plate"), c.col("phone"), c.col("called"), strict=True)
        for stype, vin, plate, phone, called in cols:
            if called is not None and (first_call is None or called < first_call):
                first_call = called
            if stype != NEW_CAR:
                continue
            vins.update([vin] if vin else [])
            plates.update([plate] if plate else [])
            phones.update([phone_key(phone)] if phone else [])
    if first_call is None:
        return
    days = config.callback_new_car_days
    for c in usable(em, "delivery.new_car_call", deliveries, ("delivered", *keys), what, what_en):
        t = c.table
        cols = zip(c.col("delivered"), c.col("vin"), c.col("plate"), c.col("phone"), c.col("customer"), strict=True)
        for i, (d, vin, plate, phone, name) in enumerate(cols):
            if d is None or (em.as_of - d).days <= days or d < first_call:
                continue
            if (vin and vin in vins) or (plate and plate in plates) or (phone and phone_key(phone) in phones):
                continue
            car = f"{name or ''}（{vin or plate or show_value(phone)}）"
            em.at(t, i, "delivered", "delivery.new_car_call", d,
                  problem=f"{d.isoformat()}交车的{car}已过{(em.as_of - d).days}天，售后回访记录中还没有新车交付回访"
                          f"（要求交车后{days}天回访）：请安排回访。",
                  problem_en=f"{car}, delivered {d.isoformat()}, has no 新车交付 callback in the after-service log "
                             f"after {(em.as_of - d).days} days (due after {days}).")
