"""Follow-up cards and logs: card.missing, overdue, quota, window, late submit, time.order."""

from __future__ import annotations

from tests.helpers import cells, d, groups, of, rows_of, run, t

REG = ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别",
       "销售顾问", "是否建卡", "未留电话", "备注"]
REG_ROW = {"来店时间": t("10:00"), "来店/来电": "来店", "客户姓名": "王先生", "意向车型": "凯美瑞",
           "信息来源": "汽车之家", "意向级别": "B", "销售顾问": "王强", "是否建卡": "是"}
CARD = ["建卡日期", "客户姓名", "联系电话", "意向车型", "意向级别", "销售顾问", "状态", "战败原因",
        "最近跟进日期", "下次跟进日期"]
CARD_ROW = {"客户姓名": "李先生", "意向车型": "凯美瑞", "意向级别": "B", "销售顾问": "王强", "状态": "跟进中"}
LOG = ["跟进日期", "跟进时间", "销售顾问", "客户姓名", "联系电话", "意向级别", "跟进方式", "跟进内容",
       "下次跟进日期", "提交时间", "经理签字"]
LOG_ROW = {"跟进时间": t("10:00"), "销售顾问": "王强", "客户姓名": "李先生", "意向级别": "B",
           "跟进方式": "电话", "跟进内容": "介绍优惠", "提交时间": t("16:30"), "经理签字": "张经理"}


def reg(*rows: dict) -> dict:
    return {"登记表": (REG, rows_of(REG, list(rows), REG_ROW))}


def cards(*rows: dict) -> dict:
    return {"跟进卡": (CARD, rows_of(CARD, list(rows), CARD_ROW))}


def log(*rows: dict, headers: list[str] = LOG) -> dict:
    return {"跟进记录": (headers, rows_of(headers, list(rows), LOG_ROW))}


# ---------------------------------------------------------------- card.missing


def test_card_missing_on_the_registration_row_only_for_phones_without_a_card(tmp_path):
    visitors = reg(
        {"日期": d("2026-11-20"), "联系电话": 13800138000},  # card has it, typed differently
        {"日期": d("2026-11-20"), "联系电话": "139 0013 9000"},  # no card
        {"日期": d("2026-11-21"), "联系电话": None, "未留电话": "是", "是否建卡": "否"},  # declined
        {"日期": d("2026-11-21"), "联系电话": None, "是否建卡": "否", "备注": "客户拒留电话"},  # declined in 备注
    )
    card_book = cards({"建卡日期": d("2026-11-20"), "联系电话": "138-0013-8000"})
    r = run(tmp_path, {"reg.xlsx": visitors, "cards.xlsx": card_book}, followup_daily_target=0)
    assert cells(r) == [("card.missing", "登记表", "E3", "phone")]
    assert of(r, "card.missing")[0].row == 3
    assert "13900139000" in of(r, "card.missing")[0].message


def test_no_card_missing_without_a_card_sheet_in_the_run(tmp_path):
    r = run(tmp_path, {"reg.xlsx": reg({"日期": d("2026-11-20"), "联系电话": 13900139000})})
    assert cells(r) == []


# ---------------------------------------------------------------- cards: required reason, time.order


def test_lost_card_needs_a_reason_and_next_date_not_before_card_date(tmp_path):
    r = run(tmp_path, {"cards.xlsx": cards(
        {"建卡日期": d("2026-11-20"), "联系电话": 13800138001, "状态": "战败", "意向级别": "F"},
        {"建卡日期": d("2026-11-20"), "联系电话": 13800138002, "状态": "流失", "意向级别": "L", "战败原因": "买了别的品牌"},
        {"建卡日期": d("2026-11-20"), "联系电话": 13800138003, "下次跟进日期": d("2026-11-18"),
         "最近跟进日期": d("2026-11-24")},
    )})
    assert cells(r) == [("required", "跟进卡", "H2", "lost_reason"), ("time.order", "跟进卡", "J4", "next_date")]


# ---------------------------------------------------------------- followup.overdue


def test_overdue_by_cadence_and_by_missed_next_date_on_the_card_row(tmp_path):
    card_book = cards(
        {"建卡日期": d("2026-11-20"), "联系电话": 13800000002, "意向级别": "A"},  # log 11-25: 2 days
        {"建卡日期": d("2026-11-10"), "联系电话": 13800000003, "意向级别": "A"},  # log 11-20: 7 > 4
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000004, "最近跟进日期": d("2026-11-22")},  # B, 5 days
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000005},  # B, never: 26 > 7
        {"建卡日期": d("2026-11-20"), "联系电话": 13800000006, "意向级别": "C", "下次跟进日期": d("2026-11-25")},
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000007, "意向级别": "H", "状态": "战败", "战败原因": "预算"},
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000008, "意向级别": "D"},  # delivered: closed level
        {"建卡日期": d("2026-11-20"), "联系电话": 13800000009, "意向级别": "O", "状态": "已订车"},  # 7 > 3
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000010, "意向级别": "C", "状态": "休眠"},  # log 11-15
        {"建卡日期": d("2026-11-01"), "联系电话": 13800000011, "状态": "成交", "意向级别": "B"},
        # contacted on the planned day: the plan was kept, and 2 days ≤ 7
        {"建卡日期": d("2026-11-20"), "联系电话": 13800000012, "下次跟进日期": d("2026-11-25")},
    )
    contacts = log(
        {"跟进日期": d("2026-11-25"), "联系电话": 13800000002},
        {"跟进日期": d("2026-11-20"), "联系电话": 13800000003},
        {"跟进日期": d("2026-11-15"), "联系电话": 13800000010},
        {"跟进日期": d("2026-11-25"), "联系电话": "138 0000 0012"},
    )
    r = run(tmp_path, {"cards.xlsx": card_book, "log.xlsx": contacts}, followup_daily_target=0)
    assert cells(r) == [
        ("followup.overdue", "跟进卡", "E3", "level"),
        ("followup.overdue", "跟进卡", "E5", "level"),
        ("followup.overdue", "跟进卡", "E9", "level"),
        ("followup.overdue", "跟进卡", "J6", "next_date"),
    ]
    by_row = {f.row: f.message for f in of(r, "followup.overdue")}
    assert "2026-11-20" in by_row[3] and "7天" in by_row[3]
    assert "2026-11-25" in by_row[6]


def test_overdue_uses_the_card_date_when_there_is_no_log(tmp_path):
    r = run(tmp_path, {"cards.xlsx": cards(
        {"建卡日期": d("2026-11-20"), "联系电话": 13800000002},  # B, 7 days: not yet
        {"建卡日期": d("2026-11-19"), "联系电话": 13800000003},  # 8 days
    )})
    assert cells(r) == [("followup.overdue", "跟进卡", "E3", "level")]


# ---------------------------------------------------------------- followup.quota


def _day_rows(who: str, day: str, n: int) -> list[dict]:
    return [{"跟进日期": d(day), "销售顾问": who, "联系电话": 13900000000 + i} for i in range(n)]


def test_quota_only_on_worked_days_within_the_dates_the_log_covers(tmp_path):
    rows: list[dict] = []
    for day in range(10, 21):  # the log covers 11-10..11-20 only
        rows += _day_rows("王强", f"2026-11-{day}", 4 if day == 15 else 6)
    rows += _day_rows("李娜", "2026-11-10", 6) + _day_rows("李娜", "2026-11-20", 7)
    visitors = reg(
        {"日期": d("2026-11-12"), "联系电话": 13700000001, "销售顾问": "李娜"},  # worked, logged nothing
        {"日期": d("2026-11-05"), "联系电话": 13700000002, "销售顾问": "李娜"},  # before the log
        {"日期": d("2026-11-22"), "联系电话": 13700000003, "销售顾问": "李娜"},  # after the log
        {"日期": d("2026-11-14"), "联系电话": 13700000004, "销售顾问": "王强"},  # worked and logged 6
    )
    roster = {"张伟": [d("2026-11-18"), d("2026-11-25")]}  # on duty; 11-25 is past the log
    r = run(tmp_path, {"reg.xlsx": visitors, "log.xlsx": log(*rows)}, roster=roster)
    # 李娜 rests on every other day of the log (no rows anywhere, not on the roster): nothing
    assert groups(r, "followup.quota") == [
        ("跟进记录", "张伟 2026-11-18", 0),
        ("跟进记录", "李娜 2026-11-12", 0),
        ("跟进记录", "王强 2026-11-15", 4),
    ]
    assert cells(r) == [("followup.quota", "跟进记录", None, "consultant")] * 3
    f = next(f for f in of(r, "followup.quota") if f.subject == "王强 2026-11-15")
    assert f.row is None and f.cell is None and "4" in f.message and "6" in f.message


def test_quota_target_is_configurable(tmp_path):
    r = run(tmp_path, {"log.xlsx": log(*_day_rows("王强", "2026-11-20", 4))}, followup_daily_target=5)
    assert groups(r, "followup.quota") == [("跟进记录", "王强 2026-11-20", 4)]
    r = run(tmp_path, {"log.xlsx": log(*_day_rows("王强", "2026-11-20", 4))}, followup_daily_target=4)
    assert groups(r, "followup.quota") == []


def test_quota_counts_distinct_open_customers_not_rows(tmp_path):
    day = "2026-11-20"
    six_open = _day_rows("王强", day, 6)  # six different B customers: met
    one_six_times = [{"跟进日期": d(day), "销售顾问": "李娜", "联系电话": "139 0000 0001"}] * 5 + \
        [{"跟进日期": d(day), "销售顾问": "李娜", "联系电话": 13900000001}]  # one customer, typed two ways
    closed = [{"跟进日期": d(day), "销售顾问": "张伟", "联系电话": 13900000100 + i, "意向级别": lv}
              for i, lv in enumerate(["F", "D", "L", "f", "B", "A"])]  # only B and A are open
    # a row without a level takes its card's: the card of ...0200 is 战败 (F), of ...0201 open (H)
    no_level = [{"跟进日期": d(day), "销售顾问": "赵磊", "联系电话": 13900000200 + i, "意向级别": None}
                for i in range(2)]
    card_book = cards({"建卡日期": d("2026-11-01"), "联系电话": 13900000200, "意向级别": "F", "状态": "战败",
                       "战败原因": "预算"},
                      {"建卡日期": d("2026-11-01"), "联系电话": 13900000201, "意向级别": "H"})
    r = run(tmp_path, {"log.xlsx": log(*six_open, *one_six_times, *closed, *no_level), "cards.xlsx": card_book},
            as_of="2026-11-21")
    assert groups(r, "followup.quota") == [
        ("跟进记录", "张伟 2026-11-20", 2),
        ("跟进记录", "李娜 2026-11-20", 1),
        ("跟进记录", "赵磊 2026-11-20", 1),
    ]


# ---------------------------------------------------------------- window, late submit, time.order


def test_window_late_submit_and_next_date_order(tmp_path):
    r = run(tmp_path, {"log.xlsx": log(
        {"跟进日期": d("2026-11-20"), "跟进时间": t("11:30"), "联系电话": 13800000001},  # edge: inside
        {"跟进日期": d("2026-11-20"), "跟进时间": "14点", "联系电话": 13800000002},  # outside
        {"跟进日期": d("2026-11-20"), "跟进时间": t("15:00"), "联系电话": 13800000003, "跟进方式": "到店"},
        {"跟进日期": d("2026-11-21"), "销售顾问": "李娜", "联系电话": 13800000004, "提交时间": t("16:00")},
        {"跟进日期": d("2026-11-21"), "销售顾问": "李娜", "联系电话": 13800000005, "提交时间": "17:20",
         "经理签字": None},
        {"跟进日期": d("2026-11-22"), "销售顾问": "张伟", "联系电话": 13800000006, "经理签字": None,
         "下次跟进日期": d("2026-11-21")},
        {"跟进日期": d("2026-11-22"), "销售顾问": "张伟", "联系电话": 13800000007, "经理签字": "否"},
        {"跟进日期": d("2026-11-27"), "销售顾问": "张伟", "联系电话": 13800000008, "经理签字": None},  # today
    )}, followup_daily_target=0)
    assert cells(r) == [
        ("followup.late_submit", "跟进记录", "J6", "submitted_at"),
        ("followup.late_submit", "跟进记录", "K7", "manager_signed"),
        ("followup.window", "跟进记录", "B3", "time"),
        ("time.order", "跟进记录", "I7", "next_date"),
    ]
    sev = {f.rule: f.severity for f in r.findings}
    assert sev["followup.window"] == "info" and sev["followup.late_submit"] == "warning"
    late = next(f for f in of(r, "followup.late_submit") if f.cell == "J6")
    assert "李娜 2026-11-21" in late.message and "17:20" in late.message


def test_late_submit_needs_the_columns(tmp_path):
    headers = [h for h in LOG if h not in ("提交时间", "经理签字")]
    r = run(tmp_path, {"log.xlsx": log({"跟进日期": d("2026-11-20"), "联系电话": 13800000001}, headers=headers)},
            followup_daily_target=0)
    assert cells(r) == []
