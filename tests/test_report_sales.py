"""晨会日报, 今日跟进, 销售漏斗: hand-computed numbers on small sales workbooks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.workbooks import checked, write
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report

D = dt.date
T = dt.time
FOUR_THIRTY = dt.time(16, 30)


def reg(day, consultant, visit_type="来店", phone=None, level="A", card="否", test_drive="否", source="路过",
        model="凯美瑞", **kw):
    return {"date": day, "arrive_time": T(10, 0), "visit_type": visit_type, "customer": kw.pop("customer", "王先生"),
            "phone": phone, "model": model, "source": source, "level": level, "consultant": consultant,
            "test_drive": test_drive, "card": card, **kw}


def log(day, consultant, phone, level="A", submitted=FOUR_THIRTY, signed="是", next_date=None):
    return {"date": day, "consultant": consultant, "customer": "客户", "phone": phone, "level": level,
            "channel": "电话", "content": "电话沟通", "submitted_at": submitted, "manager_signed": signed,
            "next_date": next_date}


def card(consultant, phone, level, card_date, status="跟进中", last_contact=None, next_date=None, customer="客户"):
    return {"card_date": card_date, "customer": customer, "phone": phone, "model": "凯美瑞", "level": level,
            "consultant": consultant, "status": status, "last_contact": last_contact, "next_date": next_date,
            "lost_reason": "价格" if status == "战败" else None}


def drive(day, consultant, phone):
    return {"date": day, "customer": "客户", "age": 75, "occupation": "教师", "license_no": "11010519491231002X",
            "phone": phone, "address": "天河区", "model": "凯美瑞", "customer_signed": "是",
            "consultant_signed": "是", "consultant": consultant}


# ---------------------------------------------------------------- morning

DAY = D(2026, 11, 29)


@pytest.fixture
def morning(tmp_path):
    regs = [reg(DAY, "王强", phone="13900000001", card="是", test_drive="是"),
            reg(DAY, "王强", "来电", phone="13900000002", level="C"),
            reg(DAY, "王强", phone="13900000003", level="O", card="是"),
            reg(DAY, "李娜", level="N", remark="不留电话"),
            reg(D(2026, 11, 28), "李娜", phone="13900000004")]
    logs = [log(DAY, "王强", f"1390000010{i}") for i in range(6)]
    logs += [log(DAY, "李娜", "13900000201"), log(DAY, "李娜", "13900000009", level="O", submitted=T(17, 30)),
             log(DAY, "李娜", "13900000203", signed=None)]
    cards = [card("王强", "13900000301", "A", D(2026, 11, 1)), card("王强", "13900000302", "A", D(2026, 11, 2)),
             card("王强", "13900000303", "H", D(2026, 11, 3)),
             card("王强", "13900000304", "A", D(2026, 11, 3), status="战败"),
             card("张伟", "13900000305", "B", D(2026, 11, 3))]
    p = write(tmp_path / "sales.xlsx", {"登记": ("registration", regs), "跟进记录": ("followup_log", logs),
                                        "跟进卡": ("followup_card", cards),
                                        "试驾": ("test_drive", [drive(DAY, "王强", "13900000001"),
                                                                drive(DAY, "王强", "13900000002")])})
    return build_report("morning", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())


def test_morning_is_yesterday_per_consultant(morning):
    assert (morning.period_start, morning.period_end) == (DAY, DAY)
    rows = {r["consultant"]: r for r in morning.table("by_consultant").rows}
    assert list(rows) == sorted(["王强", "李娜", "张伟"])
    wq, ln, zw = rows["王强"], rows["李娜"], rows["张伟"]
    assert (wq["walk_ins"], wq["phone_ins"], wq["new_cards"], wq["test_drives"], wq["orders"]) == (2, 1, 2, 2, 1)
    assert (wq["level_H"], wq["level_A"], wq["level_B"]) == (1, 2, 0)  # the 战败 card is closed
    assert (wq["followups"], wq["target_met"], wq["log_on_time"], wq["log_signed"]) == (6, "达标", "按时", "已签")
    assert (ln["walk_ins"], ln["orders"], ln["followups"]) == (1, 1, 3)
    assert (ln["target_met"], ln["log_on_time"], ln["log_signed"]) == ("未达标", "超时", "未签")
    assert (zw["level_B"], zw["followups"], zw["log_on_time"]) == (1, 0, "—")
    assert zw["target_met"] == "休息"  # only a card, no row that day: a rest day, as followup.quota says


def test_morning_counts_an_order_once_on_its_first_day(tmp_path):
    regs = [reg(D(2026, 11, 28), "王强", phone="13900000001", level="O", card="是"),
            reg(DAY, "王强", phone="13900000002", card="是")]
    logs = [log(DAY, "王强", "13900000001", level="O"), log(DAY, "王强", "13900000002", level="O"),
            log(DAY, "王强", "13900000003", level="D")]
    p = write(tmp_path / "s.xlsx", {"登记": ("registration", regs), "跟进记录": ("followup_log", logs)})
    r = build_report("morning", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    (row,) = r.table("by_consultant").rows
    assert row["orders"] == 2  # ...0002 became O and ...0003 D today; ...0001 ordered yesterday


def test_morning_totals(morning):
    t = morning.table("by_consultant").total_row
    # 张伟 rests that day: no target of his in the total (2 × 6, not 3 × 6)
    assert (t["consultant"], t["walk_ins"], t["phone_ins"], t["new_cards"], t["followups"], t["target"]) == \
        ("合计", 3, 1, 2, 9, 12)
    assert {r["consultant"]: r["target"] for r in morning.table("by_consultant").rows} == \
        {"王强": 6, "李娜": 6, "张伟": None}
    assert morning.to_json()["totals"]["by_consultant"]["walk_ins"] == 3


def test_morning_never_shows_id_numbers(morning):
    import json

    assert "11010519491231002X" not in json.dumps(morning.to_json(), ensure_ascii=False)


def test_morning_empty_day(tmp_path):
    p = write(tmp_path / "sales.xlsx", {"登记": ("registration", [reg(D(2026, 11, 1), "王强")])})
    r = build_report("morning", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    assert r.table("by_consultant").rows == [] and "没有" in r.notes[0]


# ---------------------------------------------------------------- followups

def test_followups_due_today_and_overdue(tmp_path):
    cards = [
        card("王强", "13900000401", "H", D(2026, 11, 20), last_contact=D(2026, 11, 27), customer="C1"),  # due 11-29
        card("王强", "13900000402", "A", D(2026, 11, 26), customer="C2"),  # due 11-30: today
        card("王强", "13900000403", "B", D(2026, 11, 1), last_contact=D(2026, 11, 25), next_date=D(2026, 11, 28),
             customer="C3"),  # next date first: 11-28
        card("李娜", "13900000404", "C", D(2026, 11, 20), customer="C4"),  # due 12-05
        card("李娜", "13900000405", "A", D(2026, 11, 1), status="战败", customer="C5"),
        card("李娜", "13900000406", "A", D(2026, 11, 10), last_contact=D(2026, 11, 20), customer="C6"),
        card("张伟", "13900000407", "D", D(2026, 11, 1), customer="C7"),  # delivered: closed level
        card("张伟", "13900000408", "N", D(2026, 11, 10), customer="C8"),  # due 11-25
    ]
    logs = [log(D(2026, 11, 29), "李娜", "13900000406", level="B", next_date=D(2026, 12, 3))]  # C6 followed up
    p = write(tmp_path / "cards.xlsx", {"卡": ("followup_card", cards), "记录": ("followup_log", logs)})
    r = build_report("followups", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    got = [(x["consultant"], x["customer"], x["due"], x["days_overdue"], x["status"]) for x in r.table("list").rows]
    assert got == [("张伟", "C8", D(2026, 11, 25), 5, "逾期"),
                   ("王强", "C3", D(2026, 11, 28), 2, "逾期"),
                   ("王强", "C1", D(2026, 11, 29), 1, "逾期"),
                   ("王强", "C2", D(2026, 11, 30), 0, "今日到期")]
    assert r.table("list").rows[0]["phone"] == "13900000408"  # a call list: full number
    summary = {x["consultant"]: (x["due_today"], x["overdue"], x["total"]) for x in r.table("by_consultant").rows}
    assert summary == {"张伟": (0, 1, 1), "王强": (1, 2, 3)}


# ---------------------------------------------------------------- funnel

def test_funnel_counts_unique_customers(tmp_path):
    regs = [reg(D(2026, 11, 2), "王强", phone="13700000001", source="汽车之家", card="是"),
            reg(D(2026, 11, 10), "王强", phone="13700000001", source="朋友介绍", model="汉兰达", test_drive="是",
                level="O"),
            reg(D(2026, 11, 5), "王强", phone="13700000002", source="汽车之家", model="卡罗拉", level="C"),
            reg(D(2026, 11, 30), "李娜", phone="13700000003", card="是"),
            reg(D(2026, 11, 15), "李娜", remark="不留电话"),
            reg(D(2026, 11, 16), "李娜", remark="不留电话", model="雷凌"),
            reg(D(2026, 10, 31), "李娜", phone="13700000006"),
            reg(D(2026, 12, 1), "李娜", phone="13700000007")]
    p = write(tmp_path / "sales.xlsx", {
        "登记": ("registration", regs),
        "卡": ("followup_card", [card("王强", "13700000002", "C", D(2026, 11, 5))]),
        "试驾": ("test_drive", [drive(D(2026, 11, 30), "李娜", "13700000003")])})
    r = build_report("funnel", checked([p], D(2026, 12, 3)), as_of=D(2026, 12, 3), config=Config())
    assert (r.period_start, r.period_end) == (D(2026, 11, 1), D(2026, 11, 30))
    stages = [(s["stage"], s["customers"], s["from_previous"], s["from_visits"]) for s in r.table("stages").rows]
    assert stages == [("来店/来电", 5, None, 1.0), ("建卡", 3, 0.6, 0.6),
                      ("试驾", 2, pytest.approx(2 / 3), 0.4), ("订单", 1, 0.5, 0.2)]
    src = {x["source"]: (x["visits"], x["cards"], x["test_drives"], x["orders"]) for x in r.table("by_source").rows}
    assert src == {"汽车之家": (2, 2, 1, 1), "路过": (3, 1, 1, 0)}
    model = {x["model"]: (x["visits"], x["cards"], x["test_drives"], x["orders"]) for x in r.table("by_model").rows}
    assert model == {"凯美瑞": (3, 2, 2, 1), "卡罗拉": (1, 1, 0, 0), "雷凌": (1, 0, 0, 0)}
    total = r.table("by_source").total_row
    assert (total["visits"], total["card_rate"], total["order_rate"]) == (5, 0.6, 0.2)


def test_funnel_week_and_empty(tmp_path):
    p = write(tmp_path / "sales.xlsx", {"登记": ("registration", [reg(D(2026, 11, 29), "王强", phone="13700000001")])})
    ch = checked([p], D(2026, 11, 30))
    week = build_report("funnel", ch, as_of=D(2026, 11, 30), config=Config(), period="week")
    assert week.table("stages").rows[0]["customers"] == 1
    empty = build_report("funnel", ch, as_of=D(2027, 5, 3), config=Config())
    assert [s["from_visits"] for s in empty.table("stages").rows] == [None] * 4 and empty.notes


def test_morning_counts_o_cards_and_distinct_open_customers(tmp_path):
    cards = [card("王强", "13900000501", "O", D(2026, 11, 1), status="已订车"),  # ordered: followed up till delivery
             card("王强", "13900000502", "O", D(2026, 11, 2), status="订车"),
             card("王强", "13900000503", "D", D(2026, 11, 2), status="成交"),  # delivered: closed
             card("王强", "13900000504", "A", D(2026, 11, 2), status="休眠")]  # dormant, still open
    logs = [log(DAY, "王强", "13900000501", level="O")] * 3 + [log(DAY, "王强", "13900000504"),
                                                                log(DAY, "王强", "13900000505", level="F")]
    p = write(tmp_path / "s.xlsx", {"跟进卡": ("followup_card", cards), "跟进记录": ("followup_log", logs)})
    r = build_report("morning", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    (row,) = r.table("by_consultant").rows
    assert (row["level_O"], row["level_A"]) == (2, 1)
    assert row["followups"] == 2  # …0501 three times is one customer; …0505 is 战败 (F): not counted
    assert row["target_met"] == "未达标"


def test_funnel_against_the_previous_stage_only_where_it_is_one(tmp_path):
    # by phone: 8 visitors; all 4 drivers carded; 3 orders of which only 1 drove
    regs = [reg(D(2026, 11, 2 + i), "王强", phone=f"1370000010{i}", card="是" if i < 6 else "否",
                test_drive="是" if i < 4 else "否", level="O" if i in (0, 5, 7) else "A") for i in range(8)]
    p = write(tmp_path / "f.xlsx", {"登记": ("registration", regs)})
    r = build_report("funnel", checked([p], D(2026, 12, 3)), as_of=D(2026, 12, 3), config=Config())
    stages = {s["stage"]: (s["customers"], s["through_previous"], s["from_previous"], s["from_visits"])
              for s in r.table("stages").rows}
    assert stages["建卡"] == (6, 6, 0.75, 0.75)
    assert stages["试驾"] == (4, 4, pytest.approx(4 / 6), 0.5)  # every driver was carded: a true stage
    assert stages["订单"] == (3, 1, None, 0.375)  # orders without a test drive: no ratio to drives
