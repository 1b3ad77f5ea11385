"""Sample after-service workbook: callbacks (售后回访记录) and the quick-handling form (快速处理表).

Scores come in every form SPEC names, each column on its own scale as clerks keep
them: 1–5 numbers (with the odd word typed in), satisfaction words, and 总体评价 on
10 points. Most problem customers have a quick-handling row, matched by RO number
or, when the form's RO number is blank, by phone. Every planted mistake is recorded.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import to_plate
from xl_dealer.rules.scores import department_of
from xl_dealer.samples.common import Names, SheetData, messy_date, messy_phone, yes

ADVISORS = ("黄志强", "周敏", "吴涛", "郑丽")
CALLERS = ("小周", "小林")
OWNERS = {"服务接待": "黄志强", "车间": "孙师傅", "结算": "何会计", "配件": "林主管", "钣喷": "钱师傅",
          "美容/洗车": "罗主管", "销售": "王经理"}
TYPES = (("保养", 45), ("维修", 25), ("钣喷", 10), ("保险", 8), ("索赔", 5), ("新车交付", 7))
NUMERIC = ("reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price", "paint_quality")
WORDY = ("staff_attitude", "repair_quality", "cleanliness")
# a reached call writes the customer's words (填写用户原话); 无 when they had nothing to say
COMMENTS = ("无", "无", "整体满意", "师傅讲解很清楚", "休息区不错", "希望能提前通知取车", "洗车很干净",
            "前台接车能再快一点", "配件价格希望再优惠些", "车间师傅很专业")
NEW_CAR_WORDS = ("新车开着很好", "销售顾问讲解很细", "提车等了一会儿", "车机还不太会用", "首保时间记住了")
CHURN_CALLS = (("价格", "嫌保养贵，在外面小店做了"), ("搬家", "搬到番禺了，去家附近的店"), ("车已卖", "车已经卖了"),
               ("服务", "上次等太久，暂时不来了"), (None, "答应下个月来保养"), (None, "未接通"))
SERVICE_ITEMS = ("机油、机滤", "机油、机滤、空滤", "机油、机滤、空调滤芯", "机油、机滤、刹车油")
ISSUES = {"reception_speed": "接车等了40分钟", "completion_speed": "比约定时间晚了半天交车",
          "checkout_speed": "结账排队太久", "parts_price": "配件比外面贵很多", "labour_price": "工时费偏高",
          "staff_attitude": "服务顾问态度冷淡", "repair_quality": "异响没有修好", "paint_quality": "补漆有色差",
          "cleanliness": "车内有油污", "overall": "整体体验差", "complaint": "客户来电投诉等待时间长",
          "delivery_satisfaction": "提车时等了很久，手续没讲清楚"}
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O

CB_HEADERS = {
    "ro_no": "*维修单号", "plate": "*车牌号", "customer": "*客户姓名", "phone": "*联系电话",
    "service_type": "*维修类型", "advisor": "*服务顾问", "delivered": "*交车日期", "called": "*回访日期",
    "call_time": "通话时间", "caller": "*回访人", "outcome": "*回访结果",
    "reception_speed": "接待速度", "completion_speed": "完工速度", "checkout_speed": "结算速度",
    "parts_price": "配件价格", "labour_price": "工时价格", "staff_attitude": "服务态度",
    "repair_quality": "维修质量", "paint_quality": "喷漆质量（钣喷）", "cleanliness": "清洁程度",
    "delivery_satisfaction": "交车满意度", "overall": "总体评价（10分制）", "quoted": "主动报价",
    "explained": "讲解维修项目", "comment": "客户意见", "complaint": "是否投诉", "member": "会员",
    "club_invited": "邀请入会", "club_joined": "是否入会", "next_service_date": "下次保养日期",
    "next_service_km": "下次保养里程", "next_service_items": "下次保养项目", "mileage": "当前里程",
}
# the history sheet also keeps the information clerk's calls to lost customers
HISTORY_HEADERS = {**CB_HEADERS, "churn_reason": "流失原因", "churn_call": "流失回访日期", "churn_result": "流失回访结果"}
KS_HEADERS = {
    "case_no": "*编号", "date": "*登记日期", "ro_no": "维修单号", "customer": "*客户姓名", "phone": "*联系电话",
    "issue": "*问题描述", "department": "*责任部门", "owner": "*负责人", "owner_signed": "*负责人签字",
    "due": "*承诺解决日期", "resolved": "实际解决日期", "result": "处理结果", "second_call": "二次回访日期",
    "second_result": "二次回访结果", "satisfied": "客户是否满意",
}


def _plate(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.12:  # new-energy small vehicle: D/F, a letter or digit, 4 digits
        p = "粤B" + rng.choice("DF") + rng.choice(PLATE_CHARS) + f"{rng.randint(0, 9999):04d}"
    elif r < 0.15:  # new-energy large vehicle: 5 digits, then D/F
        p = "粤A" + f"{rng.randint(0, 99999):05d}" + rng.choice("DF")
    else:  # ordinary: a serial of five, at most two of them letters (GA 36), most all digits or one letter
        letters = set(rng.sample(range(5), rng.choices((0, 1, 2), (45, 40, 15))[0]))
        p = "粤" + rng.choice("ABE") + "".join(rng.choice(PLATE_LETTERS) if i in letters else str(rng.randint(0, 9))
                                                for i in range(5))
    assert to_plate(p)[1] is None, p
    return p


def _scores(rng: random.Random, service_type: str) -> dict[str, Any]:
    if service_type == "新车交付":  # its own questions: the handover, and overall (callback_items)
        return {"delivery_satisfaction": rng.choice(("非常满意", "非常满意", "满意", 5, 4)),
                "overall": rng.choice((10, 9, 9, 8))}
    s: dict[str, Any] = {}
    for k in NUMERIC:
        if k == "paint_quality" and service_type != "钣喷":
            continue
        s[k] = rng.choice((5, 5, 4, 4, 3)) if rng.random() < 0.9 else rng.choice(("满意", "非常满意", "很好"))
    for k in WORDY:
        s[k] = rng.choice(("非常满意", "非常满意", "满意", "满意", "基本满意"))
    s["overall"] = rng.choice((10, 9, 9, 8, 8, 7))
    return s


def _make_problem(rng: random.Random, row: dict[str, Any]) -> str:
    """Turn a reached row into a problem customer; returns the item the rule will name."""
    kind = rng.choice(("numeric", "word", "overall", "complaint"))
    if kind == "complaint":
        row["complaint"] = "是"
        return "complaint"
    if kind == "overall":
        row["overall"] = rng.choice((3, 4))  # of 10
        return "overall"
    if row["service_type"] == "新车交付":  # no repair scores on a new-car call: its handover, or overall
        if kind == "overall":
            row["overall"] = rng.choice((3, 4))
            return "overall"
        row["delivery_satisfaction"] = rng.choice(("不满意", 2))
        return "delivery_satisfaction"
    item = rng.choice(NUMERIC[:5] if kind == "numeric" else WORDY)
    row[item] = rng.choice((1, 2)) if kind == "numeric" else rng.choice(("不满意", "很不好", "非常不满意"))
    return item


def generate_after_service(end: dt.date, days: int = 30, per_day: int = 8, seed: int = 13,
                           config: Config | None = None) -> tuple[SheetData, SheetData]:
    """A month of callbacks ending the day before ``end``, and the quick-handling form."""
    config = config or Config()
    rng = random.Random(seed)
    names = Names(rng)
    start = end - dt.timedelta(days=days)
    last_day = end - dt.timedelta(days=1)
    cb = SheetData(f"{last_day.month}月回访", CB_HEADERS, [], title=f"售后回访记录 {last_day:%Y年%m月}")
    rows: list[dict[str, Any]] = []
    seq = 0
    for day_i in range(days - 1):
        delivered = start + dt.timedelta(days=day_i)
        for _ in range(max(1, int(rng.gauss(per_day, 2)))):
            seq += 1
            stype = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
            limit = config.callback_new_car_days if stype == "新车交付" else config.callback_days
            called = min(delivered + dt.timedelta(days=rng.randint(1, limit)), last_day)
            outcome = rng.choices(("已回访", "未接通", "拒访", "空号"), (85, 8, 4, 3))[0]
            km = rng.randint(3, 120) * 1000
            row: dict[str, Any] = {
                "ro_no": f"RO{delivered:%y%m%d}{seq:03d}", "plate": _plate(rng), "customer": names.person(),
                "phone": names.phone(), "service_type": stype, "advisor": rng.choice(ADVISORS),
                "delivered": delivered, "called": called, "call_time": _call_time(rng),
                "caller": rng.choice(CALLERS), "outcome": outcome,
                "quoted": yes(rng, rng.random() < 0.97), "explained": yes(rng, rng.random() < 0.96),
                "comment": None, "complaint": "否", "member": yes(rng, rng.random() < 0.3),
                "mileage": rng.choice((km, f"{km:,}", f"{km}公里")),
                "_day": called, "_problem": None, "_retry": False,
                **_next_service(rng, stype, delivered, km),
            }
            if stype == "新车交付":  # the staff questions are about a repair
                row["quoted"] = row["explained"] = None
            if outcome == "已回访":
                row.update(_scores(rng, stype), **_words(rng, row))
            rows.append(row)
            if outcome == "未接通" and called < last_day and rng.random() < 0.6:
                retry = {**row, "called": called + dt.timedelta(days=1), "call_time": _call_time(rng),
                         "outcome": "已回访", "_day": called + dt.timedelta(days=1), "_retry": True}
                retry.update(_scores(rng, stype), **_words(rng, retry))
                rows.append(retry)
    rows.sort(key=lambda r: (r["_day"], r["call_time"]))
    cb.rows = rows

    reached = [i for i, r in enumerate(rows) if r["outcome"] == "已回访"]
    for i in rng.sample(reached, max(4, len(reached) // 16)):
        rows[i]["_problem"] = _make_problem(rng, rows[i])
    _plant_callbacks(rng, cb, end, config)
    _awaiting(rng, cb, names, end, seq)

    ks = SheetData("快速处理表", KS_HEADERS, [], title="售后快速处理表（客户问题/投诉）")
    problems = [i for i, r in enumerate(rows) if r["_problem"]]
    unhandled = set(rng.sample(problems, max(2, len(problems) // 6)))
    for i in problems:
        if i in unhandled:
            cb.planted.append((i, rows[i]["_problem"], "complaint.unhandled"))
        else:
            ks.rows.append(_case(rng, rows[i], end, config))
    ks.rows.sort(key=lambda r: r["_day"])
    per_month: dict[tuple[int, int], int] = {}
    for r in ks.rows:  # numbered by the month the case was registered in, from 001 each month
        month = (r["_day"].year, r["_day"].month)
        per_month[month] = per_month.get(month, 0) + 1
        r["case_no"] = f"KS{r['_day']:%y%m}-{per_month[month]:03d}"
    _plant_cases(rng, ks, end, config)
    return cb, ks


def _next_service(rng: random.Random, stype: str, delivered: dt.date, km: int) -> dict[str, Any]:
    """提醒客户下次保养项目及里程: the date and mileage after a maintenance, the mileage after other work,
    the first maintenance (首保) after a new car."""
    if stype == "保养":
        return {"next_service_date": delivered + dt.timedelta(days=180), "next_service_km": km + 10000,
                "next_service_items": rng.choice(SERVICE_ITEMS)}
    if stype == "新车交付":
        return {"next_service_date": None, "next_service_km": 5000, "next_service_items": "首保：机油、机滤"}
    return {"next_service_date": None, "next_service_km": (km // 5000 + 2) * 5000, "next_service_items": None}


def _words(rng: random.Random, row: dict[str, Any]) -> dict[str, Any]:
    """A reached call: the customer's words, and for a customer not yet in the club, the invitation."""
    out: dict[str, Any] = {"comment": rng.choice(NEW_CAR_WORDS if row["service_type"] == "新车交付" else COMMENTS)}
    if row.get("quoted") in ("否", "×", "N"):  # what the customer says when the advisor did not quote
        out["comment"] = "修之前没告诉我要多少钱"
    elif row.get("explained") in ("否", "×", "N"):
        out["comment"] = "修完也没说换了什么"
    if row["member"] not in ("是", "√", "Y") and rng.random() < 0.35:
        joined = rng.random() < 0.4
        out.update(club_invited="是", club_joined="是" if joined else "否")
    return out


def _awaiting(rng: random.Random, cb: SheetData, names: Names, end: dt.date, seq: int) -> None:
    """The repair orders of the last days, entered before the calls (the morning call list's
    回访): due, not late; one entered six days ago and never called (callback.late); a new car
    delivered a week ago, due today."""
    def order(delivered: dt.date, stype: str) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        km = rng.randint(3, 120) * 1000
        return {"ro_no": f"RO{delivered:%y%m%d}{seq:03d}", "plate": _plate(rng), "customer": names.person(),
                "phone": names.phone(), "service_type": stype, "advisor": rng.choice(ADVISORS),
                "delivered": delivered, "called": None, "call_time": None, "caller": None, "outcome": None,
                "member": yes(rng, rng.random() < 0.3), "mileage": km, "_day": delivered, "_problem": None,
                "_retry": False}
    for back in (1, 1, 1, 2, 2):
        cb.rows.append(order(end - dt.timedelta(days=back), rng.choice(("保养", "维修", "保养", "钣喷"))))
    cb.rows.append(order(end - dt.timedelta(days=7), "新车交付"))
    cb.rows.append(order(end - dt.timedelta(days=6), "维修"))
    cb.planted.append((len(cb.rows) - 1, "called", "callback.late"))


def _call_time(rng: random.Random) -> dt.time:
    m = rng.choice((rng.randint(10 * 60, 11 * 60 + 59), rng.randint(15 * 60, 17 * 60 + 59)))
    return dt.time(m // 60, m % 60)


def _case(rng: random.Random, cb_row: dict[str, Any], end: dt.date, config: Config) -> dict[str, Any]:
    item = cb_row["_problem"]
    dept = department_of(item, config) if item != "complaint" else "服务接待"
    dept = dept if dept in OWNERS else "服务接待"
    day: dt.date = cb_row["called"]
    due = day + dt.timedelta(days=3)
    last_day = end - dt.timedelta(days=1)
    row: dict[str, Any] = {
        "date": messy_date(rng, day), "_day": day, "_due_passed": due < end,
        "ro_no": cb_row["ro_no"] if rng.random() < 0.7 else None,
        "customer": cb_row["customer"], "phone": messy_phone(rng, cb_row["phone"]),
        "issue": ISSUES[item], "department": dept, "owner": OWNERS[dept], "owner_signed": OWNERS[dept],
        "due": due, "resolved": None, "result": None, "second_call": None, "second_result": None, "satisfied": None,
    }
    if due < end or rng.random() < 0.5:
        resolved = min(day + dt.timedelta(days=rng.randint(0, 3)), last_day)
        row.update(resolved=resolved, result=rng.choice(("返修完毕", "道歉并赠送保养", "更换配件", "退还部分工时费")))
        if (end - resolved).days > config.complaint_second_call_days or (resolved < last_day and rng.random() < 0.5):
            second = min(resolved + dt.timedelta(days=rng.randint(1, 5)), last_day)
            row.update(second_call=second, second_result=rng.choice(("满意", "基本满意", "理解")), satisfied="是")
    return row


def _pick(rng: random.Random, rows: list[dict], used: set[int], ok) -> int | None:
    cands = [i for i, r in enumerate(rows) if i not in used and ok(r)]
    if not cands:
        return None
    i = rng.choice(cands)
    used.add(i)
    return i


def _plant_callbacks(rng: random.Random, cb: SheetData, end: dt.date, config: Config) -> None:
    rows = cb.rows
    used: set[int] = set()
    plain = lambda r: not r["_problem"] and not r["_retry"] and r["outcome"] == "已回访"  # noqa: E731
    later_ros = {r["ro_no"] for r in rows if r["_retry"]}

    def plant(field_key: str, rule: str, change, ok=plain, times: int = 1) -> None:
        for _ in range(times):
            i = _pick(rng, rows, used, lambda r: ok(r) and r["ro_no"] not in later_ros)
            if i is None:
                return
            change(rows[i])
            cb.planted.append((i, field_key, rule))

    old = lambda r: plain(r) and r["service_type"] != "新车交付" and r["delivered"] <= end - dt.timedelta(days=8)  # noqa: E731
    plant("called", "callback.late", lambda r: r.update(called=r["delivered"] + dt.timedelta(days=5)), old, 2)
    plant("called", "callback.late", lambda r: r.update(
        service_type="新车交付", called=r["delivered"] + dt.timedelta(days=config.callback_new_car_days + 3),
        delivery_satisfaction="满意", quoted=None, explained=None),
          lambda r: plain(r) and r["service_type"] == "保养" and r["delivered"] <= end - dt.timedelta(days=12))
    plant("call_time", "callback.window", lambda r: r.update(call_time=rng.choice((dt.time(13, 10), "19:20"))),
          times=2)
    repair = lambda r: plain(r) and r["service_type"] != "新车交付"  # noqa: E731
    plant("cleanliness", "required", lambda r: r.update(cleanliness=None), repair)
    # the customer's words not written, and the next maintenance not told (issue 16)
    plant("comment", "required", lambda r: r.update(comment=None))
    plant("next_service_date", "required", lambda r: r.update(next_service_date=None, next_service_km=None,
                                                              next_service_items=None))
    plant("paint_quality", "required", lambda r: r.update(paint_quality=None),
          lambda r: plain(r) and r["service_type"] == "钣喷")
    plant("plate", "format.plate", lambda r: r.update(plate=rng.choice(("粤B1234", "粤BI2345", "B12345"))))
    plant("mileage", "format.number", lambda r: r.update(mileage="约3万"))
    plant("called", "time.order", lambda r: r.update(called=r["delivered"] - dt.timedelta(days=1)))
    # the same RO number again, on a later reached row
    firsts = [i for i in range(len(rows)) if i not in used and plain(rows[i]) and rows[i]["ro_no"] not in later_ros]
    if len(firsts) > 10:
        a = firsts[len(firsts) // 3]
        b = next(i for i in firsts if i > a + 5)
        used.update((a, b))
        rows[b]["ro_no"] = rows[a]["ro_no"]
        cb.planted.append((b, "ro_no", "duplicate"))


def _plant_cases(rng: random.Random, ks: SheetData, end: dt.date, config: Config) -> None:
    rows = ks.rows
    used: set[int] = set()
    open_ok = [i for i, r in enumerate(rows) if r["_due_passed"]]
    for i in rng.sample(open_ok, min(2, len(open_ok))):
        rows[i].update(resolved=None, result=None, second_call=None, second_result=None, satisfied=None)
        ks.planted.append((i, "due", "complaint.open_overdue"))
        used.add(i)
    limit = config.complaint_second_call_days
    late = [i for i, r in enumerate(rows) if i not in used and r["resolved"] and (end - r["resolved"]).days > limit]
    for i in rng.sample(late, min(2, len(late))):
        rows[i].update(second_call=None, second_result=None, satisfied=None)
        ks.planted.append((i, "second_call", "complaint.no_second_call"))
        used.add(i)
    done = [i for i, r in enumerate(rows) if i not in used and r["resolved"] and r["second_call"]]
    if done:
        i = rng.choice(done)
        rows[i]["resolved"] = rows[i]["_day"] - dt.timedelta(days=1)
        ks.planted.append((i, "resolved", "time.order"))


def generate_service_history(end: dt.date, months: int = 20, customers: int = 1500, seed: int = 29,
                             config: Config | None = None) -> SheetData:
    """Earlier callbacks (历史回访): the months before ``generate_after_service``'s month, all clean.

    Regular customers come back every five to eight months, about as many a month as the month's
    sheet has calls (so the satisfaction trend compares months of like size); about a fifth stop coming
    (the churn report's lost customers), and a few had their 保养 about 180 days ago, so
    their 下次保养日期 falls in the week after ``end`` (the reminders). Nothing here is
    a mistake: no late call, no problem answer, so validate finds only what the month's
    sheets plant.
    """
    config = config or Config()
    rng = random.Random(seed)
    names = Names(rng)
    first = end - dt.timedelta(days=30 * months)
    last = end - dt.timedelta(days=31)  # the day before the month's sheet begins
    kinds = [(t, w) for t, w in TYPES if t != "新车交付"]
    rows: list[dict[str, Any]] = []
    seq_of: dict[dt.date, int] = {}
    due_soon = set(rng.sample(range(customers), 6))
    for n in range(customers):
        who = {"plate": _plate(rng), "customer": names.person(), "phone": names.phone(),
               "advisor": rng.choice(ADVISORS), "member": yes(rng, rng.random() < 0.3)}
        stops = rng.random() < 0.2  # a lost customer: no visit in the last seven months
        until = end - dt.timedelta(days=rng.randint(215, 420)) if stops else last
        day = first + dt.timedelta(days=rng.randint(0, 200))
        visits: list[tuple[dt.date, str]] = []
        while day <= until:
            visits.append((day, rng.choices([t for t, _ in kinds], [w for _, w in kinds])[0]))
            day += dt.timedelta(days=rng.randint(150, 240))
        if visits and rng.random() < 0.2:  # a car bought here: its first record is the 新车交付 call
            visits[0] = (visits[0][0], "新车交付")
        if n in due_soon and not stops:  # last 保养 180 days before a day of the coming week
            service = end + dt.timedelta(days=rng.randint(0, 6) - 180)
            visits = [v for v in visits if v[0] < service - dt.timedelta(days=60)] + [(service, "保养")]
        if stops and rng.random() < 0.3:  # back once, for the store's free check: no return (活动期间免费维修除外)
            visits.append((end - dt.timedelta(days=rng.randint(45, 100)), "免费检测"))
        km = rng.randint(3, 40) * 1000
        mine: list[dict[str, Any]] = []
        for delivered, stype in visits:
            km += rng.randint(5, 12) * 1000
            limit = config.callback_days
            called = delivered + dt.timedelta(days=rng.randint(1, limit))
            if called > last:
                continue
            outcome = "已回访" if rng.random() < 0.9 else "未接通"
            row: dict[str, Any] = {
                # numbered like the month's ROs, each day from 001; their dates are all earlier, so
                # never the same number
                "ro_no": f"RO{delivered:%y%m%d}{_next(seq_of, delivered):03d}", **who, "service_type": stype,
                "delivered": delivered, "called": called, "call_time": _call_time(rng),
                "caller": rng.choice(CALLERS), "outcome": outcome,
                "quoted": yes(rng, True), "explained": yes(rng, True), "comment": None,
                "complaint": "否", "mileage": km, **_next_service(rng, stype, delivered, km),
            }
            if outcome == "已回访":
                row.update(_scores(rng, stype), **_words(rng, row))
            rows.append(row)
            mine.append(row)
        paid = [r for r in mine if r["service_type"] != "免费检测"]
        if stops and paid and rng.random() < 0.45:  # the clerk called the lost customer: reason and result
            reason, result = rng.choice(CHURN_CALLS)
            paid[-1].update(churn_reason=reason, churn_call=end - dt.timedelta(days=rng.randint(3, 40)),
                            churn_result=result)
        elif not stops and len(paid) >= 2 and rng.random() < 0.12:  # called as lost once, and came back since
            paid[-2].update(churn_reason="工作忙", churn_call=paid[-1]["delivered"] - dt.timedelta(days=rng.randint(5, 20)),
                            churn_result="答应回来保养")
    rows.sort(key=lambda r: (r["called"], r["call_time"], r["ro_no"]))
    return SheetData("历史回访", HISTORY_HEADERS, rows, title=f"售后回访记录 {first:%Y年%m月} 至 {last:%Y年%m月}")


def _next(counters: dict[dt.date, int], day: dt.date) -> int:
    counters[day] = counters.get(day, 0) + 1
    return counters[day]
