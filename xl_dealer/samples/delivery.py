"""Sample delivery register (交车登记表) and customer file (客户信息卡), tied to the other samples.

The month's deliveries are the cars the after-service sample called as 新车交付 (so the
new-car callbacks are there) and the cards the sales sample closed as 成交 in the last days;
the customer file holds every car the after-service log knows, with its latest owner, and
every car delivered. Planted, as a month of a real store has them: a late and a missing
thank-you call, a VIN typo, an after-sales person not introduced, a 一级回访 not done, a car
whose new-car callback never came, a delivered customer whose card is still open, a car
entered twice, a plate whose owner changed, a serviced car missing from the file. Each is
recorded (``SheetData.planted``); the ones found on other samples' sheets go onto them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key, to_date, to_phone, to_plate, vin_check_digit
from xl_dealer.samples.common import (
    CONSULTANTS,
    MODELS,
    Names,
    SheetData,
    id_number,
    messy_phone,
    messy_time,
    yes,
)

DL_HEADERS = {
    "delivered": "*交车日期", "delivery_time": "*交车时间", "customer": "*客户姓名", "phone": "*联系电话",
    "model": "*车型", "vin": "*车架号", "plate": "车牌号", "consultant": "*销售顾问", "advisor": "*服务顾问",
    "service_intro": "介绍售后", "thanks_at": "感谢电话时间", "thanks_by": "感谢电话人",
    "first_callback": "一级回访日期", "first_callback_note": "一级回访内容", "first_service_date": "首保日期",
    "first_service_km": "首保里程", "member": "会员/入会", "remark": "备注",
}
CF_HEADERS = {
    "customer": "*客户姓名", "phone": "*联系电话", "plate": "车牌号", "vin": "*车架号", "model": "*车型",
    "bought": "购车日期", "buy_type": "购车类型", "customer_type": "客户类型", "member": "会员", "joined": "入会日期",
    "region": "区域/地址", "id_no": "身份证号", "last_visit": "最近进厂日期", "last_km": "最近里程", "remark": "备注",
}
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
WMIS = ("LSV", "LFV", "LGB", "LVG", "LHG", "LNB")
NOTES = ("客户满意，已讲解保养周期", "询问了首保时间", "对新车很满意", "已提醒首保", "建议办理会员")
DISTRICTS = ("天河区", "越秀区", "海珠区", "白云区", "番禺区", "黄埔区")


def vin(rng: random.Random, year: str = "T") -> str:
    """A VIN with the right check digit (found through ``values.vin_check_digit``, i.e. vininfo)."""
    while True:
        body = rng.choice(WMIS) + "".join(rng.choice(VIN_CHARS) for _ in range(5)) + "0" + year + \
            rng.choice(VIN_CHARS) + f"{rng.randint(0, 999999):06d}"
        d = vin_check_digit(body)
        if d is not None:
            return body[:8] + d + body[9:]


def _typo(rng: random.Random, v: str) -> str:
    """One character of the serial mistyped: the check digit no longer fits."""
    while True:
        i = rng.randint(11, 16)
        bad = v[:i] + rng.choice("0123456789".replace(v[i], "")) + v[i + 1:]
        if vin_check_digit(bad) != bad[8]:
            return bad


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60 % 24, minutes % 60)


def _written(rng: random.Random, v: str) -> str:
    """A VIN as clerks copy it: mostly as printed, sometimes lower case or in groups."""
    x = rng.random()
    if x < 0.1:
        return v.lower()
    if x < 0.15:
        return f"{v[:3]} {v[3:9]} {v[9:]}"
    return v


def generate_delivery(end: dt.date, cards: SheetData, callbacks: SheetData, history: SheetData, seed: int = 17,
                      config: Config | None = None) -> tuple[SheetData, SheetData]:
    config = config or Config()
    rng = random.Random(seed)
    names = Names(rng)
    last_day = end - dt.timedelta(days=1)
    reg = SheetData(f"{last_day.month}月交车", DL_HEADERS, [], title=f"交车登记表 {last_day:%Y年%m月}")
    cb_planted = {i for i, _, _ in callbacks.planted}

    cars: list[dict[str, Any]] = []  # one per delivery: the row and what the customer file needs
    for i, r in enumerate(callbacks.rows):
        if r["service_type"] != "新车交付" or i in cb_planted or r.get("_retry") or to_plate(r["plate"])[1]:
            continue
        cars.append({"delivered": r["delivered"], "customer": r["customer"], "phone": r["phone"],
                     "plate": r["plate"], "advisor": r["advisor"], "consultant": rng.choice(CONSULTANTS)})
    sold = []
    for i, r in enumerate(cards.rows):
        made = to_date(r["card_date"])[0]
        if r["status"] == "成交" and made is not None and i not in {j for j, _, _ in cards.planted}:
            sold.append((made, r))
    for made, r in sorted(sold, key=lambda x: x[0])[-4:]:  # the latest sales, delivered these last days
        first = max(made, end - dt.timedelta(days=6))
        cars.append({"delivered": first + dt.timedelta(days=rng.randint(0, (last_day - first).days)),
                     "customer": r["customer"], "phone": to_phone(r["phone"])[0], "plate": None,
                     "advisor": rng.choice(("黄志强", "周敏", "吴涛", "郑丽")), "consultant": r["consultant"]})
    # a customer whose card is still open takes delivery yesterday: card.not_closed on the card
    planted_cards = {j for j, _, _ in cards.planted}
    open_cards = [(j, r) for j, r in enumerate(cards.rows) if r["status"] == "跟进中" and j not in planted_cards
                  and (to_date(r["card_date"])[0] or end) < last_day]
    if open_cards:
        j, r = rng.choice(open_cards)
        cars.append({"delivered": last_day, "customer": r["customer"], "phone": to_phone(r["phone"])[0],
                     "plate": None, "advisor": "周敏", "consultant": r["consultant"], "_card": j})
        cards.planted.append((j, "status", "card.not_closed"))
    # a car delivered ten days ago that the after-service log never called
    cars.append({"delivered": end - dt.timedelta(days=10), "customer": names.person(), "phone": names.phone(),
                 "plate": None, "advisor": "吴涛", "consultant": rng.choice(CONSULTANTS), "_uncalled": True})
    cars.sort(key=lambda c: c["delivered"])

    for c in cars:
        c["vin"] = vin(rng)
        c["model"] = rng.choice(MODELS)
        start = rng.randint(9 * 60, 18 * 60)
        d = c["delivered"]
        first_cb = d + dt.timedelta(days=rng.randint(1, config.delivery_first_callback_days))
        row = {
            "delivered": d, "delivery_time": messy_time(rng, _clock(start)), "customer": c["customer"],
            "phone": messy_phone(rng, c["phone"]), "model": c["model"], "vin": _written(rng, c["vin"]),
            "plate": c["plate"], "consultant": c["consultant"], "advisor": c["advisor"], "service_intro": yes(rng, True),
            "thanks_at": messy_time(rng, _clock(start + rng.randint(10, 55))), "thanks_by": c["consultant"],
            "first_callback": first_cb if first_cb <= last_day else None,
            "first_callback_note": rng.choice(NOTES) if first_cb <= last_day else None,
            "first_service_date": None, "first_service_km": None,
            "member": yes(rng, rng.random() < 0.4), "remark": rng.choice(("", "", "全款", "按揭", "置换")),
        }
        reg.rows.append(row)
        c["row"] = row
    for i, c in enumerate(cars):
        if c.get("_uncalled"):
            reg.planted.append((i, "delivered", "delivery.new_car_call"))
    _plant(rng, reg, cars, end, config)

    file = _customer_file(rng, names, end, cars, callbacks, history)
    return reg, file


def _plant(rng: random.Random, reg: SheetData, cars: list[dict[str, Any]], end: dt.date, config: Config) -> None:
    rows = reg.rows
    used = {i for i, _, _ in reg.planted} | {i for i, c in enumerate(cars) if "_card" in c}

    def pick(ok=lambda r: True) -> int | None:
        cands = [i for i, r in enumerate(rows) if i not in used and ok(r) and r["delivered"] < end - dt.timedelta(days=1)]
        if not cands:
            return None
        i = rng.choice(cands)
        used.add(i)
        return i

    def start_of(r: dict[str, Any]) -> int:
        t = r["delivery_time"]
        t = t if isinstance(t, dt.time) else dt.time.fromisoformat(_hhmm(t))
        return t.hour * 60 + t.minute

    if (i := pick()) is not None:
        rows[i]["thanks_at"] = _clock(start_of(rows[i]) + config.delivery_thanks_minutes + rng.randint(20, 90))
        reg.planted.append((i, "thanks_at", "delivery.thanks_late"))
    if (i := pick()) is not None:
        rows[i]["thanks_at"], rows[i]["thanks_by"] = None, None
        reg.planted.append((i, "thanks_at", "delivery.thanks_missing"))
    if (i := pick()) is not None:
        rows[i]["vin"] = _typo(rng, cars[i]["vin"])
        cars[i]["vin_typo"] = True
        reg.planted.append((i, "vin", "format.vin"))
    if (i := pick()) is not None:
        rows[i]["service_intro"] = "否"
        reg.planted.append((i, "service_intro", "delivery.service_intro"))
    late = end - dt.timedelta(days=config.delivery_first_callback_days + 1)
    if (i := pick(lambda r: r["delivered"] <= late)) is not None:
        rows[i]["first_callback"], rows[i]["first_callback_note"] = None, None
        reg.planted.append((i, "first_callback", "delivery.first_callback"))
    # the same car entered twice, a few rows later
    if (i := pick()) is not None:
        dup = dict(rows[i])
        rows.append(dup)
        cars.append({**cars[i], "row": dup, "_dup": True})
        reg.planted.append((len(rows) - 1, "vin", "duplicate"))


def _hhmm(s: str) -> str:
    from xl_dealer.read.values import to_time

    t = to_time(s)[0]
    return t.strftime("%H:%M") if t else "10:00"


def _customer_file(rng: random.Random, names: Names, end: dt.date, cars: list[dict[str, Any]],
                   callbacks: SheetData, history: SheetData) -> SheetData:
    """Every car the after-service log knows (its latest owner) and every car delivered."""
    file = SheetData("客户信息卡", CF_HEADERS, [], title="客户信息卡（客户档案）")
    cb_planted = {i for i, _, _ in callbacks.planted}
    latest: dict[str, tuple[dt.date, dict[str, Any], str, int]] = {}  # plate -> (day, row, sheet, index)
    for sheet in (callbacks, history):
        for i, r in enumerate(sheet.rows):
            plate, bad = to_plate(r["plate"])
            if bad or plate is None:
                continue
            day = r["called"] or r["delivered"]
            if plate not in latest or day >= latest[plate][0]:
                latest[plate] = (day, r, sheet.name, i)
    delivered_plates = {c["plate"] for c in cars if c["plate"]}
    first_row: dict[str, int] = {}
    for i, r in enumerate(callbacks.rows):
        p = to_plate(r["plate"])[0]
        if p and p not in first_row:
            first_row[p] = i
    history_plates = {to_plate(r["plate"])[0] for r in history.rows}
    # a serviced car nobody put in the file: a one-off customer of the month's log
    one_off = sorted(p for p in latest if p in first_row and p not in history_plates and p not in delivered_plates
                     and first_row[p] not in cb_planted)
    missing = rng.choice(one_off) if one_off else None
    if missing:
        callbacks.planted.append((first_row[missing], "plate", "customer.unknown"))
    changed = rng.choice([p for p in one_off if p != missing]) if len(one_off) > 1 else None
    # and a customer who stopped coming: their car was sold on, the file has the new owner
    # (the churn list shows it beside the plate, so the clerk calls the right person)
    gone = sorted(p for p, (day, _, sheet, _) in latest.items() if sheet == history.name and p not in delivered_plates
                  and day < end - dt.timedelta(days=230))
    sold_on = rng.choice(gone) if gone else None

    rows: list[dict[str, Any]] = []
    for plate, (_, r, _, _) in sorted(latest.items()):
        if plate == missing or plate in delivered_plates:
            continue
        owner, phone = r["customer"], r["phone"]
        row = _file_row(rng, end, owner, phone, plate, vin(rng, rng.choice("GHJKLMN")), rng.choice(MODELS),
                        end - dt.timedelta(days=rng.randint(800, 2500)), rng.choice(("他店", "他销", "本店")),
                        r.get("delivered"), r.get("mileage"))
        if plate in (changed, sold_on):  # the car was sold on: the file and the log name different owners
            row["customer"], row["phone"] = names.person(), names.phone()
            row["_planted"] = "customer.mismatch"
        rows.append(row)
    for c in cars:
        if c.get("_dup"):
            continue  # the register's mistakes are not the file's: it has each car once, its VIN right
        rows.append(_file_row(rng, end, c["customer"], c["phone"], c["plate"], c["vin"], c["model"], c["delivered"],
                              "本店", None, None))
    # a car sold here before, due for its 首保 next week, and one sold ten months ago never back
    rows.append(_file_row(rng, end, names.person(), names.phone(), None, vin(rng, "S"), rng.choice(MODELS),
                          _months_before(end, 3) + dt.timedelta(days=2), "本店", None, None))
    rows.append(_file_row(rng, end, names.person(), names.phone(), None, vin(rng, "S"), rng.choice(MODELS),
                          _months_before(end, 10), "本店", None, None))
    rng.shuffle(rows)
    dup = rng.choice([i for i in range(len(rows) // 2) if "_planted" not in rows[i]])
    rows.append(dict(rows[dup], remark="重复建档", _planted="duplicate"))
    file.rows = rows
    for i, r in enumerate(rows):
        rule = r.pop("_planted", None)
        if rule:
            file.planted.append((i, "phone" if rule == "customer.mismatch" else "vin", rule))
    return file


def _months_before(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 - n, 12)
    return dt.date(day.year + y, m + 1, min(day.day, 28))


def _file_row(rng: random.Random, end: dt.date, owner: str, phone: str, plate: str | None, v: str, model: str,
              bought: dt.date, buy_type: str, last_visit: dt.date | None, km: Any) -> dict[str, Any]:
    member = rng.random() < 0.35
    return {
        "customer": owner, "phone": messy_phone(rng, phone) if phone_key(phone) else phone, "plate": plate,
        "vin": _written(rng, v), "model": model, "bought": bought, "buy_type": buy_type,
        "customer_type": rng.choice(("私家车", "私家车", "私家车", "公司车", "营运")), "member": yes(rng, member),
        "joined": min(bought + dt.timedelta(days=rng.randint(0, 30)), end - dt.timedelta(days=1)) if member else None,
        "region": rng.choice(DISTRICTS), "id_no": id_number(rng, dt.date(rng.randint(1965, 2000), rng.randint(1, 12),
                                                                          rng.randint(1, 28))),
        "last_visit": last_visit, "last_km": km if isinstance(km, int) else None,
        "remark": rng.choice(("", "", "", "老客户", "已办会员卡")),
    }

