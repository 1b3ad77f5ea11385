"""The information clerk's reports against an independent count, on messy workbooks (issue 16):
今日回访清单, 回访日报, 价格战败客户, the monthly report's new tables, churn a manager can act on,
and the reminders' items and members.

The generator below knows the truth of every call (real dates, phones, 5-point answers, who is a
member); the files hold what clerks type instead (phones with spaces, +86 or as numbers, dates
as text, satisfaction words, 总体评价 on 10 points, yes/no as √/×/Y/N, title rows, header
aliases, a 合计 row). The ``truth_*`` functions count from the generator's values with the
definitions the sheets' footnotes state, with none of the package's code, and the reports
must agree.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_xlsx
from tests.workbooks import checked
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report

D = dt.date
AS_OF = D(2026, 12, 3)  # a Thursday: yesterday 12-02, last month November, this week from Monday 11-30
YESTERDAY = D(2026, 12, 2)
NOV = (D(2026, 11, 1), D(2026, 11, 30))
CALLERS = ["小周", "小林"]
ADVISORS = ["黄志强", "周敏", "吴涛"]
REPAIR = ["reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price", "staff_attitude",
          "repair_quality", "cleanliness", "overall"]
PAINT = "paint_quality"
# the departments the items speak for, as SPEC §2.4 and issue 16 say (总体评价 none)
DEPT = {"reception_speed": "服务接待", "staff_attitude": "服务接待", "labour_price": "服务接待", "quoted": "服务接待",
        "explained": "服务接待", "completion_speed": "车间", "repair_quality": "车间", "checkout_speed": "结算",
        "parts_price": "配件", "paint_quality": "钣喷", "cleanliness": "美容/洗车", "delivery_satisfaction": "销售"}
WORDS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
COMMENTS = ["无", "整体满意", "洗车没洗干净", "前台接车太慢", "车间师傅讲得很清楚", "配件太贵", "希望提供代步车"]
NAMED = {"洗车没洗干净": "美容/洗车", "前台接车太慢": "服务接待", "车间师傅讲得很清楚": "车间", "配件太贵": "配件"}
CAMPAIGN = "免费检测"


@dataclass
class Call:
    day: dt.date
    time: dt.time
    caller: str
    outcome: str  # 已回访 未接通 拒访 空号


@dataclass
class Visit:
    ro: str
    plate: str
    phone: str
    name: str
    stype: str
    delivered: dt.date
    advisor: str
    calls: list[Call] = field(default_factory=list)  # none: written before the call
    answers: dict[str, int] = field(default_factory=dict)  # the items asked, on 5 points
    invented: dict[str, int] = field(default_factory=dict)  # repair scores typed on a new-car call
    quoted: bool | None = None
    explained: bool | None = None
    comment: str | None = None
    complaint: bool = False
    member: bool = False
    invited: bool = False
    joined: bool = False
    churn_reason: str | None = None
    churn_call: dt.date | None = None
    churn_result: str | None = None

    @property
    def reached(self) -> Call | None:
        got = [c for c in self.calls if c.outcome == "已回访"]
        return got[-1] if got else None


@dataclass
class Case:
    no: str
    day: dt.date
    ro: str | None
    phone: str
    dept: str
    owner: str
    issue: str
    due: dt.date
    resolved: dt.date | None = None
    result: str | None = None
    second: dt.date | None = None
    second_result: str | None = None


@dataclass
class Letter:
    plate: str
    phone: str
    name: str
    due: dt.date
    sent: dt.date | None
    reminded: dt.date | None = None
    result: str | None = None


@dataclass
class Card:
    phone: str
    name: str
    made: dt.date
    status: str
    reason: str | None
    consultant: str
    region: str | None
    called: dt.date | None = None


@dataclass
class World:
    month: list[Visit] = field(default_factory=list)  # November and December 1–2, one workbook
    history: list[Visit] = field(default_factory=list)  # 2025-03 … 2026-10, another
    cases: list[Case] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    deliveries: list[tuple[dt.date, str, str, str | None]] = field(default_factory=list)  # (day, name, phone, plate)
    cards: list[Card] = field(default_factory=list)
    members: set[str] = field(default_factory=set)  # plates of members per the customer file
    file_churn: dict[str, tuple[dt.date, str]] = field(default_factory=dict)  # plate → (call, result) in the file


def _day(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange((b - a).days + 1))


def make_world(seed: int = 16) -> World:
    rng = random.Random(seed)
    w = World()
    n = 0

    def person() -> tuple[str, str, str]:
        nonlocal n
        n += 1
        return f"粤B{n:05d}", f"139{n:08d}", f"客户{n}"

    def answer(v: Visit) -> None:
        asked = {"新车交付": ["delivery_satisfaction", "overall"], "钣喷": [*REPAIR, PAINT]}.get(v.stype, REPAIR)
        v.answers = {it: rng.choice([5, 5, 4, 4, 4, 3, 2, 1]) if rng.random() < 0.2 else rng.choice([5, 4])
                     for it in asked}
        if v.stype == "新车交付" and rng.random() < 0.5:  # an old form: repair scores typed anyway
            v.invented = {it: rng.choice([1, 2, 5]) for it in ("repair_quality", "parts_price", "reception_speed")}
        if v.stype != "新车交付":
            v.quoted = rng.random() > 0.1
            v.explained = rng.random() > 0.1
        v.comment = rng.choice(COMMENTS)
        v.complaint = rng.random() < 0.05
        if not v.member and rng.random() < 0.3:
            v.invited = True
            v.joined = rng.random() < 0.5

    # ---- the month: November and December 1–2
    ro = 0
    for _ in range(110):
        plate, phone, name = person()
        ro += 1
        stype = rng.choice(["保养", "保养", "维修", "钣喷", "新车交付", "保险"])
        delivered = _day(rng, D(2026, 10, 29), D(2026, 12, 1))
        v = Visit(f"RO{ro:04d}", plate, phone, name, stype, delivered, rng.choice(ADVISORS),
                  member=rng.random() < 0.3)
        gap = 7 if stype == "新车交付" else rng.randint(1, 3)
        first = min(delivered + dt.timedelta(days=gap), YESTERDAY)
        roll = rng.random()
        caller = rng.choice(CALLERS)
        tm = dt.time(rng.choice([10, 11, 15, 16, 17]), rng.choice([0, 20, 40]))
        if roll < 0.1:
            v.calls = [Call(first, tm, caller, "未接通")]  # not retried yet
        elif roll < 0.2 and first < YESTERDAY:
            v.calls = [Call(first, tm, caller, "未接通"), Call(first + dt.timedelta(days=1), tm, caller, "已回访")]
        elif roll < 0.24:
            v.calls = [Call(first, tm, caller, rng.choice(["拒访", "空号"]))]
        else:
            v.calls = [Call(first, tm, caller, "已回访")]
        if v.reached:
            answer(v)
        if v.member:
            w.members.add(plate)
        w.month.append(v)
    # written before the call: due (12-01, 12-02), overdue (11-28), too old to list (11-10), new cars
    for delivered, stype in ((D(2026, 12, 2), "保养"), (D(2026, 12, 1), "维修"), (D(2026, 11, 28), "保养"),
                             (D(2026, 11, 10), "维修"), (D(2026, 11, 26), "新车交付"), (D(2026, 11, 27), "新车交付")):
        plate, phone, name = person()
        ro += 1
        w.month.append(Visit(f"RO{ro:04d}", plate, phone, name, stype, delivered, rng.choice(ADVISORS)))
    # unanswered and waiting for another try: first tried 11-30 (within 5 days), or 11-25 (given up)
    for first in (D(2026, 11, 30), D(2026, 11, 25)):
        plate, phone, name = person()
        ro += 1
        w.month.append(Visit(f"RO{ro:04d}", plate, phone, name, "保养", first - dt.timedelta(days=1), "周敏",
                             calls=[Call(first, dt.time(10, 30), "小周", "未接通")]))
    # a customer reached in the afternoon last time, due again today: the afternoon window
    late_plate, late_phone, late_name = person()
    w.month.append(Visit(f"RO{ro + 1:04d}", late_plate, late_phone, late_name, "维修", D(2026, 11, 3), "吴涛",
                         calls=[Call(D(2026, 11, 4), dt.time(16, 10), "小林", "已回访")]))
    answer(w.month[-1])
    w.month.append(Visit(f"RO{ro + 2:04d}", late_plate, late_phone, late_name, "保养", D(2026, 12, 2), "吴涛"))
    ro += 2

    # ---- complaints of November, for the problem customers and a few others
    problems = [v for v in w.month if v.reached and (v.complaint or any(a <= 2 for a in v.answers.values()))]
    for i, v in enumerate(problems[: len(problems) - 2]):  # the last two have no case
        bad = [it for it, a in v.answers.items() if a <= 2 and DEPT.get(it)]
        dept = DEPT[bad[0]] if bad else "服务接待"
        day = v.reached.day
        c = Case(f"KS{i + 1:03d}", day, v.ro if i % 3 else None, v.phone, dept, "负责人", "客户反映问题", day + dt.timedelta(days=3))
        roll = rng.random()
        if roll < 0.7 and day + dt.timedelta(days=1) < AS_OF:
            c.resolved = min(day + dt.timedelta(days=rng.randint(0, 4)), D(2026, 12, 2))
            c.result = "已处理"
            if rng.random() < 0.5:
                c.second = min(c.resolved + dt.timedelta(days=2), D(2026, 12, 2))
                c.second_result = rng.choice(["满意", "基本满意"])
        w.cases.append(c)

    # ---- the service history: lost customers, returns, free campaign visits, win-back calls
    for _ in range(70):
        plate, phone, name = person()
        member = rng.random() < 0.3
        if member:
            w.members.add(plate)
        day = _day(rng, D(2025, 3, 1), D(2025, 9, 30))
        stop = _day(rng, D(2025, 7, 1), D(2026, 10, 20))
        mine: list[Visit] = []
        while day <= stop:
            ro += 1
            v = Visit(f"RH{ro:04d}", plate, phone, name, rng.choice(["保养", "维修"]), day, rng.choice(ADVISORS),
                      member=member)
            v.calls = [Call(day + dt.timedelta(days=1), dt.time(10, 0), "小周", "已回访")]
            answer(v)
            v.answers = {k: max(a, 3) for k, a in v.answers.items()}  # no problem answers in the history
            v.quoted = v.explained = True if v.quoted is not None else None
            v.complaint = False
            mine.append(v)
            day += dt.timedelta(days=rng.randint(120, 260))
        if rng.random() < 0.25:  # the free check after they stopped coming: no return
            ro += 1
            fd = _day(rng, D(2026, 7, 1), D(2026, 10, 20))
            v = Visit(f"RH{ro:04d}", plate, phone, name, CAMPAIGN, fd, "黄志强", member=member)
            v.calls = [Call(fd + dt.timedelta(days=1), dt.time(10, 0), "小周", "已回访")]
            answer(v)
            v.answers = {k: max(a, 3) for k, a in v.answers.items()}
            v.quoted = v.explained = True
            v.complaint = False
            mine.append(v)
        paid = [v for v in mine if v.stype != CAMPAIGN]
        roll = rng.random()
        if paid and roll < 0.25:  # the clerk's win-back call, on the log
            paid[-1].churn_reason = rng.choice(["搬家", "价格", None])
            paid[-1].churn_call = _day(rng, D(2026, 9, 1), D(2026, 12, 2))
            paid[-1].churn_result = rng.choice(["答应来", "未接通", "车已卖"])
        elif paid and roll < 0.35:  # … or in the customer file
            w.file_churn[plate] = (_day(rng, D(2026, 9, 1), D(2026, 12, 2)), "说下个月来")
        elif len(paid) >= 2 and roll < 0.5:  # called once when they had stayed away, and back since
            paid[-2].churn_reason = "工作忙"
            paid[-2].churn_call = paid[-1].delivered - dt.timedelta(days=10)
            paid[-2].churn_result = "答应回来保养"
        w.history.extend(mine)

    # ---- the 定期保养一览表: letters of last week, of earlier weeks, this week's, reminders
    this_monday = D(2026, 11, 30)
    for sent, reminded, result in ((D(2026, 11, 24), None, None), (D(2026, 11, 26), None, None),
                                   (D(2026, 11, 17), None, None), (D(2026, 11, 3), None, None),
                                   (this_monday, None, None), (D(2026, 11, 20), D(2026, 12, 2), "未接通"),
                                   (D(2026, 11, 19), D(2026, 11, 24), "已预约"), (None, None, None),
                                   (D(2026, 11, 18), None, "已到店")):
        plate, phone, name = person()
        w.letters.append(Letter(plate, phone, name, (sent or AS_OF) + dt.timedelta(days=14), sent, reminded, result))

    # ---- deliveries without a new-car call: 9 days ago (due), 4 days ago (not yet), 30 days ago (too old)
    for back in (9, 4, 30):
        _, phone, name = person()
        w.deliveries.append((AS_OF - dt.timedelta(days=back), name, phone, None))

    # ---- lost sales for the prospects, with the visitor log's 区域
    for i in range(24):
        _, phone, name = person()
        status = rng.choice(["战败", "战败", "流失", "跟进中"])
        reason = rng.choice(["价格原因，买了竞品", "别家优惠多", "太贵了", "家人不同意", "买了二手车"]) if status != "跟进中" else None
        region = rng.choice(["天河区", "海珠区", "番禺区", None])
        made = _day(rng, D(2025, 10, 1), D(2026, 11, 20))
        w.cards.append(Card(phone, name, made, status, reason, rng.choice(["王强", "李娜"]), region,
                            called=made + dt.timedelta(days=5) if i % 7 == 0 else None))
    old = w.cards[0]  # lost on price long ago: out of the 12 months
    old.made, old.status, old.reason, old.region, old.called = D(2025, 6, 1), "战败", "价格太高", "天河区", None
    return w


# ---------------------------------------------------------------- how clerks type it

def messy_phone(rng: random.Random, p: str) -> Any:
    return rng.choice([p, f"{p[:3]} {p[3:7]} {p[7:]}", f"+86 {p}", int(p)])


def messy_date(rng: random.Random, d: dt.date | None) -> Any:
    if d is None:
        return None
    return rng.choice([d, f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y.%m.%d}"])


def yes_no(rng: random.Random, b: bool | None) -> Any:
    if b is None:
        return None
    return rng.choice(["是", "√", "Y"]) if b else rng.choice(["否", "×", "N"])


CB_HEADERS = ["工单号", "车牌", "顾客姓名", "手机号码", "服务类型", "SA", "出厂日期", "回访日期", "回访时刻", "回访员",
              "接通情况", "接待速度", "完工速度", "结算速度", "配件价格", "工时价格", "服务态度", "维修质量", "喷漆质量",
              "清洁程度", "交车满意度", "总体评价(10分制)", "是否报价", "是否讲解", "客户原话", "是否投诉", "是否会员",
              "邀请入会", "入会", "下次保养里程", "流失原因", "流失回访日期", "流失回访结果"]
ITEM_COLUMNS = ["reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price",
                "staff_attitude", "repair_quality", "paint_quality", "cleanliness", "delivery_satisfaction", "overall"]


def _score(rng: random.Random, item: str, v: int | None) -> Any:
    if v is None:
        return None
    if item == "overall":
        return v * 2  # the 10-point column
    return rng.choice([v, WORDS[v]])


def callback_rows(rng: random.Random, visits: list[Visit], title: str) -> list[list[Any]]:
    rows: list[list[Any]] = [[title], [], CB_HEADERS]
    for v in visits:
        attempts = v.calls or [None]
        for j, c in enumerate(attempts):
            reached = c is not None and c.outcome == "已回访"
            answers = {**v.answers, **v.invented} if reached else {}
            last = j == len(attempts) - 1
            rows.append([
                v.ro, v.plate if rng.random() < 0.9 else v.plate.replace("粤B", "粤b "), v.name,
                messy_phone(rng, v.phone), v.stype, v.advisor, messy_date(rng, v.delivered),
                messy_date(rng, c.day) if c else None, f"{c.time.hour}:{c.time.minute:02d}" if c else None,
                c.caller if c else None, c.outcome if c else None,
                *[_score(rng, it, answers.get(it)) for it in ITEM_COLUMNS],
                yes_no(rng, v.quoted) if reached else None, yes_no(rng, v.explained) if reached else None,
                v.comment if reached else None, yes_no(rng, v.complaint) if reached else None,
                yes_no(rng, v.member) if rng.random() < 0.8 or v.member else None,
                yes_no(rng, v.invited) if reached and v.invited else None,
                yes_no(rng, v.joined) if reached and v.invited else None,
                (rng.randint(3, 9) * 10000) if reached else None,
                v.churn_reason if last else None, messy_date(rng, v.churn_call) if last else None,
                v.churn_result if last else None,
            ])
    rows.append(["合计", f"{len(rows) - 3}条"])
    return rows


def write_world(w: World, folder: Path, seed: int = 3) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cases = [["售后快速处理表"], ["编号", "登记日期", "工单号", "客户姓名", "手机", "问题描述", "责任部门", "负责人",
                                 "负责人签字", "承诺解决日期", "实际解决日期", "处理结果", "二次回访日期", "二次回访结果"]]
    for c in w.cases:
        cases.append([c.no, messy_date(rng, c.day), c.ro, "客户", messy_phone(rng, c.phone), c.issue, c.dept, c.owner,
                      c.owner, messy_date(rng, c.due), messy_date(rng, c.resolved), c.result, messy_date(rng, c.second),
                      c.second_result])
    paths = [
        write_xlsx(folder / "回访2026-11.xlsx", {
            "11月回访": callback_rows(rng, w.month, "售后回访记录 2026年11月"),
            "快速处理": cases,
        }, merge={"11月回访": ["A1:H1"]}),
        write_xlsx(folder / "历史回访.xlsx", {"历史回访": callback_rows(rng, w.history, "售后回访记录（历史）")}),
    ]
    ml = [["定期保养一览表 2026年11月"], ["车牌号", "客户", "电话", "下次保养日期", "下次保养项目", "发信日期", "电话提醒日期",
                                   "联系结果", "备注"]]
    for lt in w.letters:
        ml.append([lt.plate, lt.name, messy_phone(rng, lt.phone), messy_date(rng, lt.due), "机油、机滤",
                   messy_date(rng, lt.sent), messy_date(rng, lt.reminded),
                   {"未接通": rng.choice(["未接通", "无人接听", "关机"])}.get(lt.result or "", lt.result), None])
    paths.append(write_xlsx(folder / "保养一览表.xlsx", {"一览表": ml}))
    dl = [["交车登记表"], ["交车日期", "交车时间", "客户姓名", "联系电话", "车型", "车架号", "销售顾问", "服务顾问", "感谢电话时间",
                        "一级回访日期"]]
    for i, (d, name, phone, _) in enumerate(w.deliveries):
        dl.append([messy_date(rng, d), "10:00", name, messy_phone(rng, phone), "凯美瑞", _vin(i), "王强", "周敏", "10:30",
                   d + dt.timedelta(days=1)])
    paths.append(write_xlsx(folder / "交车.xlsx", {"交车": dl}))
    cf = [["客户信息卡"], ["车主", "联系电话", "车牌号", "车架号", "车型", "会员", "流失回访日期", "流失回访结果"]]
    plates = {v.plate: v for v in [*w.history, *w.month]}
    for i, (plate, v) in enumerate(sorted(plates.items())):
        call = w.file_churn.get(plate)
        cf.append([v.name, messy_phone(rng, v.phone), plate, _vin(100 + i), "凯美瑞", yes_no(rng, plate in w.members),
                   messy_date(rng, call[0]) if call else None, call[1] if call else None])
    paths.append(write_xlsx(folder / "客户信息卡.xlsx", {"客户信息卡": cf}))
    cards = [["客户跟进卡"], ["建卡日期", "客户姓名", "联系电话", "意向车型", "意向级别", "销售顾问", "状态", "战败原因",
                           "最近跟进日期", "流失回访日期", "流失回访结果"]]
    visitors = [["来店登记"], ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别",
                             "销售顾问", "是否建卡", "区域"]]
    for c in w.cards:
        level = {"战败": "F", "流失": "L"}.get(c.status, "B")
        cards.append([messy_date(rng, c.made), c.name, messy_phone(rng, c.phone), "凯美瑞", level, c.consultant, c.status,
                      c.reason, c.made + dt.timedelta(days=3), messy_date(rng, c.called),
                      "答应来保养" if c.called else None])
        visitors.append([c.made, "10:00", "来店", c.name, messy_phone(rng, c.phone), "凯美瑞", "路过", "B", c.consultant,
                         "是", c.region])
    paths.append(write_xlsx(folder / "销售.xlsx", {"跟进卡": cards, "来店登记": visitors}))
    return paths


def _vin(i: int) -> str:
    from xl_dealer.read.values import vin_check_digit

    body = f"LSVAM4180C2{i:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[World, list]:
    w = make_world()
    paths = write_world(w, tmp_path_factory.mktemp("clerk"))
    return w, checked(paths, AS_OF, CONFIG)


CONFIG = Config(nearby_areas=["天河", "海珠"], calls_daily_churn=1000, calls_daily_prospects=1000)


def _report(world, name: str, config: Config = CONFIG):
    return build_report(name, world[1], as_of=AS_OF, config=config)


# ---------------------------------------------------------------- the truth

def _asked(v: Visit) -> dict[str, Any]:
    """The answers that count: the items asked, and the staff questions (是 5, 否 1)."""
    out: dict[str, Any] = dict(v.answers)
    for k in ("quoted", "explained"):
        if getattr(v, k) is not None:
            out[k] = 5 if getattr(v, k) else 1
    return out


def _problem(v: Visit) -> bool:
    return v.complaint or any(a <= 2 for a in _asked(v).values())


def truth_daily(w: World) -> dict[str, Any]:
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reached = []
    for v in w.month:
        for c in v.calls:
            if c.day == YESTERDAY:
                per[c.caller]["calls"] += 1
                per[c.caller][c.outcome] += 1
                per[c.caller]["new_car"] += v.stype == "新车交付"
        if v.reached and v.reached.day == YESTERDAY:
            reached.append(v)
    depts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in reached:
        for it, a in _asked(v).items():
            if DEPT.get(it):
                depts[DEPT[it]][0] += 1
                depts[DEPT[it]][1] += a >= 4
    return {"per": per, "problems": sorted(v.ro for v in reached if _problem(v)), "depts": depts}


def test_daily_against_an_independent_count(world):
    w = world[0]
    truth = truth_daily(w)
    r = _report(world, "daily")
    assert (r.period_start, r.period_end, r.sheet) == (YESTERDAY, YESTERDAY, "回访日报")
    calls = {x["caller"]: x for x in r.table("calls").rows}
    assert set(calls) == set(truth["per"])
    for who, t in truth["per"].items():
        x = calls[who]
        assert (x["calls"], x["reached"], x["unanswered"], x["refused"], x["wrong"], x["new_car"]) == (
            t["calls"], t["已回访"], t["未接通"], t["拒访"], t["空号"], t["new_car"]), who
    assert sorted(x["ro_no"] for x in r.table("problems").rows) == truth["problems"]
    depts = {x["department"]: (x["answered"], x["satisfied"]) for x in r.table("by_department").rows}
    assert depts == {d: tuple(v) for d, v in truth["depts"].items()}
    assert all("*" in x["phone"] for x in r.table("problems").rows)  # a manager report: phones masked
    assert truth["problems"]  # the day has problem customers to list


def test_daily_problems_name_their_department_and_words(world):
    w = world[0]
    by_ro = {v.ro: v for v in w.month}
    for x in _report(world, "daily").table("problems").rows:
        v = by_ro[x["ro_no"]]
        bad = [it for it, a in _asked(v).items() if a <= 2]
        assert set((x["department"] or "").split("、")) - {""} == {DEPT[it] for it in bad if DEPT.get(it)} or (
            not any(DEPT.get(it) for it in bad))
        assert x["comment"] == v.comment
        needs_case = v.complaint or any(it not in ("quoted", "explained") for it in bad)
        assert (x["status"] == "服务规范（不需处理单）") == (not needs_case and x["case_no"] is None)


def truth_monthly(w: World) -> dict[str, Any]:
    now = [v for v in w.month if v.reached and NOV[0] <= v.reached.day <= NOV[1]]
    dept_rows = []
    for v in now:
        bad = [it for it, a in _asked(v).items() if a <= 2]
        depts = {DEPT.get(it) or "（不计部门）" for it in bad}  # 总体评价 speaks for no department
        if not bad and v.complaint:
            case = next((c for c in w.cases if c.ro == v.ro), None) or next(
                (c for c in w.cases if c.ro is None and c.phone == v.phone), None)
            depts = {case.dept if case else "（未指明）"}
        dept_rows += [(d, v.plate) for d in depts]
    members = {v.plate for v in [*w.month, *w.history] if v.member or v.joined} | w.members
    suggestions = defaultdict(int)
    for v in now:
        if v.plate in members and v.comment and v.comment != "无":
            suggestions[NAMED.get(v.comment, "（未指明）")] += 1
    club: dict[str, list[set]] = defaultdict(lambda: [set(), set()])
    for v in w.month:
        for c in v.calls:
            if NOV[0] <= c.day <= NOV[1] and c.outcome == "已回访" and v.invited:
                club[c.caller][0].add(v.plate)
                if v.joined:
                    club[c.caller][1].add(v.plate)
    cases = {c.no: (c.resolved - c.day).days if c.resolved and c.resolved <= AS_OF else None
             for c in w.cases if NOV[0] <= c.day <= NOV[1]}
    return {"dept_rows": sorted(dept_rows), "suggestions": dict(suggestions), "club": club, "cases": cases}


def test_monthly_details_against_an_independent_count(world):
    w = world[0]
    truth = truth_monthly(w)
    r = _report(world, "monthly")
    assert (r.period_start, r.period_end) == NOV
    got = sorted((x["department"], x["plate"].replace("粤b ", "粤B")) for x in r.table("department_problems").rows)
    assert got == truth["dept_rows"] and got
    sug: dict[str, int] = defaultdict(int)
    for x in r.table("member_suggestions").rows:
        sug[x["department"]] += 1
    assert dict(sug) == truth["suggestions"] and sum(sug.values()) >= 5
    club = {x["caller"]: (x["invited"], x["joined"]) for x in r.table("club").rows}
    assert club == {k: (len(a), len(b)) for k, (a, b) in truth["club"].items()}
    total = r.table("club").total_row
    assert (total["invited"], total["joined"]) == (sum(len(a) for a, _ in truth["club"].values()),
                                                   sum(len(b) for _, b in truth["club"].values()))
    cases = {x["case_no"]: x["days"] for x in r.table("cases").rows}
    assert cases == truth["cases"] and any(d is not None for d in cases.values())


def test_the_monthly_department_satisfaction_counts_staff_answers_and_no_invented_scores(world):
    w = world[0]
    now = [v for v in w.month if v.reached and NOV[0] <= v.reached.day <= NOV[1]]
    depts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in now:
        for it, a in _asked(v).items():
            if DEPT.get(it):
                depts[DEPT[it]][0] += 1
                depts[DEPT[it]][1] += a >= 4
    r = _report(world, "monthly")
    got = {x["department"]: (x["answered"], x["satisfied"]) for x in r.table("by_department").rows if x["answered"]}
    assert got == {d: tuple(v) for d, v in depts.items()}
    assert any(v.invented for v in now)  # new-car rows with typed repair scores were there, and did not count


def truth_churn(w: World) -> dict[str, Any]:
    cutoff, base_start = D(2026, 6, 3), D(2025, 6, 3)
    served: dict[str, list[dt.date]] = defaultdict(list)
    for v in [*w.history, *w.month]:
        if v.stype != CAMPAIGN and v.delivered <= AS_OF:
            served[v.plate].append(v.delivered)
    base = {p for p, days in served.items() if any(base_start <= d < cutoff for d in days)}
    lost = {p for p in base if max(served[p]) < cutoff}
    calls: dict[str, dt.date] = {}
    reasons: dict[str, dt.date] = {}  # plate → the day the reason was written (its call)
    for v in w.history:
        if v.churn_call:
            calls[v.plate] = max(calls.get(v.plate, v.churn_call), v.churn_call)
            if v.churn_reason:
                reasons[v.plate] = v.churn_call
    for plate, (day, _) in w.file_churn.items():
        calls[plate] = max(calls.get(plate, day), day)
    won = {p for p, c in calls.items() if any(c < d <= AS_OF for d in served.get(p, []))}
    # a call (or a reason) from before the last visit was about an earlier absence, not this loss
    return {"base": base, "lost": lost, "called": {p for p in lost if p in calls and calls[p] >= max(served[p])},
            "known": {p for p in lost if p in reasons and reasons[p] >= max(served[p])}, "won": won}


def test_churn_a_manager_can_act_on_against_an_independent_count(world):
    w = world[0]
    truth = truth_churn(w)
    r = _report(world, "churn")
    s = r.table("summary").rows[0]
    assert (s["base"], s["lost"]) == (len(truth["base"]), len(truth["lost"]))
    lost = {x["plate"]: x for x in r.table("lost").rows}
    assert set(lost) == truth["lost"]
    assert {p for p, x in lost.items() if x["called"]} == truth["called"] and truth["called"]
    (f,) = r.table("follow_up").rows
    assert (f["lost"], f["called"], f["known"], f["won_back"]) == (
        len(truth["lost"]), len(truth["called"]), len(truth["known"]), len(truth["won"]))
    assert truth["won"] and truth["known"]
    # the free checks: customers whose only visit since the cut-off was one are still lost
    free = {v.plate for v in w.history if v.stype == CAMPAIGN}
    assert free & truth["lost"]
    # members first, marked
    flags = [x["member"] == "会员" for x in r.table("lost").rows]
    assert flags == sorted(flags, reverse=True) and any(flags)
    members = w.members | {v.plate for v in [*w.history, *w.month] if v.joined}  # joined on a call: a member
    assert all(x["member"] == ("会员" if p in members else None) for p, x in lost.items())


def truth_prospects(w: World) -> set[str]:
    ours = {v.phone for v in [*w.month, *w.history]} | {p for _, _, p, _ in w.deliveries}
    out = set()
    for c in w.cards:
        if c.status not in ("战败", "流失") or not c.reason or not any(k in c.reason for k in ("价格", "贵", "优惠")):
            continue
        lost_on = c.made + dt.timedelta(days=3)  # the card's 最近跟进日期
        if lost_on < D(2025, 12, 3) or c.phone in ours or not c.region or not any(a in c.region for a in ("天河", "海珠")):
            continue
        out.add(c.phone)
    return out


def test_prospects_against_an_independent_count(world):
    w = world[0]
    truth = truth_prospects(w)
    r = _report(world, "prospects")
    rows = r.table("list").rows
    assert {x["phone"] for x in rows} == truth and truth  # a call list: the phone in full
    called = {c.phone for c in w.cards if c.called}
    assert {x["phone"] for x in rows if x["status"] == "已回访"} == truth & called
    assert [x["status"] for x in rows] == sorted(x["status"] for x in rows)[::-1] or all(
        x["status"] == "待回访" for x in rows[: sum(x["status"] == "待回访" for x in rows)])
    everywhere = build_report("prospects", world[1], as_of=AS_OF, config=Config())  # no areas: every region
    assert {x["phone"] for x in everywhere.table("list").rows} >= truth


def truth_calls(w: World) -> dict[str, set[str]]:
    due: dict[str, set[str]] = defaultdict(set)
    for v in w.month:
        if not v.calls:
            if v.stype == "新车交付":
                if AS_OF >= v.delivered + dt.timedelta(days=7) and (AS_OF - v.delivered).days - 7 <= 14:
                    due[v.phone].add("回访")
            elif AS_OF >= v.delivered + dt.timedelta(days=1) and (AS_OF - v.delivered).days - 3 <= 14:
                due[v.phone].add("回访")
            continue
        if v.reached or any(c.outcome in ("拒访", "空号") for c in v.calls):
            continue
        first, last = v.calls[0].day, v.calls[-1].day
        if last < AS_OF and (AS_OF - first).days <= 5:
            due[v.phone].add("重拨")
    for d, _, phone, _ in w.deliveries:
        if AS_OF >= d + dt.timedelta(days=7) and (AS_OF - d).days - 7 <= 14:
            due[phone].add("新车回访")
    for lt in w.letters:
        if lt.result == "未接通" and lt.reminded and lt.reminded < AS_OF:
            due[lt.phone].add("重拨")
            continue
        if lt.sent is None or lt.reminded or lt.result:
            continue
        monday = lt.sent + dt.timedelta(days=7 - lt.sent.weekday())
        if AS_OF >= monday and (AS_OF - (monday + dt.timedelta(days=4))).days <= 14:
            due[lt.phone].add("保养提醒")
    for c in w.cases:
        if c.resolved and c.resolved < AS_OF and c.second is None:
            due[c.phone].add("投诉二次回访")
    churn = truth_churn(w)
    phone_of = {v.plate: v.phone for v in [*w.history, *w.month]}
    for plate in churn["lost"] - churn["called"]:
        due[phone_of[plate]].add("流失回访")
    for phone in truth_prospects(w) - {c.phone for c in w.cards if c.called}:
        due[phone].add("战败客户")
    return due


def test_the_morning_call_list_against_an_independent_count(world):
    w = world[0]
    truth = truth_calls(w)
    r = _report(world, "calls")
    assert r.call_list and r.sheet == "今日回访清单"
    rows = r.table("list").rows
    got = {x["phone"]: set(x["category"].split("、")) for x in rows}
    assert got == dict(truth)
    assert len(rows) == len(truth)  # one row per customer, whatever is due for them
    cats = {c for v in truth.values() for c in v}
    assert cats == {"回访", "重拨", "新车回访", "保养提醒", "投诉二次回访", "流失回访", "战败客户"}
    per = {x["category"]: x["calls"] for x in r.table("by_category").rows}
    assert per == {c: sum(c in v for v in truth.values()) for c in cats}
    assert r.table("by_category").total_row["calls"] == len(truth)
    # the two windows in order; within each, members first, then the most overdue
    windows = [x["window"] for x in rows]
    assert windows == sorted(windows) and set(windows) == {"10:00–12:00", "15:00–18:00"}
    for win in set(windows):
        mine = [x for x in rows if x["window"] == win]
        keys = [(x["member"] is None, -(x["overdue"] or 0)) for x in mine]
        assert keys == sorted(keys)
    # reached at 16:10 last time: called in the afternoon again
    afternoon = next(x for x in rows if x["phone"] == w.month[-1].phone)
    assert afternoon["window"] == "15:00–18:00"
    # why, the latest words, where to write it back: on every row
    assert all(x["why"] and x["write_back"] for x in rows)
    assert afternoon["words"] and w.month[-2].comment in afternoon["words"]
    # members marked as the customer file and the log say
    member_phones = {v.phone for v in [*w.month, *w.history] if v.plate in w.members or v.member or v.joined}
    assert {x["phone"] for x in rows if x["member"]} == set(got) & member_phones
    # the old ones are left off, and said so
    assert any("逾期超过 14 天" in n for n in r.notes)


def test_the_call_list_limits_the_daily_win_back_calls(world):
    r = _report(world, "calls", Config(nearby_areas=["天河", "海珠"], calls_daily_churn=3, calls_daily_prospects=2))
    cats = [x["category"] for x in r.table("list").rows]
    assert sum("流失回访" in c for c in cats) == 3 and sum("战败客户" in c for c in cats) == 2
    assert any("位流失客户待回访" in n for n in r.notes) and any("位价格战败客户待回访" in n for n in r.notes)


def test_reminders_show_the_items_and_the_list_and_put_members_first(world):
    w = world[0]
    r = _report(world, "reminders")
    rows = r.table("due").rows
    window = (AS_OF, AS_OF + dt.timedelta(days=6))
    on_list = {lt.plate for lt in w.letters if window[0] <= lt.due <= window[1]}
    assert on_list and on_list <= {x["plate"] for x in rows}
    assert all(x["items"] == "机油、机滤" for x in rows if x["plate"] in on_list)
    booked = next(x for x in rows if x["plate"] == w.letters[6].plate) if w.letters[6].plate in {
        x["plate"] for x in rows} else None
    assert booked is None or "已预约" in booked["list_status"]
    flags = [x["member"] is None for x in rows]
    assert flags == sorted(flags)


# ---------------------------------------------------------------- the store's campaigns by date

def test_visits_in_a_campaigns_days_are_no_return(tmp_path):
    """[[campaigns]]: every visit of those days (or only its types) is neither service nor return;
    a car sold here whose only visit since is a free check never came back for its 首保."""
    from tests.test_report_weekly import call
    from tests.workbooks import write

    def visit(plate, delivered, stype="保养", phone="1360000"):
        return call(f"R{plate[-3:]}{delivered:%m%d}", delivered + dt.timedelta(days=1), delivered, plate=plate,
                    service_type=stype, phone=f"{phone}{plate[-4:]}", comment="满意", next_service_km=20000)

    rows = [visit("粤A10001", D(2026, 1, 10)), visit("粤A10001", D(2026, 11, 2)),  # in the campaign: still lost
            visit("粤A10002", D(2026, 1, 10)), visit("粤A10002", D(2026, 11, 20)),  # after it: back
            visit("粤A10003", D(2026, 1, 12)), visit("粤A10003", D(2026, 11, 3), "维修"),  # a type the campaign lacks
            visit("粤A10004", D(2026, 11, 4), "免费检测", phone="1370000")]  # the sold car's only visit
    delivery = [{"delivered": D(2025, 12, 1), "delivery_time": "10:00", "customer": "新车主", "phone": "13700000004",
                 "model": "凯美瑞", "vin": _vin(7), "plate": "粤A10004", "consultant": "王强", "advisor": "周敏",
                 "thanks_at": "10:30", "first_callback": D(2025, 12, 2)}]
    p = write(tmp_path / "history.xlsx", {"回访": ("service_callback", rows), "交车": ("delivery", delivery)})
    campaign = {"name": "冬季免费检测", "start": D(2026, 11, 1), "end": D(2026, 11, 7)}
    lost = lambda config: {x["plate"] for x in build_report(  # noqa: E731
        "churn", checked([p], AS_OF, config), as_of=AS_OF, config=config).table("lost").rows}
    assert lost(Config()) == {"粤A10004"}  # no campaign configured: the November visits are returns
    assert lost(Config(campaigns=[campaign])) == {"粤A10001", "粤A10003", "粤A10004"}
    assert lost(Config(campaigns=[{**campaign, "types": ["保养"]}])) == {"粤A10001", "粤A10004"}
    r = build_report("churn", checked([p], AS_OF), as_of=AS_OF, config=Config())
    (sold,) = r.table("lost").rows
    assert sold["reason"] == "购车后未回厂首保" and "剔除 1 条" in "".join(r.footnotes)


def test_a_lost_car_whose_owner_changed_shows_the_file_s_owner_beside_it(tmp_path):
    """customer.mismatch, the rule, and the churn list show the same car: the call goes to the new owner."""
    from tests.test_report_weekly import call
    from tests.workbooks import write
    from xl_dealer.validate import validate

    rows = [call("R1", D(2026, 1, 11), D(2026, 1, 10), plate="粤A20001", phone="13600020001", comment="满意",
                 next_service_km=20000),
            call("R2", D(2026, 1, 13), D(2026, 1, 12), plate="粤A20002", phone="13600020002", comment="满意",
                 next_service_km=20000)]
    cards = [{"customer": "新车主", "phone": "13900020001", "plate": "粤A20001", "vin": _vin(1), "model": "凯美瑞"},
             {"customer": "王先生", "phone": "13600020002", "plate": "粤A20002", "vin": _vin(2), "model": "凯美瑞"}]
    p = write(tmp_path / "h.xlsx", {"回访": ("service_callback", rows), "信息卡": ("customer_file", cards)})
    result = validate([p], as_of=AS_OF, config=Config())
    assert [(f.rule, f.value) for f in result.findings if f.rule == "customer.mismatch"] == [
        ("customer.mismatch", "13900020001")]
    lost = {x["plate"]: x for x in build_report("churn", result.checked, as_of=AS_OF, config=Config()).table("lost").rows}
    assert set(lost) == {"粤A20001", "粤A20002"}
    assert lost["粤A20001"]["file"] == "新车主 13900020001" and lost["粤A20002"]["file"] is None
    assert lost["粤A20001"]["phone"] == "13600020001"  # the log's, beside it the file's to check first
