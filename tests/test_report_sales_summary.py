"""销售总结, 战败分析, 邀约到店 against an independent count, on a quarter of messy workbooks.

The generator below knows the truth of every row (real dates, phones, levels); the files
hold what clerks type instead (phones with spaces and +86 or as numbers, dates as text,
lower-case levels, synonyms, a title row, header aliases, a 合计 row, blank cells). The
``truth_*`` functions count from the generator's values with the definitions the sheets'
footnotes state, without any of the package's code, and the reports must agree.
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
AS_OF = D(2026, 10, 5)  # the last complete quarter: 2026 Q3 (Jul–Sep), the one before: Q2
Q3 = (D(2026, 7, 1), D(2026, 9, 30))
Q2 = (D(2026, 4, 1), D(2026, 6, 30))
CONSULTANTS = ["王强", "李娜", "张伟", "赵磊"]
MODELS = ["凯美瑞", "卡罗拉", "汉兰达"]
SOURCES = ["汽车之家", "朋友介绍", "路过", "电话"]
REASONS = [  # typed freely; the groups below (config) pick them up by keyword
    ("价格原因，买了竞品", "价格"), ("别家便宜两万", "价格"), ("买了其他品牌", "竞品"), ("预算不够", "预算"),
    ("老婆不同意", "家人"), ("暂时不买了", "暂缓"), ("联系不上", "其他"), (None, "（未填原因）"),
    ("客户说朋友在138 0013 8000那边买", "其他"),  # a phone inside the text: masked on the sheet
]
LOST_GROUPS = {"价格": ["价格", "便宜"], "竞品": ["竞品", "其他品牌"], "预算": ["预算"], "家人": ["老婆", "家人"],
               "暂缓": ["暂时", "暂缓"]}
INVITE_WORDS = ["邀约", "预约到店"]


@dataclass
class Visit:
    day: dt.date
    time: dt.time
    kind: str  # 来店 / 来电
    phone: str | None
    consultant: str | None
    level: str
    model: str
    source: str
    seq: str | None  # as typed: 首次 / 再次 / None (blank)
    drove: bool
    file: str = ""


@dataclass
class Contact:
    day: dt.date
    time: dt.time
    consultant: str
    phone: str
    level: str
    channel: str
    content: str
    feedback: str | None = None


@dataclass
class Card:
    made: dt.date
    phone: str
    consultant: str
    model: str
    source: str
    level: str
    status: str
    reason: str | None = None
    group: str | None = None
    last_contact: dt.date | None = None


@dataclass
class World:
    visits: list[Visit] = field(default_factory=list)
    drives: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (day, phone, consultant)
    contacts: list[Contact] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)


def _days(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_world(seed: int = 5) -> World:
    rng = random.Random(seed)
    w = World()
    known: list[str] = []
    seen_day: set[tuple[str, dt.date]] = set()
    n_phone = 0
    for month in (6, 7, 8, 9):
        start = D(2026, month, 1)
        end = (D(2026, month + 1, 1) if month < 12 else D(2027, 1, 1)) - dt.timedelta(days=1)
        for _ in range(70):
            day = _days(rng, start, end)
            if known and rng.random() < 0.3:
                phone = rng.choice(known)
            elif rng.random() < 0.1:
                phone = None  # declined
            else:
                n_phone += 1
                phone = f"139{n_phone:08d}"
                known.append(phone)
            if phone and (phone, day) in seen_day:
                continue  # one visit of a phone a day (a second would be a duplicate)
            if phone:
                seen_day.add((phone, day))
            walk_in = rng.random() < 0.75
            level = rng.choice(["H", "A", "B", "C", "N", "O"] if rng.random() < 0.9 else ["O"])
            first_time = phone is None or not any(v.phone == phone for v in w.visits)
            seq_roll = rng.random()
            seq = None if seq_roll < 0.35 else ("首次" if first_time else "再次") if seq_roll < 0.95 else "首次"
            v = Visit(day, dt.time(rng.randint(9, 18), rng.choice((0, 15, 30, 45))), "来店" if walk_in else "来电",
                      phone, rng.choice(CONSULTANTS) if rng.random() > 0.03 else None, level,
                      rng.choice(MODELS), rng.choice(SOURCES), seq, walk_in and phone is not None and rng.random() < 0.35)
            w.visits.append(v)
            if v.drove:
                w.drives.append((day, phone, v.consultant or "王强"))
    w.visits.sort(key=lambda v: (v.day, v.time))
    for v in w.visits:
        v.file = f"2026-{v.day.month:02d}.xlsx"
    # a drive in the register that the visitor log does not flag (counted: the register is the source)
    w.drives.append((D(2026, 8, 20), known[3], "李娜"))

    for phone in known:
        first = next(v for v in w.visits if v.phone == phone)
        if rng.random() < 0.15:
            continue  # no card: only the visitor log knows them
        roll = rng.random()
        status = "跟进中"
        level = first.level.upper()
        reason = group = None
        if roll < 0.2:
            status = rng.choice(["战败", "流失"])
            level = "F" if status == "战败" else "L"
            reason, group = rng.choice(REASONS)
        elif roll < 0.3:
            status, level = "已订车", "O"  # often with no O row anywhere: dated from the card
        w.cards[phone] = Card(first.day, phone, first.consultant or "张伟", first.model, first.source, level, status,
                              reason, group, first.day + dt.timedelta(days=rng.randint(0, 40)) if rng.random() < 0.6 else None)

    channels = ["电话", "微信", "短信", "到店"]
    for phone, card in w.cards.items():
        day = card.made
        for _ in range(rng.randint(0, 5)):
            day = day + dt.timedelta(days=rng.randint(1, 20))
            if day > D(2026, 9, 30):
                break
            level = card.level if card.status != "跟进中" and rng.random() < 0.5 else rng.choice(["H", "A", "B"])
            content = rng.choice(["介绍优惠", "邀约周末到店看车", "发送配置单", "询问进展"])
            feedback = rng.choice([None, "考虑中", "已预约到店", "在比较"])
            w.contacts.append(Contact(day, dt.time(rng.randint(9, 17), rng.choice((0, 20, 40))), card.consultant,
                                      phone, level, rng.choice(channels), content, feedback))
    w.contacts.sort(key=lambda c: (c.day, c.time))
    return w


# ---------------------------------------------------------------- how clerks type it

def messy_phone(rng: random.Random, p: str | None) -> Any:
    if p is None:
        return None
    return rng.choice([p, f"{p[:3]} {p[3:7]} {p[7:]}", f"+86 {p[:3]}-{p[3:7]}-{p[7:]}", int(p)])


def messy_date(rng: random.Random, d: dt.date | None) -> Any:
    if d is None:
        return None
    return rng.choice([d, f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y.%m.%d}"])


def messy_time(rng: random.Random, t: dt.time) -> Any:
    return rng.choice([t, f"{t.hour}:{t.minute:02d}", f"{t.hour}点{t.minute}" if t.minute else f"{t.hour}点"])


def messy_seq(rng: random.Random, seq: str | None) -> Any:
    if seq is None:
        return None
    return rng.choice({"首次": ["首次", "F", "初"], "再次": ["再次", "S", "再"]}[seq])


def yes_no(rng: random.Random, b: bool) -> str:
    return rng.choice(["是", "√", "Y"]) if b else rng.choice(["否", "×", "N"])


REG_HEADERS = ["*日期", "来店时间", "来店(电)方式", "首次/再次", "*客户姓名", "手机号", "意向车型", "信息来源（渠道）",
               "意向级别", "接待顾问", "是否试驾", "是否建卡", "备注"]
LOG_HEADERS = ["跟进日期", "跟进时间", "销售顾问", "客户姓名", "联系电话", "跟进后级别", "跟进方式", "跟进内容", "客户反馈"]
CARD_HEADERS = ["建卡日期", "客户姓名", "联系电话", "意向车型", "意向级别", "信息来源", "销售顾问", "状态", "战败原因",
                "最近跟进日期"]
TD_HEADERS = ["试驾日期", "客户姓名", "年龄", "职业", "驾驶证号", "联系电话", "联系地址", "试驾车型", "客户签名", "陪同人",
              "销售顾问"]


def _sheet(title: str, headers: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """A title row, a blank row, the header, the rows and a 合计 row, as a clerk keeps a log."""
    return [[title], [], headers, *rows, ["合计", f"{len(rows)}条"]]


def reg_rows(rng: random.Random, visits: list[Visit]) -> list[list[Any]]:
    out = []
    for v in visits:
        kind = rng.choice(["来店", "展厅", "进店"]) if v.kind == "来店" else rng.choice(["来电", "电话"])
        out.append([messy_date(rng, v.day), messy_time(rng, v.time), kind, messy_seq(rng, v.seq), "客户",
                    messy_phone(rng, v.phone), v.model, v.source, v.level if rng.random() < 0.8 else v.level.lower(),
                    v.consultant, yes_no(rng, v.drove), yes_no(rng, v.phone is not None),
                    "不留电话" if v.phone is None else rng.choice([None, "=带家人来", "比较价格"])])
    return out


def log_rows(rng: random.Random, contacts: list[Contact]) -> list[list[Any]]:
    return [[messy_date(rng, c.day), messy_time(rng, c.time), c.consultant, "客户", messy_phone(rng, c.phone),
             c.level if rng.random() < 0.8 else c.level.lower(), c.channel, c.content, c.feedback] for c in contacts]


STATUS_TYPED = {"跟进中": ["跟进中", "跟踪中"], "已订车": ["已订车", "订车"], "战败": ["战败", "战败客户"], "流失": ["流失"]}


def card_rows(rng: random.Random, cards: list[Card]) -> list[list[Any]]:
    return [[messy_date(rng, c.made), "客户", messy_phone(rng, c.phone), c.model, c.level, c.source, c.consultant,
             rng.choice(STATUS_TYPED[c.status]), c.reason, messy_date(rng, c.last_contact)] for c in cards]


def td_rows(rng: random.Random, drives: list[tuple[dt.date, str, str]]) -> list[list[Any]]:
    return [[messy_date(rng, d), "客户", 30, "教师", "11010519491231002X", messy_phone(rng, p), "天河区", "凯美瑞",
             "是", c, c] for d, p, c in drives]


def write_world(w: World, folder: Path, per_month_files: bool = True) -> list[Path]:
    """Each month's visitor log and follow-up log in a workbook of its own (or, with
    ``per_month_files`` false, one workbook with a sheet per month), cards and drives apart."""
    rng = random.Random(9)
    folder.mkdir(parents=True, exist_ok=True)
    months: dict[int, dict[str, list[list[Any]]]] = defaultdict(dict)
    for m in (6, 7, 8, 9):
        vs = [v for v in w.visits if v.day.month == m]
        cs = [c for c in w.contacts if c.day.month == m]
        months[m][f"{m}月来店"] = _sheet(f"XX汽车4S店来店(来电)客户登记表 2026年{m}月", REG_HEADERS, reg_rows(rng, vs))
        months[m][f"{m}月跟进"] = _sheet(f"意向客户跟进记录 2026年{m}月", LOG_HEADERS, log_rows(rng, cs))
    if per_month_files:
        for m, sheets in months.items():
            write_xlsx(folder / f"2026-{m:02d}.xlsx", sheets)
    else:
        write_xlsx(folder / "2026.xlsx", {name: rows for sheets in months.values() for name, rows in sheets.items()})
    write_xlsx(folder / "cards.xlsx", {"跟进卡": _sheet("客户跟进卡", CARD_HEADERS, card_rows(rng, list(w.cards.values())))})
    write_xlsx(folder / "drives.xlsx", {"试驾": _sheet("试乘试驾登记表", TD_HEADERS, td_rows(rng, w.drives))})
    return sorted(folder.glob("*.xlsx"))


# ---------------------------------------------------------------- the independent count

BLANK = "（未填）"


def within(d: dt.date | None, span: tuple[dt.date, dt.date]) -> bool:
    return d is not None and span[0] <= d <= span[1]


def truth_orders(w: World) -> dict[str, tuple[dt.date, str]]:
    """Customer → (order day, consultant): the first O/D row of the visitor log or the
    follow-up log; else a card at 已订车 dated by its 最近跟进日期, else its 建卡日期."""
    rows = [(v.day, v.time, v.phone or f"visit{i}", v.consultant or BLANK)
            for i, v in enumerate(w.visits) if v.level in ("O", "D")]
    rows += [(c.day, c.time, c.phone, c.consultant) for c in w.contacts if c.level in ("O", "D")]
    out: dict[str, tuple[dt.date, dt.time, str]] = {}
    for day, time, who_key, consultant in rows:
        if who_key not in out or (day, time) < out[who_key][:2]:
            out[who_key] = (day, time, consultant)
    result = {k: (d, c) for k, (d, _, c) in out.items()}
    for p, card in w.cards.items():
        if (card.status == "已订车" or card.level in ("O", "D")) and p not in result:
            result[p] = (card.last_contact or card.made, card.consultant)
    return result


def truth_lost(w: World) -> dict[str, tuple[dt.date, Card]]:
    out = {}
    for p, card in w.cards.items():
        if card.status not in ("战败", "流失"):
            continue
        mine = [c for c in w.contacts if c.phone == p]
        went = [c.day for c in mine if c.level in ("F", "L")]
        day = min(went) if went else card.last_contact or (max(c.day for c in mine) if mine else None) or card.made
        out[p] = (day, card)
    return out


def truth_sales(w: World, span: tuple[dt.date, dt.date]) -> dict[str, dict[str, int]]:
    """Per consultant, the counts of the 销售总结 for ``span``."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first_seen: dict[str, tuple] = {}
    for v in w.visits:
        if v.phone and (v.phone not in first_seen or (v.day, v.time) < first_seen[v.phone]):
            first_seen[v.phone] = (v.day, v.time)
    credit: dict[tuple[str, str], tuple[tuple, str]] = {}

    def add(measure: str, key: str, order: tuple, who: str) -> None:
        if (measure, key) not in credit or order < credit[(measure, key)][0]:
            credit[(measure, key)] = (order, who)

    for i, v in enumerate(w.visits):
        if not within(v.day, span):
            continue
        who = v.consultant or BLANK
        per[who]["walk_ins" if v.kind == "来店" else "phone_ins"] += 1
        key = v.phone or f"visit{i}"
        seq = v.seq or ("首次" if v.phone is None or first_seen[v.phone] == (v.day, v.time) else "再次")
        if seq == "首次":
            add("first", key, (v.day, v.time), who)
            if v.phone:
                add("phones", key, (v.day, v.time), who)
        else:
            add("again", key, (v.day, v.time), who)
    for j, (day, phone, who) in enumerate(w.drives):
        if within(day, span):
            add("test_drives", phone, (day, j), who)
    for p, card in w.cards.items():
        if within(card.made, span):
            add("new_cards", p, (card.made,), card.consultant)
    for key, (day, who) in truth_orders(w).items():
        if within(day, span):
            add("orders", key, (day,), who)
    for p, (day, card) in truth_lost(w).items():
        if within(day, span):
            add("lost", p, (day,), card.consultant)
    for (measure, _), (_, who) in credit.items():
        per[who][measure] += 1
    return per


COUNTS = ["walk_ins", "phone_ins", "first", "again", "phones", "new_cards", "test_drives", "orders", "lost"]


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


@pytest.fixture(scope="module")
def quarter(world, tmp_path_factory) -> list:
    paths = write_world(world, tmp_path_factory.mktemp("quarter"))
    return checked(paths, AS_OF)


def _rows(report, period: str) -> dict[str, dict[str, Any]]:
    return {r["consultant"]: r for r in report.table("by_consultant").rows if r["period"] == period}


def test_quarter_per_consultant_matches_an_independent_count(world, quarter):
    r = build_report("sales", quarter, as_of=AS_OF, config=Config(), period="quarter")
    assert (r.period_start, r.period_end) == Q3 and r.fed
    for label, span in (("本期", Q3), ("上期", Q2)):  # Q2: only June is in the inputs, and counts
        want = truth_sales(world, span)
        got = _rows(r, label)
        assert set(want) <= set(got) - {"合计"}, label  # a consultant of either period has rows in both
        for who in set(got) - {"合计"}:
            counts = want.get(who, {})
            assert {k: got[who][k] for k in COUNTS} == {k: counts.get(k, 0) for k in COUNTS}, (label, who)
            assert got[who]["order_rate"] == (counts["orders"] / counts["first"] if counts.get("first") else None)
        total = got["合计"]
        for k in COUNTS:
            assert total[k] == sum(c.get(k, 0) for c in want.values()), (label, k)
        assert total["phone_rate"] == pytest.approx(total["phones"] / total["first"])
        assert total["test_drive_rate"] == pytest.approx(total["test_drives"] / total["first"])


def test_changes_are_differences_and_rates_in_percentage_points(world, quarter):
    r = build_report("sales", quarter, as_of=AS_OF, config=Config(), period="quarter")
    now, before, change = _rows(r, "本期"), _rows(r, "上期"), _rows(r, "变化")
    for who in now:
        for k in COUNTS:
            assert change[who][k] == now[who][k] - before[who][k]
        if now[who]["order_rate"] is not None and before[who]["order_rate"] is not None:
            assert change[who]["order_rate"] == round((now[who]["order_rate"] - before[who]["order_rate"]) * 100, 1)
    summary = {row["key"]: row for row in r.table("summary").rows}
    assert summary["orders"]["current"] == now["合计"]["orders"] and summary["orders"]["previous"] == before["合计"]["orders"]
    assert summary["order_rate"]["change"] == change["合计"]["order_rate"]
    assert r.notes == [n for n in r.notes if "上期" not in n]  # June is there: nothing to explain
    assert "本期" in r.footnotes[0] and any("百分点" in f for f in r.footnotes)


def test_one_sheet_per_month_gives_the_same_report(world, quarter, tmp_path):
    one_book = checked(write_world(world, tmp_path / "one", per_month_files=False), AS_OF)
    for name in ("sales", "lost", "invites", "funnel"):
        a = build_report(name, quarter, as_of=AS_OF, config=Config(), period="quarter").to_json()["tables"]
        b = build_report(name, one_book, as_of=AS_OF, config=Config(), period="quarter").to_json()["tables"]
        assert a == b, name


def test_each_month_of_the_quarter_adds_up_to_the_quarter(world, quarter):
    """A month's report of each of July, August and September: the visit counts add up."""
    q = _rows(build_report("sales", quarter, as_of=AS_OF, config=Config(), period="quarter"), "本期")["合计"]
    months = [_rows(build_report("sales", quarter, as_of=D(2026, m + 1, 3), config=Config()), "本期")["合计"]
              for m in (7, 8, 9)]
    for k in ("walk_ins", "phone_ins"):  # rows, not customers: these add up across months
        assert q[k] == sum(m[k] for m in months)
    assert q["orders"] == sum(m["orders"] for m in months)  # each customer orders once, on one day


def test_targets_per_consultant_or_for_all_prorated(world, quarter):
    cfg = Config(targets={"orders": 10, "test_drives": 20, "per_consultant": {"王强": {"orders": 4}}})
    r = build_report("sales", quarter, as_of=AS_OF, config=cfg, period="quarter")
    rows = {x["consultant"]: x for x in r.table("targets").rows}
    want = truth_sales(world, Q3)
    assert rows["王强"]["orders_target"] == 12.0 and rows["李娜"]["orders_target"] == 30.0  # × 3 months
    assert rows["王强"]["test_drives_target"] == 60.0  # his own orders target, everyone's test-drive one
    assert rows["李娜"]["orders_completion"] == pytest.approx(want["李娜"]["orders"] / 30)
    assert rows.get(BLANK, {}).get("orders_target") is None  # a row without a consultant has no target
    total = r.table("targets").total_row
    named = [n for n in rows if n != BLANK]
    assert total["orders_target"] == 12 + 30 * 3
    assert total["orders_completion"] == pytest.approx(sum(want[n]["orders"] for n in named) / total["orders_target"])
    summary = {row["key"]: row for row in r.table("summary").rows}
    assert (summary["orders"]["target"], summary["orders"]["completion"]) == \
        (total["orders_target"], total["orders_completion"])
    assert r.charts[0].series == ["orders_completion", "test_drives_completion"]  # against target


def test_a_week_across_a_month_end_prorates_by_day(world, quarter):
    cfg = Config(targets={"orders": 31})
    r = build_report("sales", quarter, as_of=D(2026, 9, 2), config=cfg, period="week")  # Mon 8-24 … Sun 8-30
    assert (r.period_start, r.period_end) == (D(2026, 8, 24), D(2026, 8, 30))
    assert {x["orders_target"] for x in r.table("targets").rows if x["consultant"] != BLANK} == {7.0}
    r = build_report("sales", quarter, as_of=D(2026, 10, 7), config=cfg, period="week")  # 9-28 … 10-4
    # 3 days of September (31/30 a day) and 4 of October (1 a day)
    assert {x["orders_target"] for x in r.table("targets").rows if x["consultant"] != BLANK} == \
        {round(31 * 3 / 30 + 4, 1)}


def test_without_targets_no_target_columns_and_a_note(quarter):
    r = build_report("sales", quarter, as_of=AS_OF, config=Config(), period="quarter")
    assert [c.key for c in r.table("targets").columns] == ["consultant", "orders", "test_drives"]
    assert any("没有设销售目标" in n for n in r.notes)


def test_no_previous_period_in_the_inputs_shows_dashes_and_says_why(world, quarter):
    r = build_report("sales", quarter, as_of=D(2026, 7, 3), config=Config(), period="month")  # June; May absent
    before = _rows(r, "上期")["合计"]
    assert before["walk_ins"] is None and before["orders"] is None  # not 0: nothing was given for May
    assert any("上期（2026年5月）" in n and "请把上期的工作簿" in n for n in r.notes)
    assert _rows(r, "变化")["合计"]["walk_ins"] is None


# ---------------------------------------------------------------- 战败分析

def truth_group(text: str | None) -> str:
    if not text:
        return "（未填原因）"
    for g, words in LOST_GROUPS.items():
        if any(x in text.replace("，", ",") for x in words):
            return g
    return "其他"


def test_lost_by_reason_model_source_consultant(world, quarter):
    cfg = Config(lost_reasons=LOST_GROUPS)
    r = build_report("lost", quarter, as_of=AS_OF, config=cfg, period="quarter")
    lost = {p: x for p, x in truth_lost(world).items() if within(x[0], Q3)}
    orders = {k: x for k, x in truth_orders(world).items() if within(x[0], Q3)}
    summary = {row["key"]: row for row in r.table("summary").rows}
    assert summary["lost"]["current"] == len(lost) and summary["orders"]["current"] == len(orders)
    assert summary["lost_rate"]["current"] == pytest.approx(len(lost) / (len(lost) + len(orders)))

    by_reason = {x["reason"]: x["lost"] for x in r.table("by_reason").rows}
    want: dict[str, int] = defaultdict(int)
    for _, card in lost.values():
        want[truth_group(card.reason)] += 1
        assert truth_group(card.reason) == card.group  # the generator's intended group
    assert {g: n for g, n in by_reason.items() if n} == dict(want)
    assert list(by_reason)[:5] == list(LOST_GROUPS)  # the config's groups, in its order, then 其他

    by_consultant = {x["consultant"]: (x["lost"], x["orders"]) for x in r.table("by_consultant").rows}
    want_c: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, card in lost.values():
        want_c[card.consultant][0] += 1
    for _, who in orders.values():
        want_c[who][1] += 1
    assert by_consultant == {k: tuple(v) for k, v in want_c.items()}

    by_model = {x["model"]: x["lost"] for x in r.table("by_model").rows}
    want_m: dict[str, int] = defaultdict(int)
    for _, card in lost.values():
        want_m[card.model] += 1
    assert {m: n for m, n in by_model.items() if n} == dict(want_m)

    listing = r.table("list").rows
    assert len(listing) == len(lost)
    typed = [x["reason"] for x in listing if x["reason"]]
    assert all("138 0013 8000" not in t and "13800138000" not in t for t in typed)
    assert any("138****8000" in t for t in typed) or all(c.reason != REASONS[-1][0] for _, c in lost.values())
    assert all("****" in x["phone"] for x in listing)  # a manager's list, not a call list


def test_lost_default_keywords_group_common_reasons():
    from xl_dealer.reports.lost import reason_group

    cfg = Config()
    assert [reason_group(t, cfg) for t in ("价格太贵了", "买了别家的车", "预算不足，暂缓购车", "家里人不同意", "暂不考虑",
                                           "联系不上", "", None)] == \
        ["价格", "竞品", "预算", "家人意见", "暂不购买", "其他", "（未填原因）", "（未填原因）"]


# ---------------------------------------------------------------- 邀约到店

def truth_invites(w: World, span: tuple[dt.date, dt.date], days: int, as_of: dt.date) -> dict[str, list[int]]:
    """consultant → [invited, arrived, pending]."""
    walk_ins: dict[str, list[tuple[dt.date, dt.time]]] = defaultdict(list)
    for v in w.visits:
        if v.phone and v.kind == "来店":
            walk_ins[v.phone].append((v.day, v.time))
    invited: dict[str, list[Contact]] = defaultdict(list)
    for c in w.contacts:
        text = f"{c.channel}{c.content}{c.feedback or ''}"
        if within(c.day, span) and any(x in text for x in INVITE_WORDS):
            invited[c.phone].append(c)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for phone, cs in invited.items():
        who = min(cs, key=lambda c: (c.day, c.time)).consultant
        came = any(c.day < vd <= c.day + dt.timedelta(days=days)
                   or (vd == c.day and c.channel != "到店" and vt >= c.time)
                   for c in cs for vd, vt in walk_ins[phone])
        out[who][0] += 1
        out[who][1] += came
        out[who][2] += not came and max(c.day for c in cs) + dt.timedelta(days=days) >= as_of
    return out


@pytest.mark.parametrize("days", [3, 7])
def test_invitations_and_arrivals_match_an_independent_count(world, quarter, days):
    cfg = Config(invite_keywords=INVITE_WORDS, invite_arrival_days=days)
    r = build_report("invites", quarter, as_of=AS_OF, config=cfg, period="quarter")
    want = truth_invites(world, Q3, days, AS_OF)
    got = {x["consultant"]: [x["invited"], x["arrived"], x["pending"]] for x in r.table("by_consultant").rows}
    assert got == dict(want)
    before = truth_invites(world, Q2, days, AS_OF)
    got_before = {x["consultant"]: (x["prev_invited"], x["prev_arrived"]) for x in r.table("by_consultant").rows}
    for who, (n, a, _) in before.items():
        if who in got_before:
            assert got_before[who] == (n, a)
    total = r.table("by_consultant").total_row
    assert total["rate"] == pytest.approx(sum(v[1] for v in want.values()) / sum(v[0] for v in want.values()))
    assert sum(v[1] for v in want.values()) > 0  # the fixture has arrivals to count


# ---------------------------------------------------------------- the other periodic reports

@pytest.mark.parametrize("period,span", [("day", (D(2026, 10, 4),) * 2), ("week", (D(2026, 9, 28), D(2026, 10, 4))),
                                         ("month", (D(2026, 9, 1), D(2026, 9, 30))), ("quarter", Q3),
                                         ("half", (D(2026, 1, 1), D(2026, 6, 30))),
                                         ("year", (D(2025, 1, 1), D(2025, 12, 31)))])
def test_every_periodic_report_takes_every_period(quarter, period, span):
    for name in ("funnel", "sales", "lost", "invites", "weekly", "monthly", "churn"):
        r = build_report(name, quarter, as_of=AS_OF, config=Config(), period=period)
        if name != "churn":
            assert (r.period_start, r.period_end) == span, (name, period)


def test_funnel_for_a_quarter_counts_the_quarters_visitors(world, quarter):
    r = build_report("funnel", quarter, as_of=AS_OF, config=Config(), period="quarter")
    visitors = {v.phone or f"visit{i}" for i, v in enumerate(world.visits) if within(v.day, Q3)}
    assert r.table("stages").rows[0]["customers"] == len(visitors)
    assert r.title.startswith("销售漏斗（季度）2026年第3季度")


def test_an_arrival_is_a_walk_in_after_the_invitation_within_the_days(tmp_path):
    from tests.workbooks import write

    def visit(day, phone, hour, kind="来店"):
        return {"date": day, "arrive_time": dt.time(hour), "visit_type": kind, "customer": "客户", "phone": phone,
                "model": "凯美瑞", "source": "路过", "level": "A", "consultant": "王强", "visit_seq": "再次"}

    def invite(day, phone, hour, channel="电话", content="邀约周六到店"):
        return {"date": day, "time": dt.time(hour), "consultant": "李娜", "customer": "客户", "phone": phone,
                "level": "A", "channel": channel, "content": content}

    logs = [invite(D(2026, 9, 10), "13900000001", 10),  # came that afternoon: arrived
            invite(D(2026, 9, 10), "13900000002", 15),  # came that morning, before the call: not this
            invite(D(2026, 9, 10), "13900000003", 10, channel="到店"),  # made in the showroom: that visit is no arrival
            invite(D(2026, 9, 10), "13900000004", 9),  # came 8 days later: too late
            invite(D(2026, 9, 10), "13900000005", 9),  # called in (来电), did not come
            invite(D(2026, 9, 10), "13900000006", 9, content="介绍优惠"),  # no invitation
            invite(D(2026, 9, 28), "13900000007", 9),  # window still open on the as-of date
            invite(D(2026, 8, 28), "13900000008", 9), invite(D(2026, 9, 2), "13900000008", 9)]  # invited twice
    visits = [visit(D(2026, 9, 10), "13900000001", 15), visit(D(2026, 9, 10), "13900000002", 11),
              visit(D(2026, 9, 10), "13900000003", 15), visit(D(2026, 9, 18), "13900000004", 10),
              visit(D(2026, 9, 12), "13900000005", 10, kind="来电"), visit(D(2026, 9, 11), "13900000006", 10),
              visit(D(2026, 9, 5), "13900000008", 10)]
    p = write(tmp_path / "s.xlsx", {"登记": ("registration", visits), "跟进": ("followup_log", logs)})
    r = build_report("invites", checked([p], D(2026, 10, 3)), as_of=D(2026, 10, 3), config=Config())
    (row,) = r.table("by_consultant").rows
    # invited: …01 …02 …03 …04 …05 …07 …08 (7); arrived: …01 and …08 (3 days after its 2nd invitation)
    assert (row["consultant"], row["invited"], row["arrived"], row["pending"]) == ("李娜", 7, 2, 1)
    assert row["rate"] == pytest.approx(2 / 7)
    assert (row["prev_invited"], row["prev_arrived"]) == (1, 0)  # August: …08, who came 8 days after that one


def test_sales_settings_in_dealer_toml_print_back_and_are_checked(tmp_path):
    from xl_dealer.model.config import load_config, to_toml
    from xl_dealer.model.errors import InputError

    cfg = tmp_path / "dealer.toml"
    cfg.write_text('invite_arrival_days = 5\nlost_statuses = ["战败"]\n[targets]\norders = 8\n'
                   '[targets.per_consultant]\n"王强" = { orders = 12, test_drives = 30 }\n'
                   '[lost_reasons]\n"价格" = ["价格", "贵"]\n"竞品" = ["竞品"]\n', encoding="utf-8")
    c = load_config(cfg)
    assert (c.invite_arrival_days, c.lost_statuses, list(c.lost_reasons)) == (5, ["战败"], ["价格", "竞品"])
    assert (c.targets.of("王强").orders, c.targets.of("王强").test_drives) == (12, 30)
    assert (c.targets.of("李娜").orders, c.targets.of("李娜").test_drives) == (8, None)
    back = tmp_path / "back.toml"
    back.write_text(to_toml(c), encoding="utf-8")
    assert load_config(back) == c
    cfg.write_text("[targets]\norders = -1\n", encoding="utf-8")
    with pytest.raises(InputError, match="targets.orders"):
        load_config(cfg)
    cfg.write_text("[targets]\ndeliverys = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="deliverys"):
        load_config(cfg)


def test_deliveries_from_the_delivery_register_against_target(world, quarter, tmp_path):
    from tests.workbooks import write

    rng = random.Random(3)
    cars = []
    for i in range(40):
        day = _days(rng, D(2026, 6, 1), D(2026, 9, 30))
        cars.append({"delivered": messy_date(rng, day), "delivery_time": dt.time(15), "customer": "客户",
                     "phone": f"1390000{i:04d}", "model": "凯美瑞", "vin": f"LVSHCAMB1CE{i:06d}",
                     "consultant": rng.choice(CONSULTANTS), "advisor": "周敏", "_day": day})
    cars.append({**cars[0], "delivery_time": dt.time(16)})  # the same car typed twice: one delivery
    path = write(tmp_path / "交车.xlsx", {"交车": ("delivery", [{k: v for k, v in c.items() if k != "_day"} for c in cars])})
    ch = quarter + checked([path], AS_OF)
    cfg = Config(targets={"deliveries": 5})
    r = build_report("sales", ch, as_of=AS_OF, config=cfg, period="quarter")
    want: dict[str, int] = defaultdict(int)
    for c in cars[:-1]:
        if within(c["_day"], Q3):
            want[c["consultant"]] += 1
    got = _rows(r, "本期")
    assert {n: got[n]["deliveries"] for n in CONSULTANTS} == {n: want.get(n, 0) for n in CONSULTANTS}
    assert got["合计"]["deliveries"] == sum(want.values())
    targets = {x["consultant"]: x for x in r.table("targets").rows}
    assert targets["王强"]["deliveries_target"] == 15.0
    assert targets["王强"]["deliveries_completion"] == pytest.approx(want["王强"] / 15)
    assert "deliveries_completion" in r.charts[0].series
    assert any("交车" in f for f in r.footnotes)
    # without a register there is no 交车 column at all, not a column of dashes
    plain = build_report("sales", quarter, as_of=AS_OF, config=cfg, period="quarter")
    assert "deliveries" not in {c.key for c in plain.table("by_consultant").columns}
    assert "deliveries" not in plain.to_json()["tables"]["by_consultant"][0]
