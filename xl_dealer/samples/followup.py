"""Sample follow-up workbook (客户跟进卡 + 跟进记录) made from a generated visitor log.

Consistent with the visitor log: a card for every phone left there (except the
planted ``card.missing`` ones), each open card followed up by its consultant
within its level's cadence, at least the daily target of log rows on every day
a consultant worked. The log covers only the last ``log_days`` days, as a log
started mid-month would. Every planted mistake is recorded (see ``samples``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key, to_date, to_phone
from xl_dealer.samples.common import CONSULTANTS, SOURCES, SheetData, messy_date, messy_phone

CARD_HEADERS = {
    "card_date": "*建卡日期", "customer": "*客户姓名", "phone": "*联系电话", "model": "*意向车型",
    "level": "*意向级别", "source": "信息来源", "consultant": "*销售顾问", "status": "*状态",
    "lost_reason": "战败原因", "last_contact": "最近跟进日期", "next_date": "下次跟进日期",
    "churn_call": "流失回访日期", "churn_result": "流失回访结果", "remark": "备注",
}
LOG_HEADERS = {
    "date": "*跟进日期", "time": "跟进时间", "consultant": "*销售顾问", "customer": "*客户姓名",
    "phone": "*联系电话", "level": "*意向级别", "channel": "*跟进方式", "content": "*跟进内容",
    "feedback": "客户反馈", "next_date": "下次跟进日期", "submitted_at": "提交时间", "manager_signed": "经理签字",
}
LOST_REASONS = ("价格原因，买了竞品", "预算不足，暂缓购车", "家人意见不一致", "购买了二手车", "联系不上")
CONTENTS = ("介绍本月优惠政策", "邀约周末到店试驾", "发送车型配置单", "回答贷款方案问题", "确认交车时间",
            "邀请参加店内活动", "询问购车进展", "报价并说明赠品")
FEEDBACK = ("", "考虑中", "周末到店", "在比较竞品", "等家人商量", "对价格有顾虑", "很感兴趣")
MANAGER = ("张经理", "张经理", "√", "已阅")


@dataclass(slots=True)
class _Card:
    row: dict[str, Any]
    phone: str
    consultant: str
    made: dt.date
    level: str
    cadence: int | None  # None: closed
    last: dt.date
    cut: dt.date | None = None  # neglected: no contact after this day


def generate_followup(reg: SheetData, end: dt.date, seed: int = 11, log_days: int = 20,
                      mistakes: float = 0.05, config: Config | None = None) -> tuple[SheetData, SheetData]:
    """Cards and a log for the visitor log ``reg`` (planted ``card.missing`` go onto ``reg``)."""
    config = config or Config()
    rng = random.Random(seed)
    target = config.followup_daily_target
    log_start, log_end = end - dt.timedelta(days=log_days), end - dt.timedelta(days=1)
    first_day = log_start - dt.timedelta(days=30)

    # the visitor log as validate will read it
    by_phone: dict[str, list[int]] = defaultdict(list)
    worked: set[tuple[str, dt.date]] = set()
    for i, r in enumerate(reg.rows):
        day = to_date(r["date"])[0]
        if r.get("consultant") and day is not None:
            worked.add((r["consultant"], day))
        p = to_phone(r["phone"])[0]
        if p is not None:
            by_phone[phone_key(p)].append(i)
    planted_rows = {i for i, _, _ in reg.planted}

    # phones that get no card: planted card.missing on each of their visitor-log rows
    clean = [p for p, rows in by_phone.items() if len(rows) == 1 and rows[0] not in planted_rows]
    missing = set(rng.sample(clean, min(len(clean), max(2, len(by_phone) // 60))))
    for p in missing:
        reg.planted.extend((i, "phone", "card.missing") for i in by_phone[p])

    cards_sheet = SheetData("客户跟进卡", CARD_HEADERS, [], title="客户跟进卡（意向客户档案）")
    cards: list[_Card] = []
    for p, rows in by_phone.items():
        if p in missing:
            continue
        r = reg.rows[rows[0]]
        made = to_date(r["date"])[0]
        if made is None or made > log_end:
            made = first_day
        level = str(r["level"] or "").upper()
        level = level if level in ("O", "H", "A", "B", "C", "N") else "B"
        consultant = r.get("consultant") or rng.choice(CONSULTANTS)
        x = rng.random()
        status, reason = ("已订车" if level == "O" else "跟进中"), None
        if x < 0.07:
            status, level, reason = "战败", "F", rng.choice(LOST_REASONS)
        elif x < 0.09:
            status, level, reason = "流失", "L", "电话停机，联系不上"
        elif x < 0.12:
            status, level = "成交", "D"
        elif x < 0.16:
            status, level = "已订车", "O"
        elif x < 0.19:
            status, level = "休眠", "C"
        row = {"card_date": messy_date(rng, made), "customer": r["customer"], "phone": messy_phone(rng, p),
               "model": r["model"], "level": level, "source": rng.choice(SOURCES), "consultant": consultant,
               "status": status, "lost_reason": reason, "last_contact": None, "next_date": None,
               "remark": rng.choice(("", "", "", "关注油耗", "二胎家庭", "换购"))}
        cards.append(_Card(row, p, consultant, made, level, config.levels[level].cadence_days, made))
    cards.sort(key=lambda c: (c.made, c.consultant))
    cards_sheet.rows = [c.row for c in cards]

    # a few open cards are neglected: no contact for longer than their cadence
    open_ids = [i for i, c in enumerate(cards) if c.cadence is not None]
    old = [i for i in open_ids if cards[i].made < end - dt.timedelta(days=cards[i].cadence + 8)]
    neglected = rng.sample(old, min(len(old), max(2, int(len(cards) * mistakes / 4))))
    for i in neglected:
        c = cards[i]
        c.cut = end - dt.timedelta(days=c.cadence + 2 + rng.randint(0, 3))

    log = SheetData("跟进记录", LOG_HEADERS, [], title=f"意向客户跟进记录 {log_start:%Y年%m月%d日}起")
    contacts: list[tuple[dt.date, str, _Card]] = []
    mine: dict[str, list[_Card]] = defaultdict(list)
    for c in cards:
        mine[c.consultant].append(c)
    gaps = {id(c): _gap(rng, c.cadence) for c in cards}
    short_planted = 0
    day = log_start
    while day <= log_end:
        today: dict[str, list[_Card]] = defaultdict(list)
        for c in cards:
            if c.cadence is None or c.made >= day or (c.cut and day > c.cut):
                continue
            due = (day - c.last).days >= gaps[id(c)] and (c.consultant, day) in worked
            final = day == log_end and (end - c.last).days > c.cadence
            if due or final:
                today[c.consultant].append(c)
                c.last, gaps[id(c)] = day, _gap(rng, c.cadence)
        for who in CONSULTANTS:
            if (who, day) not in worked and not today[who]:
                continue  # a rest day
            # a few worked days fall short of the quota (the ones with fewer due cards than the target)
            if (short_planted < 3 and log_start < day < log_end and (who, day) in worked
                    and len(today[who]) < target and rng.random() < 0.1):
                short_planted += 1
                log.planted_groups.append((f"{who} {day.isoformat()}", "consultant", "followup.quota"))
                continue
            # the quota counts open customers only (a call to a 战败 or delivered one does not fill it)
            # not in today[who]: a card there by identity; a twin of one (a planted duplicate card
            # equals it field by field) only looked for among its phone's. ``in today[who]`` for
            # every card was quadratic in the rows (200k rows did not finish in 20 minutes)
            due_ids = set(map(id, today[who]))
            phones = {t.phone for t in today[who]}
            pool = [c for c in mine[who] if c.made < day and c.cadence is not None and id(c) not in due_ids
                    and not (c.phone in phones and c in today[who]) and not (c.cut and day > c.cut)]
            rng.shuffle(pool)
            while len(today[who]) < target + rng.randint(0, 2) and pool:
                c = pool.pop()
                if c.cadence is not None:
                    c.last = day
                today[who].append(c)
        for who, cs in today.items():
            contacts.extend((day, who, c) for c in cs)
        day += dt.timedelta(days=1)

    _log_rows(rng, log, contacts)
    last_logged: dict[int, dt.date] = {}
    for d, _, c in contacts:
        last_logged[id(c)] = max(d, last_logged.get(id(c), d))
    for c in cards:
        if id(c) in last_logged and rng.random() < 0.7:
            c.row["last_contact"] = last_logged[id(c)]
        if c.cadence is not None:
            c.row["next_date"] = c.last + dt.timedelta(days=c.cadence)
    _plant_cards(rng, cards_sheet, cards, neglected)
    _plant_log(rng, log, mistakes)
    _arrivals(rng, reg, log, worked, end)
    # the information clerk has called one customer lost on price, inviting them for service (prospects)
    priced = [c.row for c in cards if c.row["status"] == "战败" and "价格" in (c.row["lost_reason"] or "")]
    if priced:
        priced[0].update(churn_call=end - dt.timedelta(days=2), churn_result="买了别家的车，答应保养来我店看看")
    return cards_sheet, log


def _arrivals(rng: random.Random, reg: SheetData, log: SheetData, worked: set[tuple[str, dt.date]],
              end: dt.date) -> None:
    """About half the customers invited to the showroom (邀约) come in a few days later: a
    再次 walk-in on the visitor log, on a day their consultant works and they did not visit
    already (two visits of one phone on one day would be a ``duplicate``). Appended at the
    end, as a late entry is."""
    visited = set()
    for r in reg.rows:
        day, phone = to_date(r["date"])[0], to_phone(r["phone"])[0]
        if day is not None and phone is not None:
            visited.add((phone_key(phone), day))
    for r in log.rows:
        c = r["_card"]
        if "邀约" not in r["content"] or c.cadence is None or c.level == "O" or rng.random() < 0.5:
            continue
        day = r["_day"] + dt.timedelta(days=rng.randint(1, 6))
        if day >= end or (c.consultant, day) not in worked or (c.phone, day) in visited:
            continue
        visited.add((c.phone, day))
        minute = rng.randint(10 * 60, 17 * 60)
        reg.rows.append({
            "date": day, "arrive_time": dt.time(minute // 60, minute % 60), "leave_time": None,
            "visit_type": "来店", "visit_seq": "再次", "customer": c.row["customer"], "gender": "",
            "phone": c.phone, "party_size": 2, "model": c.row["model"], "source": c.row["source"],
            "level": c.level, "consultant": c.consultant, "test_drive": "否", "card": "是",
            "region": "", "remark": "应邀到店",
        })


def _gap(rng: random.Random, cadence: int | None) -> int:
    if cadence is None:
        return 10**6
    return max(1, rng.randint(cadence // 2, cadence - 1))


def _log_rows(rng: random.Random, log: SheetData, contacts: list[tuple[dt.date, str, _Card]]) -> None:
    submitted = {}
    rows = []
    for day, who, c in contacts:
        channel = rng.choices(("电话", "微信", "短信", "到店"), (60, 25, 8, 7))[0]
        m = rng.randint(13 * 60, 18 * 60) if channel == "到店" else rng.randint(9 * 60 + 30, 11 * 60 + 30)
        key = (who, day)
        if key not in submitted:
            submitted[key] = (dt.time(16, rng.randint(0, 58)), rng.choice(MANAGER))
        sub, signed = submitted[key]
        cadence = c.cadence
        rows.append({
            "date": messy_date(rng, day), "time": dt.time(m // 60, m % 60), "consultant": who,
            "customer": c.row["customer"], "phone": messy_phone(rng, c.phone),
            "level": c.level if rng.random() < 0.9 else c.level.lower(), "channel": channel,
            "content": rng.choice(CONTENTS), "feedback": rng.choice(FEEDBACK),
            "next_date": day + dt.timedelta(days=cadence) if cadence else None,
            "submitted_at": sub, "manager_signed": signed, "_day": day, "_card": c,
        })
    rows.sort(key=lambda r: (r["_day"], r["consultant"], r["time"]))
    log.rows = rows


def _plant_cards(rng: random.Random, sheet: SheetData, cards: list[_Card], neglected: list[int]) -> None:
    for n, i in enumerate(sorted(neglected)):
        c = cards[i]
        if n % 2:
            c.row["next_date"] = None
            sheet.planted.append((i, "level", "followup.overdue"))
        else:
            sheet.planted.append((i, "next_date", "followup.overdue"))
        c.row["last_contact"] = c.last if c.last > c.made else None
    lost = [i for i, c in enumerate(cards) if c.row["status"] in ("战败", "流失")]
    for i in rng.sample(lost, min(2, len(lost))):
        cards[i].row["lost_reason"] = None
        sheet.planted.append((i, "lost_reason", "required"))
    ok = [i for i, c in enumerate(cards) if c.cadence is not None and i not in neglected]
    for i in rng.sample(ok, min(2, len(ok))):
        cards[i].row["next_date"] = cards[i].made - dt.timedelta(days=2)
        sheet.planted.append((i, "next_date", "time.order"))


def _plant_log(rng: random.Random, log: SheetData, rate: float) -> None:
    rows = log.rows
    per_kind = max(1, int(len(rows) * rate / 20))
    used: set[int] = set()
    calls = [i for i, r in enumerate(rows) if r["channel"] != "到店"]
    for i in rng.sample(calls, per_kind):
        rows[i]["time"] = rng.choice((dt.time(14, 20), dt.time(8, 15), dt.time(19, 5), "下午3点"))
        log.planted.append((i, "time", "followup.window"))
        used.add(i)
    for i in rng.sample([i for i in range(len(rows)) if i not in used and rows[i]["next_date"]], 2):
        rows[i]["next_date"] = rows[i]["_day"] - dt.timedelta(days=2)
        log.planted.append((i, "next_date", "time.order"))
    days: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        days[(r["consultant"], r["_day"])].append(i)
    picked = rng.sample(sorted(days), 4)
    for key in picked[:2]:  # handed in late: the day's latest 提交时间 is after 17:00
        i = rng.choice(days[key])
        rows[i]["submitted_at"] = dt.time(17, rng.randint(20, 59))
        log.planted.append((i, "submitted_at", "followup.late_submit"))
    for key in picked[2:]:  # never signed by the manager: reported on the day's first row
        for i in days[key]:
            rows[i]["manager_signed"] = None
        log.planted.append((days[key][0], "manager_signed", "followup.late_submit"))
